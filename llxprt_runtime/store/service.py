"""SessionStore: the session database for async code.

One dedicated worker thread owns the sqlite3 connection and runs every call in order, so the
event loop never blocks on SQLite and writes never interleave. Stdlib `sqlite3` in our own
thread rather than aiosqlite: aiosqlite is the same design (a thread per connection) plus a
dependency, and owning the thread lets `close()` drain pending writes before exit.

A store that cannot write (full disk, read-only dir) raises StoreUnavailableError with the
reason; the app says so once and chatting goes on. A query that finds the file damaged (opening
reads only its header and schema) moves it aside and starts a new database: that call and any
queued behind it raise StoreReplacedError, and `on_replaced` hears the notice once, so the app
can write what it holds in memory into the new one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from llxprt_runtime import paths
from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.store.database import DATABASE_NAME, SessionDatabase, is_corruption
from llxprt_runtime.store.records import (
    MessageRecord,
    MessageState,
    SearchResult,
    SessionRecord,
    SessionSummary,
)
from llxprt_runtime.store.schema import SchemaTooNewError

T = TypeVar("T")


class StoreUnavailableError(LlxprtError):
    """The session database cannot be opened or written; the reason is in the message."""


class StoreReplacedError(StoreUnavailableError):
    """The database was found damaged and a new one started (the message is the notice): the
    call was not made, and ids of the old database mean nothing in the new one."""


def database_path() -> Path:
    """`<data dir>/sessions.db` ($LLXPRT_DATA_HOME, else ~/.local/share/llxprt-code)."""
    return paths.data_dir() / DATABASE_NAME


def process_identity(pid: int | None = None) -> str:
    """`pid:start-time`: tells a live owner from a later process that reused its pid."""
    pid = os.getpid() if pid is None else pid
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        start = stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        start = "?"
    return f"{pid}:{start}"


def identity_alive(identity: str) -> bool:
    pid_text, _, _ = identity.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return process_identity(pid) == identity


class SessionStore:
    def __init__(
        self,
        database: SessionDatabase,
        notice: str | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._database = database
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llxprt-store")
        self.notice = notice
        self.owner = process_identity()
        self._clock = clock
        # Bumped each time a damaged database is replaced: a call made before that, or a
        # recorder made before it (chat/recorder.py), holds ids that mean nothing now.
        self.generation = 0
        self.on_replaced: Callable[[str], None] | None = None  # called on the event loop
        self._broken: str | None = None  # no database at all (starting over failed)

    @classmethod
    async def open(
        cls, path: Path | None = None, *, clock: Callable[[], float] = time.time
    ) -> SessionStore:
        """Open the store off the event loop; StoreUnavailableError says why it cannot."""
        target = path or database_path()
        try:
            opened = await asyncio.to_thread(SessionDatabase.open, target, clock=clock)
        except (OSError, sqlite3.Error, SchemaTooNewError) as exc:
            raise StoreUnavailableError(f"cannot open {target}: {_reason(exc)}") from exc
        return cls(opened.database, opened.notice, clock=clock)

    @property
    def path(self) -> Path:
        return self._database.path

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        generation = self.generation
        started_over: list[str] = []

        def call() -> T:  # on the worker thread
            if self._broken is not None:
                raise StoreUnavailableError(self._broken)
            if self.generation != generation:  # queued before the database was replaced
                raise StoreReplacedError("the session database was replaced")
            try:
                return fn(*args, **kwargs)
            except sqlite3.DatabaseError as exc:
                if not is_corruption(exc):
                    raise
                notice = self._start_over(exc)
                started_over.append(notice)
                raise StoreReplacedError(notice) from exc

        try:
            return await loop.run_in_executor(self._executor, call)
        except StoreReplacedError:
            if started_over and self.on_replaced is not None:
                self.on_replaced(started_over[0])
            raise
        except sqlite3.Error as exc:
            raise StoreUnavailableError(_reason(exc)) from exc
        except OSError as exc:
            raise StoreUnavailableError(_reason(exc)) from exc

    def _start_over(self, problem: sqlite3.DatabaseError) -> str:
        """On the worker thread: the damaged database aside, a new one in its place."""
        path = self._database.path
        with contextlib.suppress(sqlite3.Error):
            self._database.close()
        self.generation += 1
        try:
            opened = SessionDatabase.start_over(path, problem, clock=self._clock)
        except (OSError, sqlite3.Error) as exc:
            self._broken = f"cannot start a new {path}: {_reason(exc)}"
            raise StoreUnavailableError(self._broken) from exc
        self._database = opened.database
        return opened.notice or ""

    async def close(self) -> None:
        """Finish every pending write, then close the connection."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, lambda: self._database.close())
        self._executor.shutdown(wait=True)

    # --- sessions ---------------------------------------------------------------------------

    async def create_session(self, **fields: Any) -> SessionRecord:
        return await self._run(self._database.create_session, **fields)

    async def update_session(self, session_id: str, **fields: Any) -> None:
        await self._run(self._database.update_session, session_id, **fields)

    async def rename_session(self, session_id: str, title: str) -> None:
        await self._run(self._database.rename_session, session_id, title)

    async def get_session(self, session_id: str) -> SessionRecord:
        return await self._run(self._database.get_session, session_id)

    async def list_sessions(
        self, text: str = "", limit: int = 1000, *, include_empty: bool = False
    ) -> list[SessionSummary]:
        return await self._run(
            self._database.list_sessions, text, limit, include_empty=include_empty
        )

    async def delete_session(self, session_id: str) -> None:
        await self._run(self._database.delete_session, session_id)

    async def claim_open_tabs(self) -> list[SessionRecord]:
        """The tabs a finished llxprt left open, now this process's to restore."""
        return await self._run(self._database.claim_open_tabs, self.owner, identity_alive)

    async def set_open(self, session_id: str, position: int | None) -> None:
        await self._run(self._database.set_open, session_id, self.owner, position)

    async def release_open_tabs(self) -> None:
        """On a clean exit: this process's open tabs wait, unowned, for the next start."""
        await self._run(self._database.release_open_tabs, self.owner)

    # --- messages ---------------------------------------------------------------------------

    async def add_message(
        self,
        session_id: str,
        content: IContent,
        *,
        state: MessageState = "complete",
        parent_id: int | None = None,
        at_start: bool = False,
        first_token_ms: float | None = None,
        duration_ms: float | None = None,
    ) -> int:
        return await self._run(
            self._database.add_message,
            session_id,
            content,
            state=state,
            parent_id=parent_id,
            at_start=at_start,
            first_token_ms=first_token_ms,
            duration_ms=duration_ms,
        )

    async def update_message(
        self,
        message_id: int,
        content: IContent,
        *,
        state: MessageState,
        first_token_ms: float | None = None,
        duration_ms: float | None = None,
    ) -> None:
        await self._run(
            self._database.update_message,
            message_id,
            content,
            state=state,
            first_token_ms=first_token_ms,
            duration_ms=duration_ms,
        )

    async def delete_message(self, message_id: int) -> None:
        await self._run(self._database.delete_message, message_id)

    async def branch(self, session_id: str, message_id: int | None = None) -> list[MessageRecord]:
        return await self._run(self._database.branch, session_id, message_id)

    async def tree(self, session_id: str) -> list[MessageRecord]:
        """Every branch of the session (see SessionDatabase.tree)."""
        return await self._run(self._database.tree, session_id)

    async def children(self, message_id: int) -> list[int]:
        return await self._run(self._database.children, message_id)

    async def search(self, text: str, limit: int = 50) -> SearchResult:
        """See SessionDatabase.search; SearchQueryError for a bad filter."""
        return await self._run(self._database.search, text, limit)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__
