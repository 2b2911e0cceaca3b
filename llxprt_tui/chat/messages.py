"""The assistant's reply: streamed Markdown, thinking and tool-call entries, the usage footer.

Imported when the first prompt is sent (Markdown and markdown-it cost ~35 ms), not before the
first frame; notices.py holds the light entries."""

from __future__ import annotations

import json
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Collapsible, Markdown, Static

from llxprt_runtime.providers.content import ToolCallBlock, Usage


class ThinkingEntry(Collapsible):
    """The model's thinking: collapsed by default, expanded on demand."""

    DEFAULT_CSS = """
    ThinkingEntry { background: transparent; border: none; padding: 0; margin: 0; }
    ThinkingEntry Static { color: $text-muted; }
    """

    def __init__(self) -> None:
        self._body = Static("", markup=False)
        super().__init__(self._body, title="Thinking", collapsed=True)
        self.text = ""

    def append(self, thought: str) -> None:
        self.text += thought
        self._body.update(self.text)


class ToolCallEntry(Collapsible):
    DEFAULT_CSS = """
    ToolCallEntry { background: transparent; border: none; padding: 0; margin: 0; }
    ToolCallEntry Static { color: $text-muted; }
    """

    def __init__(self, call: ToolCallBlock) -> None:
        arguments = json.dumps(dict(call.parameters), indent=2, ensure_ascii=False)
        super().__init__(
            Static(arguments, markup=False), title=f"tool call: {call.name}", collapsed=True
        )
        self.call = call


class AssistantMessage(Vertical):
    """One reply. Text streams into a Markdown widget through MarkdownStream (never a full
    re-render per token); one full update at the end fixes any half-parsed block."""

    DEFAULT_CSS = """
    AssistantMessage { height: auto; margin: 1 0 0 0; padding: 0 1; }
    AssistantMessage > Markdown { margin: 0; padding: 0; }
    AssistantMessage > .reply-footer { color: $text-muted; }
    AssistantMessage.-cancelled > .reply-footer { color: $warning; }
    AssistantMessage.-failed > .reply-footer { color: $error; }
    """

    FLUSH_SECONDS: ClassVar[float] = 0.05
    FLUSH_CHARS_PER_SECOND: ClassVar[float] = 200_000
    HIDDEN_FLUSH_SECONDS: ClassVar[float] = 0.25

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.markdown = Markdown("")
        self.footer = Static("", classes="reply-footer", markup=False)
        self._stream: object | None = None
        self._pending: list[str] = []
        self._flush_timer: Timer | None = None
        self._thinking: ThinkingEntry | None = None
        self.state = "waiting"
        self._rendered = True

    def compose(self) -> ComposeResult:
        yield self.markdown
        yield self.footer

    async def append_text(self, text: str) -> None:
        """Buffer a delta; the buffer goes to the MarkdownStream at most every FLUSH_SECONDS,
        so a fast stream costs a few dozen Markdown appends, not one per token."""
        self.text += text
        self._pending.append(text)
        self.state = "streaming"
        if self._flush_timer is None:
            # Re-rendering the last Markdown block costs more as it grows, so long replies
            # flush less often: rendering stays a bounded share of the time.
            delay = self.FLUSH_SECONDS + len(self.text) / self.FLUSH_CHARS_PER_SECOND
            self._flush_timer = self.set_timer(delay, self._flush)

    async def _flush(self) -> None:
        self._flush_timer = None
        if not self._pending:
            return
        if self._hidden():
            # In a tab that is not shown: keep buffering, so ten tabs streaming at once cost
            # one tab's rendering. Shown again, it catches up within HIDDEN_FLUSH_SECONDS.
            self._flush_timer = self.set_timer(self.HIDDEN_FLUSH_SECONDS, self._flush)
            return
        if self._stream is None:
            self._stream = Markdown.get_stream(self.markdown)
        text, self._pending = "".join(self._pending), []
        await self._stream.write(text)  # type: ignore[attr-defined]

    async def on_show(self) -> None:
        # Finished while its tab was hidden: render the full reply now that it is seen.
        if not self._rendered and self.state != "streaming":
            self._rendered = True
            await self.markdown.update(self.text)

    def _hidden(self) -> bool:
        return any(
            not node.display for node in self.ancestors_with_self if isinstance(node, Widget)
        )

    async def append_thinking(self, thought: str) -> None:
        if self._thinking is None:
            self._thinking = ThinkingEntry()
            await self.mount(self._thinking, before=self.markdown)
        self._thinking.append(thought)

    async def add_tool_call(self, call: ToolCallBlock) -> None:
        await self.mount(ToolCallEntry(call), before=self.footer)

    async def finish(self, state: str, footer: str) -> None:
        """Stop streaming and render the final text once, in full."""
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        self._pending = []
        if self._stream is not None:
            await self._stream.stop()  # type: ignore[attr-defined]
            self._stream = None
        self._rendered = not self._hidden()
        if self._rendered:
            await self.markdown.update(self.text)
        self.state = state
        self.set_class(state == "cancelled", "-cancelled")
        self.set_class(state == "failed", "-failed")
        self.footer.update(footer)


def usage_line(
    usage: Usage | None, first_token_seconds: float | None, stream_seconds: float | None
) -> str:
    """The footer under a reply: tokens in/out, time to first token, tokens per second."""
    parts: list[str] = []
    if usage is not None:
        parts.append(f"↑ {usage.prompt_tokens} ↓ {usage.completion_tokens} tokens")
    if first_token_seconds is not None:
        parts.append(f"first token {first_token_seconds:.2f} s")
    if usage is not None and stream_seconds and usage.completion_tokens:
        parts.append(f"{usage.completion_tokens / stream_seconds:.0f} tok/s")
    return " · ".join(parts)
