"""The multi-line prompt: enter sends, ctrl+j / shift+enter insert a newline, up/down on the
first/last line walk this tab's prompt history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea


@dataclass
class PromptHistory:
    """One tab's sent prompts, with a cursor for up/down browsing."""

    entries: list[str]
    position: int = 0
    draft: str = ""

    def add(self, text: str) -> None:
        if text.strip() and (not self.entries or self.entries[-1] != text):
            self.entries.append(text)
        self.position = len(self.entries)

    def older(self, current: str) -> str | None:
        if self.position == len(self.entries):
            self.draft = current
        if self.position == 0:
            return None
        self.position -= 1
        return self.entries[self.position]

    def newer(self) -> str | None:
        if self.position >= len(self.entries):
            return None
        self.position += 1
        return self.draft if self.position == len(self.entries) else self.entries[self.position]


class PromptInput(TextArea):
    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        border: tall $border-blurred;
    }
    PromptInput:focus { border: tall $border; }
    """

    class Submitted(Message):
        def __init__(self, prompt: PromptInput, text: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            compact=False,
            highlight_cursor_line=False,
        )
        self.prompt_history = PromptHistory([])
        # Set by the owning tab: completes a slash command on tab; returns whether it did.
        self.complete: Callable[[], Awaitable[bool]] | None = None
        # ctrl+j, not shift+enter: most terminals send shift+enter as a plain enter.
        self.placeholder = "Message, or /help for commands  (enter sends · ctrl+j new line)"

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "tab":
            # Completes when there is something to complete; never moves focus away (what is
            # typed next would be lost).
            event.prevent_default()
            event.stop()
            if self.complete is not None:
                await self.complete()
            return
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in ("shift+enter", "ctrl+j"):
            event.prevent_default()
            event.stop()
            self.insert("\n")
            return
        if event.key == "up" and self.cursor_location[0] == 0:
            older = self.prompt_history.older(self.text)
            if older is not None:
                event.prevent_default()
                event.stop()
                self._replace(older)
                return
        if event.key == "down" and self.cursor_location[0] == self.document.line_count - 1:
            newer = self.prompt_history.newer()
            if newer is not None:
                event.prevent_default()
                event.stop()
                self._replace(newer)
                return
        await super()._on_key(event)

    def _replace(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    def take_text(self, remember: bool) -> str:
        """Empty the prompt and return what it held; remembered in history unless told not."""
        text = self.text
        if remember:
            self.prompt_history.add(text)
        else:
            self.prompt_history.position = len(self.prompt_history.entries)
        self.load_text("")
        return text
