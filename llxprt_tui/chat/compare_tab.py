"""A compare tab (/compare): one prompt goes to every column at once, each column a provider
and model on its own isolated runtime with its own conversation; the replies stream side by
side. Escape cancels every column; a failing column shows its error and the others go on.
The tab keeps a runtime of its own too (a copy of the tab it came from), for commands."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal

from llxprt_runtime.errors import LlxprtError
from llxprt_tui.chat.compare_column import CompareColumn
from llxprt_tui.chat.completer import CommandCompletion
from llxprt_tui.chat.host import TabHost
from llxprt_tui.chat.prompt import PromptInput
from llxprt_tui.chat.tab import ChatTab

if TYPE_CHECKING:
    from llxprt_runtime.api import RuntimeServices


class CompareTab(ChatTab):
    DEFAULT_CSS = """
    CompareTab > Transcript { height: auto; max-height: 6; }
    CompareTab > #columns { height: 1fr; }
    """
    kept: ClassVar[bool] = False  # its columns' sessions are stored, linked; not the tab

    def __init__(
        self,
        name: str,
        columns: Sequence[tuple[str, RuntimeServices]],
        *,
        host: TabHost,
        clock: Callable[[], float],
        progress_clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(None, name, host=host, clock=clock, progress_clock=progress_clock)
        self.columns = tuple(
            CompareColumn(title, runtime, clock=clock, failure_text=self._column_failure)
            for title, runtime in columns
        )
        self._column_tasks: list[asyncio.Task[None]] = []

    def compose(self) -> ComposeResult:
        yield self.transcript  # what commands and the tab say, above the columns
        with Horizontal(id="columns"):
            yield from self.columns
        yield CommandCompletion()
        yield PromptInput(id="prompt")

    def owned_runtimes(self) -> list[RuntimeServices]:
        return [column.runtime for column in self.columns]

    def label(self) -> str:
        return f"{self.tab_name} ({len(self.columns)} columns)" + (" ●" if self.streaming else "")

    def _column_failure(self, error: LlxprtError, runtime: RuntimeServices) -> str:
        from llxprt_tui.chat.failures import failure_text

        manager = runtime.provider_manager
        provider = runtime.settings_service.active_provider or ""
        known = provider in manager.list_providers()
        env = manager.get_provider_info(provider).env_key_names if known else ()
        return failure_text(error, self.host.keymap(), env)

    async def send(self, text: str) -> None:
        """The prompt (and its attachments) to every column at once."""
        from llxprt_tui.chat.attachments import chip

        await self.ready()
        files = await self.take_attachments(text)
        if files is None:
            return
        blocks = [a.block for a in files]
        chips = [chip(a.file) for a in files]
        self.streaming = True
        self.changed()
        recorders = []
        for column in self.columns:  # the first column's session is the one the others link to
            link = self.columns[0].session_id if column is not self.columns[0] else None
            recorders.append(await self.host.column_started(column, link))
        for column in self.columns:
            column.prepare()
        self._column_tasks = [
            asyncio.create_task(column.ask(text, blocks, chips, recorder))
            for column, recorder in zip(self.columns, recorders, strict=True)
        ]
        self._stream_task = asyncio.create_task(self._columns_end(self._column_tasks))

    async def _columns_end(self, tasks: list[asyncio.Task[None]]) -> None:
        try:
            await asyncio.wait(tasks)
        finally:
            self.streaming = False
            self._stream_task = None
            self.changed()

    def cancel_stream(self) -> bool:
        """Escape: every column's reply stops (each keeps what arrived)."""
        if not self.streaming:
            return False
        for column, task in zip(self.columns, self._column_tasks, strict=True):
            column.cancel(task)
        return True

    async def retry(self) -> None:
        raise LlxprtError("/retry is for a normal tab: here, send the prompt again.")
