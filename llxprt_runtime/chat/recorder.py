"""SessionRecorder: writes a ChatSession's turns to the session store as they happen.

The prompt is written when it is sent, after the message it follows (the tree of branches
is the store's too); the reply as it streams, at most once per `interval` seconds and once
at its end, after its prompt; a reply that fails before any output is taken back out with
its prompt (the prompt returns to the user to edit), and the session's head goes back to the
branch shown before. A store that cannot write is reported once through `on_problem` and
chatting goes on without it; so is a session deleted meanwhile (by another llxprt), through
`on_gone`. Once the store has replaced a damaged database, the recorder writes nothing more
(its ids are the old database's): the app writes the conversation into the new one
(llxprt_tui/persistence.py)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from llxprt_runtime.providers.content import IContent
from llxprt_runtime.store.records import MessageState, SessionGoneError
from llxprt_runtime.store.service import (
    SessionStore,
    StoreReplacedError,
    StoreUnavailableError,
)

T = TypeVar("T")


class SessionRecorder:
    def __init__(
        self,
        store: SessionStore,
        session_id: str,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        on_problem: Callable[[str], None] | None = None,
        on_gone: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.session_id = session_id
        self.interval = interval
        self._clock = clock
        self._on_problem = on_problem
        self._on_gone = on_gone
        self.problem: str | None = None
        self.gone = False  # the session was deleted meanwhile
        self._prompt_id: int | None = None
        self._reply_id: int | None = None
        self._wrote_prompt = False  # this turn wrote its prompt (a retry's was already there)
        self._last_write = 0.0
        self._generation = store.generation

    async def prompt(self, content: IContent, *, parent_id: int | None, first: bool) -> int | None:
        """Write a new prompt after `parent_id` (`first`: it starts the conversation); its
        stored id."""
        self._prompt_id = self._reply_id = None
        self._wrote_prompt = True
        write = self.store.add_message(
            self.session_id, content, parent_id=parent_id, at_start=first
        )
        self._prompt_id = await self._write(write)
        return self._prompt_id

    def reply_to(self, prompt_id: int | None) -> None:
        """A retry: the reply follows a prompt already stored."""
        self._prompt_id, self._reply_id, self._wrote_prompt = prompt_id, None, False

    async def show(self, message_id: int | None) -> None:
        """The branch on screen now ends at `message_id` (a restart shows it)."""
        await self._write(self.store.update_session(self.session_id, head_message_id=message_id))

    def due(self) -> bool:
        """Whether the reply so far should be written now (at most once per `interval`)."""
        return self._reply_id is None or self._clock() - self._last_write >= self.interval

    async def progress(self, partial: IContent) -> None:
        """The reply so far (call when `due()`)."""
        self._last_write = self._clock()
        if self._reply_id is None:
            self._reply_id = await self._write(
                self.store.add_message(
                    self.session_id, partial, state="streaming", parent_id=self._prompt_id
                )
            )
        else:
            await self._write(self.store.update_message(self._reply_id, partial, state="streaming"))

    async def ended(
        self,
        reply: IContent | None,
        state: MessageState,
        *,
        first_token_seconds: float | None = None,
        duration_seconds: float | None = None,
    ) -> int | None:
        """The turn is over: the reply's final form (its stored id is returned), or (no
        reply) the prompt taken back when it failed."""
        first_ms, duration_ms = _ms(first_token_seconds), _ms(duration_seconds)
        taken_back = self._prompt_id if state == "failed" and self._wrote_prompt else None
        if reply is None:
            for message_id in (self._reply_id, taken_back):
                if message_id is not None:
                    await self._write(self.store.delete_message(message_id))
            self._reply_id = None
        elif self._reply_id is None:
            self._reply_id = await self._write(
                self.store.add_message(
                    self.session_id,
                    reply,
                    state=state,
                    parent_id=self._prompt_id,
                    first_token_ms=first_ms,
                    duration_ms=duration_ms,
                )
            )
        else:
            await self._write(
                self.store.update_message(
                    self._reply_id,
                    reply,
                    state=state,
                    first_token_ms=first_ms,
                    duration_ms=duration_ms,
                )
            )
        reply_id, self._prompt_id, self._reply_id = self._reply_id, None, None
        return reply_id

    async def _write(self, write: Awaitable[T]) -> T | None:
        if self.problem is not None or self.gone or self.store.generation != self._generation:
            # Said once; later writes are skipped so a full disk costs nothing per token.
            _close(write)
            return None
        try:
            return await write
        except StoreReplacedError:  # the store has said so (on_replaced)
            return None
        except SessionGoneError:
            self.gone = True
            if self._on_gone is not None:
                self._on_gone()
            return None
        except StoreUnavailableError as exc:
            self.problem = f"Conversations are not being saved: {exc}"
            if self._on_problem is not None:
                self._on_problem(self.problem)
            return None


def _close(write: Awaitable[object]) -> None:
    close = getattr(write, "close", None)
    if close is not None:
        close()  # an un-awaited coroutine: closed so Python does not warn about it


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000.0
