"""ChatSession: one conversation bound to one runtime.

It owns the history (IContent), the system prompt, the usage so far and the rules for a turn
that is cancelled, cut off or retried, so every front end (a tab, `llxprt -p`) follows the
same rules. It calls only its runtime's ProviderManager; it never touches another runtime.

The rules:
- a reply that completes is appended to the history;
- a reply cut off by an error keeps what arrived (marked partial) and the error is reported;
- an error before any output takes the prompt back out of the history (the caller gets its
  text back to edit and resend);
- a cancelled reply keeps what arrived; cancellation itself is re-raised to the caller
  (cancelled inside `send()` or while the caller handled an event and then closed it);
- any other exception from the provider (a bug) ends the turn like an error, as
  `Failed("Unexpected error: …")`, so the history stays consistent;
- `retry()` replaces the last turn by asking its prompt again (a failed turn, already out
  of the history, is just asked again).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from llxprt_runtime.chat.events import (
    Failed,
    Finished,
    ReplyEvent,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    UsageReported,
)
from llxprt_runtime.chat.export import ExportHeader, conversation_json, conversation_markdown
from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.providers.content import (
    IContent,
    MediaBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    Usage,
    merge_stream,
)
from llxprt_runtime.runtime.registry import RuntimeServices

if TYPE_CHECKING:
    from llxprt_runtime.chat.recorder import SessionRecorder
    from llxprt_runtime.providers.retry import RetryListener

TurnState = Literal["streaming", "complete", "cancelled", "partial", "failed"]


class SessionBusyError(LlxprtError):
    """A reply is still streaming in this session."""


@dataclass(slots=True)
class Turn:
    """The last exchange: its prompt, what came back, and how it ended."""

    prompt: str
    state: TurnState = "streaming"
    reply: IContent | None = None
    error: LlxprtError | None = None
    usage: Usage | None = None  # as reported for this reply
    first_token_seconds: float | None = None
    duration_seconds: float | None = None


class ChatSession:
    def __init__(
        self,
        runtime: RuntimeServices,
        *,
        system_prompt: str | None = None,
        title: str = "",
        clock: Callable[[], float] = time.monotonic,
        recorder: SessionRecorder | None = None,
        on_retry: RetryListener | None = None,
    ) -> None:
        self.runtime = runtime
        self.recorder = recorder  # writes each turn to the session store, when there is one
        self.on_retry = on_retry  # told of each retry before its wait (a "retrying in 7 s" line)
        self.system_prompt = system_prompt
        self.title = title
        self.usage = Usage()
        self.last_turn: Turn | None = None
        self._history: list[IContent] = []
        self._clock = clock
        self._busy = False

    @property
    def history(self) -> Sequence[IContent]:
        return tuple(self._history)

    @property
    def streaming(self) -> bool:
        return self._busy

    def full_system_prompt(self) -> str:
        from llxprt_runtime.prompts import get_core_system_prompt

        provider = self.runtime.settings_service.active_provider or ""
        model = self.runtime.config.get_model() or ""
        return get_core_system_prompt(provider, model, additional_prompt=self.system_prompt)

    async def send(
        self, text: str, attachments: Sequence[MediaBlock] = ()
    ) -> AsyncGenerator[ReplyEvent, None]:
        """Ask `text`; yields the reply as it streams, ending with Finished or Failed."""
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        self._busy = True
        if not self.title:
            self.title = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")[:80]
        prompt = IContent.human(text, *attachments)
        self._history.append(prompt)
        turn = self.last_turn = Turn(text)
        try:
            if self.recorder is not None:
                await self.recorder.prompt(prompt)
            # Closed explicitly: when our caller closes us (it was cancelled between two
            # events), the turn must end now, not whenever the stream is garbage collected.
            async with aclosing(self._stream(turn)) as events:
                async for event in events:
                    yield event
        finally:
            self._busy = False

    async def _stream(self, turn: Turn) -> AsyncGenerator[ReplyEvent, None]:
        from llxprt_runtime.providers.base import GenerateChatOptions

        options = GenerateChatOptions(
            list(self._history),
            runtime=self.runtime.context,
            system_prompt=self.full_system_prompt(),
            on_retry=self.on_retry,
        )
        chunks: list[IContent] = []
        started = self._clock()
        try:
            async for chunk in self.runtime.provider_manager.generate_chat_completion(options):
                chunks.append(chunk)
                for block in chunk.blocks:
                    if isinstance(block, TextBlock) and block.text:
                        if turn.first_token_seconds is None:
                            turn.first_token_seconds = self._clock() - started
                        yield TextDelta(block.text)
                    elif isinstance(block, ThinkingBlock) and block.thought:
                        yield ThinkingDelta(block.thought)
                    elif isinstance(block, ToolCallBlock):
                        yield ToolCall(block)
                if chunk.metadata.usage is not None:
                    yield UsageReported(chunk.metadata.usage)
                if self.recorder is not None and self.recorder.due():
                    await self.recorder.progress(merge_stream(chunks))
        except (asyncio.CancelledError, GeneratorExit):
            # The caller stopped listening: keep what arrived, then let cancellation go on.
            await self._end(turn, chunks, "cancelled", started)
            raise
        except Exception as exc:  # a provider bug must not leave the history half-done
            error = exc if isinstance(exc, LlxprtError) else LlxprtError(f"Unexpected error: {exc}")
            turn.error = error
            arrived = any(chunk.blocks for chunk in chunks)  # usage alone is not a reply
            await self._end(turn, chunks, "partial" if arrived else "failed", started)
            yield Failed(error, turn.reply)
            return
        # An empty reply (nothing but usage, say) finishes too; it adds nothing to the history.
        reply = await self._end(turn, chunks, "complete", started)
        yield Finished(
            reply.metadata.finish_reason,
            reply,
            turn.first_token_seconds,
            turn.duration_seconds or 0.0,
        )

    async def _end(
        self, turn: Turn, chunks: list[IContent], state: TurnState, started: float
    ) -> IContent:
        """End the turn; the reply as merged (kept in the history only when it has blocks)."""
        turn.state = state
        turn.duration_seconds = self._clock() - started
        merged = merge_stream(chunks)
        turn.usage = merged.metadata.usage
        if turn.usage is not None:
            self.usage = self.usage + turn.usage
        if merged.blocks:
            turn.reply = merged
            self._history.append(merged)
        elif state == "failed" and self._history and self._history[-1].speaker == "human":
            # Nothing came back: the prompt leaves the history (the caller shows it again).
            self._history.pop()
        if self.recorder is not None:
            await self.recorder.ended(
                turn.reply,
                state,
                first_token_seconds=turn.first_token_seconds,
                duration_seconds=turn.duration_seconds,
            )
        return merged

    async def retry(self) -> AsyncGenerator[ReplyEvent, None]:
        """Ask the last prompt again, replacing its reply."""
        turn = self.last_turn
        if turn is None:
            raise LlxprtError("Nothing to retry yet.")
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        if turn.state != "failed":  # a failed turn's prompt has already left the history
            if turn.reply is not None and self._history and self._history[-1] is turn.reply:
                self._history.pop()
            if self._history and self._history[-1].speaker == "human":
                self._history.pop()
        async for event in self.send(turn.prompt):
            yield event

    def load_history(self, contents: Sequence[IContent]) -> None:
        """A stored conversation to go on with (a tab restored from the session store)."""
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        self._history = list(contents)

    def clear(self) -> None:
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        self._history.clear()
        self.last_turn = None

    def last_reply_text(self) -> str | None:
        for content in reversed(self._history):
            if content.speaker == "ai" and content.text():
                return content.text()
        return None

    # --- export -------------------------------------------------------------------------------

    def to_markdown(self, header: ExportHeader | None = None, *, title: str | None = None) -> str:
        """The conversation as Markdown; `title` (say, a tab's name) instead of the session's."""
        return conversation_markdown(title or self.title, self._history, header)

    def to_json(self, header: ExportHeader | None = None, *, title: str | None = None) -> str:
        return conversation_json(title or self.title, self._history, self.system_prompt, header)
