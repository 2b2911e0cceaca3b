"""SessionsScreen: every stored conversation, newest first, filtered as you type.

enter opens the highlighted session (the app switches to its tab when it is open), r renames,
d deletes (after asking; the rows leave the database and its search index), e exports it as
Markdown or IContent JSON. The list has the focus; any other printable key goes to the
filter. The store is only reached through its worker thread, so the screen never waits.

Given the project's directory, it also lists llxprt-code's recorded sessions of that directory
(read in a worker thread, never written), marked `llxprt-code`; enter imports one into a new
session that goes on here, and says how many malformed lines were skipped."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from llxprt_runtime.api import (
    RecordedSession,
    RecordedSessionError,
    SessionStore,
    SessionSummary,
    conversation_json,
    conversation_markdown,
    import_recorded_session,
    list_recorded_sessions,
    read_recorded_session,
    visible_controls,
    write_new_text,
)
from llxprt_runtime.errors import LlxprtError
from llxprt_tui.screens.confirm import ConfirmScreen
from llxprt_tui.screens.list_dialog import ListDialog
from llxprt_tui.screens.name_prompt import NamePromptScreen

HINTS = "enter open · r rename · d delete · e export · type to filter · esc close"
LIST_LIMIT = 2000  # the filter reaches the rest
WHERE_WIDTH = 26


def when(timestamp: float) -> str:
    """Local date and time of a session's last activity."""
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


class SessionsScreen(ListDialog[str | None]):
    """Returns the id of the session to open, or None."""

    DEFAULT_CSS = """
    SessionsScreen #sessions-status { color: $text-success; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="sessions-close"),
        Binding("r", "rename", "Rename", id="sessions-rename", show=False),
        Binding("d,delete", "delete", "Delete", id="sessions-delete", show=False),
        Binding("e", "export", "Export", id="sessions-export", show=False),
        Binding("slash", "filter", "Filter", id="sessions-filter", show=False),
    ]

    def __init__(
        self,
        store: SessionStore,
        open_sessions: Callable[[], set[str]],
        *,
        on_renamed: Callable[[str, str], None] | None = None,
        export_dir: Path | None = None,
        project_root: Path | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.open_sessions = open_sessions
        self.on_renamed = on_renamed
        self.export_dir = export_dir or Path.cwd()
        self.sessions: list[SessionSummary] = []
        self.project_root = project_root  # whose llxprt-code sessions are listed; None: none
        self.recorded: list[RecordedSession] = []
        # What the app says in the tab of a session just imported (lines skipped).
        self.import_notes: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Sessions", classes="title")
            # Not select_on_focus: the first key typed on the list moves the focus here, and
            # selecting it would let the second key replace it.
            yield Input(
                placeholder="Type to filter by title, provider or model",
                id="sessions-filter",
                select_on_focus=False,
            )
            yield OptionList(id="sessions-list")
            yield Static("", id="sessions-status", classes="status", markup=False)
            yield Static(HINTS, classes="hints", markup=False)

    def on_mount(self) -> None:
        self.options.focus()
        self.reload()

    @property
    def options(self) -> OptionList:
        return self.query_one("#sessions-list", OptionList)

    @property
    def filter_text(self) -> str:
        return self.query_one("#sessions-filter", Input).value

    # --- the list -----------------------------------------------------------------------------

    @work(exclusive=True, group="sessions-load")
    async def reload(self, select: str | None = None) -> None:
        """List the sessions matching the filter (the latest request wins)."""
        try:
            sessions = await self.store.list_sessions(self.filter_text, LIST_LIMIT)
        except LlxprtError as exc:
            self.report(f"Could not read the sessions: {exc}", error=True)
            return
        recorded = await self._recorded(self.filter_text)
        keep = select or self.selected_id()
        self.sessions = sessions
        self.recorded = recorded
        open_now = self.open_sessions()
        options = self.options
        options.clear_options()
        options.add_options(Option(self._row(s, s.id in open_now), id=s.id) for s in sessions)
        options.add_options(
            Option(self._recorded_row(r), id=f"llxprt-code:{r.path}") for r in recorded
        )
        ids = [s.id for s in sessions]
        if ids or recorded:
            options.highlighted = ids.index(keep) if keep in ids else 0
        if recorded and not sessions:
            self.report(f"{len(recorded)} llxprt-code session{'s' if len(recorded) != 1 else ''}")
        elif not sessions:
            self.report(
                "No sessions match the filter."
                if self.filter_text.strip()
                else "No saved sessions yet: every conversation is kept here as you chat."
            )
        else:
            self.report(f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}")

    def _row(self, session: SessionSummary, is_open: bool) -> Content:
        # The title takes what the other columns leave of the dialog's width; its border,
        # padding, the list's border and a scrollbar take 8.
        fixed = 2 + 2 + WHERE_WIDTH + 2 + 16 + 2 + 8  # marker, columns and gaps
        width = max(16, self.dialog_width() - 8 - fixed)
        # Stored as they came: a prompt's first line, a model id a server listed.
        where = visible_controls(
            f"{session.provider}:{session.model}" if session.provider else "no provider"
        )
        title = visible_controls(" ".join((session.title or "untitled").split()))
        if len(title) > width:
            title = title[: width - 1] + "…"
        if len(where) > WHERE_WIDTH:
            where = where[: WHERE_WIDTH - 1] + "…"
        return Content.assemble(
            ("● " if is_open else "  ", "bold $text-success"),
            (f"{title:{width}}", ""),
            (f"  {where:{WHERE_WIDTH}}", "$text-muted"),
            (f"  {when(session.updated_at)}", "$text-muted"),
            (f"  {session.message_count:>4} msg", "$text-muted"),
        )

    async def _recorded(self, text: str) -> list[RecordedSession]:
        if self.project_root is None:
            return []
        found = await asyncio.to_thread(list_recorded_sessions, self.project_root)
        words = text.lower().split()
        return [r for r in found if all(w in _recorded_words(r) for w in words)]

    def _recorded_row(self, recorded: RecordedSession) -> Content:
        # As a stored session's row, the last column saying where it comes from instead of
        # the message count (not known before the whole file is read).
        fixed = 2 + 2 + WHERE_WIDTH + 2 + 16 + 2 + 11
        width = max(16, self.dialog_width() - 8 - fixed)
        title = visible_controls(" ".join(recorded.title.split()))
        if len(title) > width:
            title = title[: width - 1] + "…"
        where = visible_controls(f"{recorded.provider or '?'}:{recorded.model or '?'}")
        if len(where) > WHERE_WIDTH:
            where = where[: WHERE_WIDTH - 1] + "…"
        return Content.assemble(
            ("  ", ""),
            (f"{title:{width}}", ""),
            (f"  {where:{WHERE_WIDTH}}", "$text-muted"),
            (f"  {_started(recorded):16}", "$text-muted"),
            ("  llxprt-code", "$text-accent"),
        )

    def selected_recorded(self) -> RecordedSession | None:
        index = self.options.highlighted
        if index is None or index < len(self.sessions):
            return None
        index -= len(self.sessions)
        return self.recorded[index] if index < len(self.recorded) else None

    def selected(self) -> SessionSummary | None:
        index = self.options.highlighted
        return self.sessions[index] if index is not None and index < len(self.sessions) else None

    def selected_id(self) -> str | None:
        session = self.selected()
        return session.id if session else None

    # --- typing filters ----------------------------------------------------------------------

    @on(Input.Changed, "#sessions-filter")
    def _filter_changed(self) -> None:
        self.reload()

    def on_key(self, event: events.Key) -> None:
        field = self.query_one("#sessions-filter", Input)
        if self.focused is self.options and event.is_printable and event.character:
            if event.character in "rde/":
                return  # the list's own keys
            field.focus()
            field.insert_text_at_cursor(event.character)
            event.stop()
        elif self.focused is field and event.key in ("down", "up"):
            self.options.focus()
            event.stop()

    def action_filter(self) -> None:
        self.query_one("#sessions-filter", Input).focus()

    @on(Input.Submitted, "#sessions-filter")
    def _filter_submitted(self) -> None:
        self._open()

    @on(OptionList.OptionSelected, "#sessions-list")
    def _chosen(self) -> None:
        self._open()

    def _open(self) -> None:
        recorded = self.selected_recorded()
        if recorded is not None:
            self._import(recorded)
            return
        session_id = self.selected_id()
        if session_id is not None:
            self.dismiss(session_id)

    @work(exclusive=True, group="sessions-import")
    async def _import(self, listed: RecordedSession) -> None:
        """Read the whole file (off the event loop), copy it into a new session, open it."""
        assert self.project_root is not None
        self.report(f"Importing {listed.path.name}…")
        try:
            recorded = await asyncio.to_thread(
                read_recorded_session, listed.path, self.project_root
            )
            session_id = await import_recorded_session(self.store, recorded)
        except (RecordedSessionError, LlxprtError) as exc:
            self.report(f"Could not import it: {exc}", error=True)
            return
        note = f"Imported from llxprt-code ({recorded.path.name}); the file is left as it is."
        if recorded.skipped_lines:
            lines = recorded.skipped_lines
            note += f" {lines} line{'s' if lines != 1 else ''} skipped (not a session event)."
        self.import_notes[session_id] = note
        self.dismiss(session_id)

    def action_close(self) -> None:
        self.dismiss(None)

    # --- actions ------------------------------------------------------------------------------

    def action_rename(self) -> None:
        session = self.selected()
        if session is None:
            self._not_imported()
            return

        async def renamed(title: str | None) -> None:
            if not title:
                return
            try:
                await self.store.rename_session(session.id, title)
            except LlxprtError as exc:
                self.report(f"Could not rename: {exc}", error=True)
                return
            if self.on_renamed is not None:
                self.on_renamed(session.id, title)
            self.reload(select=session.id)

        self.app.push_screen(NamePromptScreen("New title", session.title), renamed)

    def action_delete(self) -> None:
        session = self.selected()
        if session is None:
            self._not_imported()
            return
        if session.id in self.open_sessions():
            self.report("That session is open in a tab: close the tab first.", error=True)
            return

        async def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                await self.store.delete_session(session.id)
            except LlxprtError as exc:
                self.report(f"Could not delete: {exc}", error=True)
                return
            self.reload()

        question = (
            f"Delete “{session.title or 'untitled'}” and its {session.message_count} "
            "messages? They are removed from the database and its search index."
        )
        self.app.push_screen(ConfirmScreen(question), answered)

    def action_export(self) -> None:
        session = self.selected()
        if session is None:
            self._not_imported()
            return

        async def chosen(name: str | None) -> None:
            if not name:
                return
            try:
                target = await asyncio.to_thread(_target, self.export_dir, name)
                messages = await self.store.branch(session.id)
                contents = [m.content for m in messages]
                text = (
                    conversation_json(session.title, contents)
                    if target.suffix.lower() == ".json"
                    else conversation_markdown(session.title, contents)
                )
                await _write_new_file(target, text)
            except (LlxprtError, OSError) as exc:
                self.report(f"Could not export: {_reason(exc)}", error=True)
                return
            self.report(f"Exported to {target}")

        default = f"{_slug(session.title)}.md"
        self.app.push_screen(NamePromptScreen("Export to (.md or .json)", default), chosen)

    def _not_imported(self) -> None:
        if self.selected_recorded() is not None:
            self.report("A llxprt-code session: enter imports it first.", error=True)


def _recorded_words(recorded: RecordedSession) -> str:
    return f"{recorded.title} {recorded.provider} {recorded.model} llxprt-code".lower()


def _started(recorded: RecordedSession) -> str:
    """When llxprt-code says the session started, as the stored sessions' dates are shown."""
    try:
        started = dt.datetime.fromisoformat(recorded.start_time or "")
    except ValueError:
        return ""
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    return when(started.timestamp())


def _slug(title: str) -> str:
    kept = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-")
    return "-".join(part for part in kept.split("-") if part)[:40] or "session"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileExistsError):
        return f"{exc.filename} already exists; choose another name"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({exc.filename})" if exc.filename else exc.strerror
    return str(exc)


def _target(folder: Path, name: str) -> Path:
    return (folder / Path(name).expanduser()).absolute()


async def _write_new_file(path: Path, text: str) -> None:
    await asyncio.to_thread(_write_new_file_sync, path, text)


def _write_new_file_sync(path: Path, text: str) -> None:
    """A new file in full or not at all (atomic.write_new_text: never over or through what is
    there); a missing folder is said plainly rather than as a temp file's error."""
    if not path.parent.is_dir():
        raise OSError(2, "the folder does not exist", str(path.parent))
    write_new_text(path, text)
