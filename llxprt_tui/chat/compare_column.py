"""One column of a compare tab: one provider/model on its own isolated runtime and its own
ChatSession, its replies streamed under its title with the figures to compare them by
(tokens, time to first token, tokens/s, finish reason). A failure stays in its column."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from llxprt_runtime.api import (
    ChatSession,
    Failed,
    Finished,
    TextDelta,
    ThinkingDelta,
    visible_controls,
)
from llxprt_runtime.errors import LlxprtError
from llxprt_tui.chat.notices import ErrorNotice, UserMessage
from llxprt_tui.keys import COLUMN_KEYS, bindings

if TYPE_CHECKING:
    from llxprt_runtime.api import RuntimeServices, SessionRecorder
    from llxprt_runtime.providers.content import MediaBlock, TextBlock


class CompareColumn(Vertical, can_focus=True):
    DEFAULT_CSS = """
    CompareColumn {
        width: 1fr;
        height: 1fr;
        border-left: tall $panel;
        padding: 0 0 0 1;
    }
    CompareColumn:focus { border-left: tall $primary; background: $boost; }
    CompareColumn > .column-title { height: 1; text-style: bold; color: $primary; }
    CompareColumn > VerticalScroll { height: 1fr; scrollbar-size-vertical: 1; }
    """
    BINDINGS = bindings(COLUMN_KEYS)

    class ContinueRequested(Message):
        """ "Continue with this one": this column's conversation as a normal tab."""

        def __init__(self, column: CompareColumn) -> None:
            super().__init__()
            self.column = column

    def __init__(
        self,
        title: str,
        runtime: RuntimeServices,
        *,
        clock: Callable[[], float],
        failure_text: Callable[[LlxprtError, RuntimeServices], str],
    ) -> None:
        super().__init__()
        self.title = title
        self.runtime = runtime
        self.session = ChatSession(runtime, clock=clock)
        self.session_id: str | None = None  # its session in the store, once it has one
        self.turn_task: asyncio.Task[object] | None = None  # the task asking the last turn
        self._failure_text = failure_text
        self._body = VerticalScroll()
        self._body.can_focus = False  # one tab stop per column: the column (its keys)
        self.state = "idle"  # idle | streaming | done | cancelled | failed
        self._started = self._cancel_at_start = False

    def compose(self) -> ComposeResult:
        yield Static(visible_controls(self.title), classes="column-title", markup=False)
        yield self._body

    def action_continue_column(self) -> None:
        self.post_message(self.ContinueRequested(self))

    def prepare(self) -> None:
        """A turn is about to start (before its task is made)."""
        self._started = self._cancel_at_start = False

    def cancel(self, task: asyncio.Task[None]) -> None:
        """Stop this column's reply (`task` runs ask()). A task cancelled before its first
        step would skip ask() altogether, reply unfinished: it stops itself as it starts."""
        if self._started:
            task.cancel()
        else:
            self._cancel_at_start = True

    async def ask(
        self,
        text: str,
        blocks: Sequence[MediaBlock | TextBlock],
        chips: Sequence[str],
        recorder: SessionRecorder | None,
    ) -> None:
        """Send `text` through this column's session and draw the reply as it streams; a
        failure is drawn here, never raised (the other columns go on)."""
        from llxprt_tui.chat.messages import AssistantMessage, usage_line

        self._started = True
        self.turn_task = asyncio.current_task()
        reply = AssistantMessage()
        self.session.recorder = recorder
        self.state = "streaming"
        state, reason, error = "done", "", ""
        try:
            await self._body.mount_all([UserMessage(text, chips), reply])
            self._body.scroll_end(animate=False)
            if self._cancel_at_start:
                raise asyncio.CancelledError
            async with aclosing(self.session.send(text, blocks)) as events:
                async for event in events:
                    if isinstance(event, TextDelta):
                        await reply.append_text(visible_controls(event.text))
                    elif isinstance(event, ThinkingDelta):
                        await reply.append_thinking(visible_controls(event.text))
                    elif isinstance(event, Finished):
                        reason = event.reason or ""
                    elif isinstance(event, Failed):
                        state = "failed"
                        error = self._failure_text(event.error, self.runtime)
                    await asyncio.sleep(0)  # keys and rendering go on during a fast stream
        except asyncio.CancelledError:
            state = "cancelled"  # escape: what arrived stays (the session's rule)
        except Exception as exc:  # a bug drawing one column must not stop the others
            state, error = "failed", f"Unexpected error: {exc}"
        turn = self.session.last_turn
        footer = ""
        if turn is not None:
            first, total = turn.first_token_seconds, turn.duration_seconds
            streamed = total - first if first is not None and total is not None else None
            footer = usage_line(turn.usage, first, streamed)
        if reason:
            footer += f"{' · ' if footer else ''}finish: {reason}"
        if state == "cancelled":
            footer = "cancelled" + (f" · {footer}" if footer else "")
        self.state = state
        await asyncio.sleep(0)  # let a renderer the last delta started take its first step
        if state == "failed" and not reply.text:
            await reply.remove()  # nothing came back: the error says it all
        else:
            await reply.finish(state, footer)
        if error:
            await self._body.mount(ErrorNotice(error))
        self._body.scroll_end(animate=False)
