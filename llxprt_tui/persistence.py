"""Persistence: the app's conversations in the session store (llxprt_runtime/store/).

The store is opened after the first frame, off the event loop. A tab gets a session when it
first says something worth keeping (a prompt, /system, /rename), so tabs opened and closed
empty leave nothing behind. What a session holds: the conversation, the prompt history
(secret lines never enter it), the system prompt, and the runtime as a profile-v1 snapshot,
which never holds a secret (runtime/profile_snapshot.py leaves keys and credential headers out): a
keyring name, a keyfile path or an environment variable is kept as the key's *source*; a
typed key is not kept at all, and the restored tab says so.

The open tabs are marked with their position and this process's identity; a clean exit lets
go of them (release_open_tabs), and the next start claims the ones no live process holds.
A store that cannot open or write is said once; chatting goes on without it. A database
found damaged while in use is moved aside by the store, which starts a new one
(store/service.py); every tab's and compare column's conversation, as it is in memory, is
written into the new one (one streaming then, once its reply ends), and the notice is said
once. A session another llxprt deletes meanwhile is written again, whole, the same way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Coroutine, Sequence
from functools import partial
from typing import TYPE_CHECKING, Final, TypeVar

from llxprt_runtime.errors import LlxprtError

if TYPE_CHECKING:
    from llxprt_runtime.api import (
        ConversationTree,
        MessageNode,
        RuntimeServices,
        SessionRecord,
        SessionRecorder,
        SessionStore,
    )
    from llxprt_tui.app import LlxprtApp
    from llxprt_tui.chat.compare_column import CompareColumn
    from llxprt_tui.chat.tab import ChatTab

T = TypeVar("T")

_log = logging.getLogger(__name__)

RESTORE_SETTING: Final = "restore-tabs"  # in tui.toml
TYPED_KEY_NOTICE: Final = "The key typed in this tab was not saved: f2 to enter it again."
NOT_SAVED: Final = "Conversations are not being saved"
SESSION_GONE: Final = (
    "This conversation was deleted from the saved sessions (by another llxprt); "
    "it is saved again, whole, as a new session."
)
HISTORY_KEPT: Final = 200  # prompt-history entries stored per session
TYPED: Final = "typed"  # key_source of a key typed into the tab (never stored itself)


class Persistence:
    def __init__(self, app: LlxprtApp, *, restore: bool) -> None:
        self.app = app
        self.restore = restore
        self.store: SessionStore | None = None
        self.problem: str | None = None
        self.started = False  # opened (or failed to) and restored
        self._opened = asyncio.Event()
        self._said_problem = False
        self._creating = asyncio.Lock()
        self._closed = False
        self._turns: set[asyncio.Task[object]] = set()
        # What each session last got of its tab's fields: a save that would change nothing
        # (a tab redrawn, a restored tab) writes nothing and leaves its last activity alone.
        self._saved: dict[str, dict[str, object]] = {}
        # Sessions restored from a tab whose key was typed, with no key given since: they stay
        # "typed" (so the next start says so again), not the "none" their restored runtime has.
        self._typed_missing: set[str] = set()
        # Tabs to write again into a new database (the old one was found damaged), each with
        # the stream that was going then (its turn's recorder writes nothing: written when
        # it ends), and whether its key was typed.
        self._rewrite: dict[ChatTab, tuple[asyncio.Task[None] | None, bool]] = {}
        self._restoring: set[ChatTab] = set()
        # Compare columns whose session was deleted or lost with a damaged database: written
        # again, whole, into a new session once their turn ends (or as their next one starts).
        self._columns_to_write: set[CompareColumn] = set()

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self, first: ChatTab, first_is_fresh: bool) -> None:
        """Open the store (after the first frame), then bring back the tabs left open."""
        from llxprt_runtime.api import SessionStore, StoreUnavailableError

        try:
            try:
                store = await SessionStore.open()
            except StoreUnavailableError as exc:
                await self.report(first, str(exc))
                return
            if self._closed:  # the app quit while the store was opening
                await store.close()
                return
            self.store = store
            store.on_replaced = self._replaced
            self._opened.set()
            if store.notice:
                await first.notice(store.notice)
            if self.restore:
                records = await self._write(first, store.claim_open_tabs())
                await self._restore(first, first_is_fresh, records or [], store.generation)
        finally:
            self._opened.set()  # a turn waiting for the store goes on, with or without it
            self.started = True

    async def ready(self) -> SessionStore | None:
        await self._opened.wait()
        return self.store

    async def close(self) -> None:
        """At exit: let the last writes of ending replies land, let go of the open tabs (the
        next start restores them), close the database."""
        from llxprt_runtime.api import StoreUnavailableError

        self._closed = True
        pending = [t for t in self._turns if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=5.0)
        store, self.store = self.store, None
        if store is None:
            return
        # If it cannot: a later start treats them as a gone process's tabs all the same.
        with contextlib.suppress(StoreUnavailableError):
            await store.release_open_tabs()
        await store.close()

    def later(self, write: Coroutine[object, object, object]) -> None:
        """Run a store write from sync code; close() waits for it."""
        self._track(asyncio.create_task(write))

    def _track(self, task: asyncio.Task[object]) -> None:
        self._turns.add(task)
        task.add_done_callback(self._turns.discard)

    async def report(self, tab: ChatTab | None, reason: str) -> None:
        """Say once that conversations are not being saved, and why."""
        self.problem = reason
        if self._said_problem:
            return
        self._said_problem = True
        target = tab or self.app.active_tab()
        message = f"{NOT_SAVED}: {reason}. Chatting goes on; nothing new is stored."
        if target is not None and target.is_attached:
            await target.error(message)

    async def _write(self, tab: ChatTab | None, write: Awaitable[T]) -> T | None:
        from llxprt_runtime.api import StoreReplacedError, StoreUnavailableError

        try:
            return await write
        except StoreReplacedError:  # said once, and the tabs are written again (_replaced)
            return None
        except StoreUnavailableError as exc:
            await self.report(tab, str(exc))
            return None

    # --- a tab's session ----------------------------------------------------------------------

    async def session_for(self, tab: ChatTab) -> str | None:
        """The tab's session, created the first time it is needed (None: no store, or a tab
        that is not kept: a compare tab)."""
        store = await self.ready()
        if store is None or not tab.kept:
            return None
        async with self._creating:  # a /system and a prompt at once make one session
            if tab in self._rewrite:
                stream, _typed = self._rewrite[tab]
                if stream is not None and not stream.done():
                    return None  # written into the new database when that reply ends
                await self._rewrite_locked(tab)
            if tab.session_id is None:
                fields = self.fields(tab)
                record = await self._write(tab, store.create_session(**fields))
                if record is None:
                    return None
                tab.session_id = record.id
                self._saved[record.id] = fields
                await self.sync_positions()
        return tab.session_id

    def fields(self, tab: ChatTab) -> dict[str, object]:
        """What the session keeps of the tab besides its conversation: never a secret."""
        fields: dict[str, object] = {
            "system_prompt": tab.system_prompt,
            "prompt_history": tab.prompt.prompt_history.entries[-HISTORY_KEPT:],
        }
        if tab.has_runtime:
            snapshot, source = runtime_snapshot(tab.runtime)
            fields["runtime_snapshot"] = snapshot
            if tab.session_id in self._typed_missing:
                if source in (None, "none"):
                    source = TYPED
                else:  # a key was given since
                    self._typed_missing.discard(tab.session_id)
            fields["key_source"] = source
            fields["profile_name"] = tab.runtime.settings_service.current_profile_name
        return fields

    async def save_tab(self, tab: ChatTab, *, create: bool = False) -> None:
        """Store the tab's settings, system prompt and prompt history if they changed
        (creating its session when `create`)."""
        store = await self.ready()
        if store is None or (tab.session_id is None and not create):
            return
        session_id = await self.session_for(tab)
        if session_id is None:
            return
        fields = self.fields(tab)
        if self._saved.get(session_id) != fields:
            self._saved[session_id] = fields
            await self._write(tab, store.update_session(session_id, **fields))

    def tab_changed(self, tab: ChatTab) -> None:
        """The tab's state changed (a setting, a picker, a command): its session follows."""
        if self.store is not None and tab.session_id is not None and tab.has_runtime:
            self.later(self.save_tab(tab))

    def command_ran(self, tab: ChatTab) -> None:
        """A tab that only ran commands is kept too: its settings and prompt history come
        back with it."""
        if not self._closed and tab.has_runtime:
            self.later(self.save_tab(tab, create=True))

    async def cleared(self, tab: ChatTab) -> None:
        """/clear: the tab goes on in a new session; the old one stays in the store, closed."""
        store = await self.ready()
        old, tab.session_id = tab.session_id, None
        if store is None:
            return
        if old is not None:
            await self._write(tab, store.set_open(old, None))
        await self.save_tab(tab, create=True)

    async def rename(self, tab: ChatTab, title: str) -> None:
        session_id = await self.session_for(tab)
        store = self.store
        if session_id is not None and store is not None:
            await self._write(tab, store.rename_session(session_id, title))

    async def turn_started(self, tab: ChatTab) -> SessionRecorder | None:
        """Called as a turn's request goes out: stores the tab (settings, system prompt,
        prompt history) and returns the recorder the ChatSession writes the turn with (None:
        nothing is being saved)."""
        from llxprt_runtime.api import SessionRecorder

        await self.save_tab(tab, create=True)
        store, session_id = self.store, tab.session_id
        if store is None or session_id is None:
            return None
        task = tab.stream_task
        if task is not None:  # close() lets it finish its last write
            self._track(task)

        def problem(message: str) -> None:
            reason = message.partition(": ")[2] or message
            self.app.call_later(self.report, tab, reason)

        def gone() -> None:
            self._session_gone(tab, session_id)

        return SessionRecorder(store, session_id, on_problem=problem, on_gone=gone)

    async def column_started(
        self, column: CompareColumn, link: str | None
    ) -> SessionRecorder | None:
        """A compare column's turn begins: the recorder of its own session (made on its
        first turn, never an open tab, linked to the first column's session: each column
        is searchable and opens alone in /sessions)."""
        from llxprt_runtime.api import SessionRecorder

        store = await self.ready()
        if store is None:
            return None
        if column in self._columns_to_write:  # its earlier turns first, under their parent
            await self._write_column_again(column)
        if column.session_id is None:
            fields = self._column_fields(column, link)
            record = await self._write(None, store.create_session(**fields))
            if record is None:
                return None
            column.session_id = record.id
        session_id = column.session_id

        def problem(message: str) -> None:
            self.app.call_later(self.report, None, message.partition(": ")[2] or message)

        def gone() -> None:
            if column.session_id == session_id:
                self._column_lost(column)

        return SessionRecorder(store, session_id, on_problem=problem, on_gone=gone)

    @staticmethod
    def _column_fields(column: CompareColumn, link: str | None) -> dict[str, object]:
        snapshot, source = runtime_snapshot(column.runtime)
        return {
            "runtime_snapshot": snapshot,
            "key_source": source,
            "profile_name": column.runtime.settings_service.current_profile_name,
            "parent_session_id": link,
        }

    def _column_lost(self, column: CompareColumn) -> None:
        """The column's session is gone (deleted elsewhere, or its database replaced): its
        stored ids are forgotten and it is written whole into a new session once the turn
        going now ends (its recorder writes no more)."""
        if self._closed or column.session_id is None or column in self._columns_to_write:
            return  # (a column with no session yet has nothing stored to lose)
        column.session_id = None
        for node in column.session.tree.nodes():
            node.stored_id = None
        self._columns_to_write.add(column)
        task = column.turn_task
        if task is not None and not task.done():
            task.add_done_callback(lambda _task: self.later(self._write_column_again(column)))
        else:
            self.later(self._write_column_again(column))

    async def _write_column_again(self, column: CompareColumn) -> None:
        """Write the lost columns of `column`'s compare tab whose turns have ended, each whole
        into a new session; the first column's before the others (they link to it)."""
        from llxprt_tui.chat.compare_tab import CompareTab

        async with self._creating:
            tab = next((a for a in column.ancestors if isinstance(a, CompareTab)), None)
            columns = tab.columns if tab is not None else (column,)
            first, waiting = columns[0], self._columns_to_write
            if first in waiting and _going(first):
                return  # the others are written once its turn ends (its callback comes)
            for each in columns:
                if each in waiting and not _going(each):
                    waiting.discard(each)
                    await self._write_column_locked(each, None if each is first else first)

    async def _write_column_locked(
        self, column: CompareColumn, first: CompareColumn | None
    ) -> None:
        store = self.store
        if store is None or self._closed or not column.is_attached:
            return
        link = first.session_id if first is not None else None
        record = await self._write(None, store.create_session(**self._column_fields(column, link)))
        if record is None:
            return
        column.session_id = record.id
        await self._store_tree(None, store, record.id, column.session.tree)

    async def sync_positions(self) -> None:
        """Mark every tab that has a session as open at its position."""
        store = self.store
        if store is None:
            return
        for position, tab in enumerate(self.app.chat_tabs()):
            if tab.session_id is not None:
                await self._write(tab, store.set_open(tab.session_id, position))

    async def branch_shown(self, tab: ChatTab) -> None:
        """Another branch of the tab's conversation is on screen: a restart shows it."""
        store, last = self.store, tab.session.tree.last
        if store is not None and tab.session_id is not None and last is not None:
            write = store.update_session(tab.session_id, head_message_id=last.stored_id)
            await self._write(tab, write)

    async def record_fork(
        self, tab: ChatTab, source_session: str | None, at: MessageNode | None
    ) -> None:
        """A fork's session: where it came from (the source's session and message) and its
        own copy of the conversation up to there, so it branches on its own."""
        store = await self.ready()
        if store is None:
            return
        fields = self.fields(tab)
        fields["parent_session_id"] = source_session
        fields["parent_message_id"] = at.stored_id if at is not None else None
        async with self._creating:
            record = await self._write(tab, store.create_session(**fields))
            if record is None:
                return
            tab.session_id = record.id
        first = True
        for node in tab.session.tree.path():  # each after the last written (the head)
            node.stored_id = await self._store_node(tab, store, record.id, node, at_start=first)
            first = False
        await self.sync_positions()

    async def _store_node(
        self,
        tab: ChatTab | None,
        store: SessionStore,
        session_id: str,
        node: MessageNode,
        *,
        at_start: bool,
        parent_id: int | None = None,
    ) -> int | None:
        """Write one message of the tab's tree (with its state and timings); its stored id."""
        return await self._write(
            tab,
            store.add_message(
                session_id,
                node.content,
                state=node.state,
                parent_id=parent_id,
                at_start=at_start,
                first_token_ms=_ms(node.first_token_seconds),
                duration_ms=_ms(node.duration_seconds),
            ),
        )

    async def _say_forked_from(self, tab: ChatTab, store: SessionStore, parent: str) -> None:
        title = await self._write(tab, _parent_title(store, parent))
        if title is not None:
            await tab.notice(f"Forked from the session “{title}”.")

    async def tab_closed(self, tab: ChatTab) -> None:
        """The session stays in the store, closed; one with nothing said in it (a tab that
        only ran commands) goes."""
        store = self.store
        if store is None or tab.session_id is None:
            return
        try:
            record = await self._write(None, store.get_session(tab.session_id))
        except KeyError:  # deleted meanwhile (by another llxprt)
            record = None
        if record is not None and record.message_count == 0 and not record.titled_by_user:
            await self._write(None, store.delete_session(record.id))
        else:
            await self._write(None, store.set_open(tab.session_id, None))
        self._saved.pop(tab.session_id, None)
        await self.sync_positions()

    # --- a damaged database replaced ---------------------------------------------------------

    def _replaced(self, notice: str) -> None:
        """The store found its database damaged, moved it aside and started a new one (on
        the event loop, before the failed call returns): the ids the tabs hold are the old
        database's, so they are forgotten now and every tab is written into the new one."""
        from llxprt_tui.chat.compare_column import CompareColumn

        if self._closed:  # quitting: nothing more is written
            return
        for tab in self.app.chat_tabs():
            if tab.session_id is not None and tab not in self._restoring:
                self._write_again(tab)
        for column in self.app.query(CompareColumn):
            self._column_lost(column)
        self._saved.clear()
        self._typed_missing.clear()
        self.app.call_later(self._say_replaced, notice)

    def _write_again(self, tab: ChatTab) -> None:
        """Forget the tab's stored ids and write it whole into a new session: now, or when
        the reply streaming in it ends (its recorder writes to the old one)."""
        task = tab.stream_task if tab.session.streaming else None
        self._rewrite[tab] = (task, tab.session_id in self._typed_missing)
        tab.session_id = None
        for node in tab.session.tree.nodes():
            node.stored_id = None
        if task is not None:
            task.add_done_callback(partial(self._stream_ended, tab))
        else:
            self.later(self._rewrite_tab(tab))

    def _session_gone(self, tab: ChatTab, session_id: str) -> None:
        """The tab's session was deleted meanwhile (by another llxprt): the tab goes on, and
        what it shows is saved again, whole, as a new session."""
        if self._closed or tab.session_id != session_id or tab in self._rewrite:
            return
        self._saved.pop(session_id, None)
        self._write_again(tab)
        self._typed_missing.discard(session_id)
        self.app.call_later(tab.notice, SESSION_GONE)

    def _stream_ended(self, tab: ChatTab, _task: asyncio.Task[None]) -> None:
        self.later(self._rewrite_tab(tab))

    async def _say_replaced(self, notice: str) -> None:
        tab = self.app.active_tab()
        if tab is not None and tab.is_attached:
            await tab.notice(notice)

    async def _rewrite_tab(self, tab: ChatTab) -> None:
        async with self._creating:
            await self._rewrite_locked(tab)
        await self.sync_positions()

    async def _rewrite_locked(self, tab: ChatTab) -> None:
        """Write `tab` (settings, history, every branch of its conversation) into the new
        database; a turn going out now is left to its own recorder."""
        entry = self._rewrite.pop(tab, None)
        store = self.store
        if entry is None or store is None or tab.closing or not tab.is_attached:
            return
        fields = self.fields(tab)
        if tab.named_by_user:  # the old session's title was the user's: the new one keeps it
            fields.update(title=tab.tab_name, titled_by_user=True)
        if entry[1] and fields.get("key_source") in (None, "none"):
            fields["key_source"] = TYPED
        record = await self._write(tab, store.create_session(**fields))
        if record is None:
            return
        tab.session_id = record.id
        if fields.get("key_source") == TYPED:
            self._typed_missing.add(record.id)
        turn = tab.session.last_turn
        going = turn.prompt_node if tab.session.streaming and turn is not None else None
        await self._store_tree(tab, store, record.id, tab.session.tree, going=going)
        self._saved[record.id] = self.fields(tab)

    async def _store_tree(
        self,
        tab: ChatTab | None,
        store: SessionStore,
        session_id: str,
        tree: ConversationTree,
        *,
        going: MessageNode | None = None,
    ) -> None:
        """Write every branch of a conversation into the new session `session_id`, but the
        turn `going` out now (left to its own recorder)."""
        for node in tree.nodes():  # parents before children
            parent = tree.parent_of(node)
            if node is going or (parent is not None and parent.stored_id is None):
                continue
            node.stored_id = await self._store_node(
                tab,
                store,
                session_id,
                node,
                parent_id=parent.stored_id if parent is not None else None,
                at_start=parent is None,
            )
        last = tree.last
        if last is not None and last.stored_id is not None:
            await self._write(tab, store.update_session(session_id, head_message_id=last.stored_id))

    # --- restoring ----------------------------------------------------------------------------

    async def _restore(
        self,
        first: ChatTab,
        first_is_fresh: bool,
        records: Sequence[SessionRecord],
        generation: int,
    ) -> None:
        if not records:
            return
        start = 0
        if first_is_fresh and first.session_id is None and not first.session.history:
            await self.restore_into(first, records[0], generation)
            start = 1
        for record in records[start:]:
            tab = await self.app.open_tab(activate=False)
            await self.restore_into(tab, record, generation)
        await self.sync_positions()

    async def open_session(self, session_id: str, message_id: int | None = None) -> None:
        """The sessions screen's enter: switch to the tab that has it, else open a tab. With
        `message_id` (the search's enter), that message is scrolled to and selected."""
        for tab in self.app.chat_tabs():
            if tab.session_id == session_id:
                # After the screen has gone: closing it gives the focus back to the prompt
                # of the tab it was opened from, which would show that tab again.
                self.app.call_after_refresh(self._show_tab, tab, message_id)
                return
        store = self.store
        if store is None:
            return
        generation = store.generation
        record = await self._write(None, store.get_session(session_id))
        if record is None:
            return
        tab = await self.app.open_tab(activate=message_id is None)
        await self.restore_into(tab, record, generation)
        await self.sync_positions()
        if message_id is not None:
            self.app.call_after_refresh(self._show_tab, tab, message_id)

    def _show_tab(self, tab: ChatTab, message_id: int | None) -> None:
        if message_id is not None and tab is self.app.active_tab():
            self.app.call_later(self.show_message, tab, message_id)
            return
        # Shown, the tab selects the message instead of focusing its prompt (app.py).
        tab.message_to_show = message_id
        self.app.switch_tab(self.app.chat_tabs().index(tab) + 1)

    async def show_message(self, tab: ChatTab, message_id: int) -> None:
        """Select the stored message in `tab` (scrolled to, focused)."""
        if not await tab.transcript.show_message(message_id):
            await tab.notice("That message is on another branch of this conversation.")

    async def restore_into(self, tab: ChatTab, record: SessionRecord, generation: int) -> None:
        """Give `tab` the session's name, settings, system prompt, history and conversation
        (rendered when the tab is first shown, newest messages first). `generation`: the
        store's when `record` was read."""
        from llxprt_tui.chat.prompt import PromptHistory

        runtime = await tab.ready()
        store = self.store
        self._restoring.add(tab)  # a database replaced meanwhile: this tab is rewritten below
        try:
            if record.key_source == TYPED:
                self._typed_missing.add(record.id)
            tab.session_id = record.id
            tab.system_prompt = record.system_prompt
            if record.titled_by_user and record.title:
                tab.tab_name, tab.named_by_user = record.title, True
            history = list(record.prompt_history)
            tab.prompt.prompt_history = PromptHistory(history, position=len(history))
            problem = await _apply_snapshot(runtime, record)
            from llxprt_runtime.api import ConversationTree

            messages = await self._write(tab, store.tree(record.id)) if store else None
            head = record.head_message_id
            await tab.restore_conversation(ConversationTree.from_stored(messages or [], head))
        finally:
            self._restoring.discard(tab)
        if store is not None and store.generation != generation:
            # The database was found damaged meanwhile: the record was the old one's.
            self._rewrite[tab] = (None, record.key_source == TYPED)
            tab.session_id = None
            for node in tab.session.tree.nodes():
                node.stored_id = None
            self.later(self._rewrite_tab(tab))
        if problem:
            await tab.error(problem)
        if record.key_source == TYPED:
            await tab.notice(TYPED_KEY_NOTICE)
        if record.parent_session_id is not None and store is not None:
            await self._say_forked_from(tab, store, record.parent_session_id)
        self._saved[record.id] = self.fields(tab)  # as stored: nothing to write back
        tab.changed()


def _going(column: CompareColumn) -> bool:
    return column.turn_task is not None and not column.turn_task.done()


async def _parent_title(store: SessionStore, session_id: str) -> str | None:
    try:
        return (await store.get_session(session_id)).title or "untitled"
    except KeyError:  # deleted since: the fork goes on alone
        return None


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000.0


def runtime_snapshot(runtime: RuntimeServices) -> tuple[str | None, str | None]:
    """The runtime as profile-v1 JSON with no secret in it, and where its key comes from
    (`typed` for a key held only in memory: never the key)."""
    from llxprt_runtime.api import build_runtime_profile_snapshot

    settings = runtime.settings_service
    provider = settings.active_provider
    if not provider:
        return None, None
    try:
        if runtime.provider_manager.active_load_balancer() is not None:
            from llxprt_runtime.api import build_load_balancer_snapshot

            snapshot = build_load_balancer_snapshot(runtime).to_json()
        else:
            snapshot = build_runtime_profile_snapshot(runtime=runtime).to_json()
    except LlxprtError:
        _log.debug("no snapshot of the runtime", exc_info=True)
        return None, None
    from llxprt_runtime.api import key_source

    source = key_source(runtime, provider)
    if source == "runtime-only":
        source = TYPED
    return snapshot, source


async def _apply_snapshot(runtime: RuntimeServices, record: SessionRecord) -> str | None:
    """Apply the stored settings; a problem (a keyring key since deleted) is returned to be
    said, and the conversation is restored all the same."""
    from llxprt_runtime.api import apply_profile_snapshot, parse_profile_text

    if not record.runtime_snapshot:
        return None
    try:
        profile = parse_profile_text(record.profile_name or "(session)", record.runtime_snapshot)
        await apply_profile_snapshot(profile, profile_name=record.profile_name, runtime=runtime)
    except LlxprtError as exc:
        return f"This tab's settings could not be restored: {exc}"
    return None
