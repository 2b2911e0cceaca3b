"""SearchScreen: every stored message, searched as you type (FTS5, best first).

The search box takes store/search.py's language: words, "a phrase", prefix*, and the filters
provider:NAME, model:NAME, before:/after:YYYY-MM-DD. Each hit shows its session's title, the
date it was said, provider:model, and a snippet with the matched words highlighted. enter
opens that session in a tab (or switches to its tab) scrolled to the message; esc closes.

Queries run in the store's worker thread, one at a time: text typed while one runs waits,
and only the latest text is searched next (the results of an older text are dropped), so
typing never queues a search per key."""

from __future__ import annotations

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from llxprt_runtime.api import SearchHit, SearchQueryError, SearchResult, SessionStore
from llxprt_runtime.api import visible_controls as _visible
from llxprt_runtime.errors import LlxprtError
from llxprt_tui.screens.list_dialog import ListDialog
from llxprt_tui.screens.sessions import when

HINTS = "enter open · ↑↓ choose · esc close"
HELP = (
    'Type to search every conversation: words, "a phrase", prefix*, provider:NAME, '
    "model:NAME, before:YYYY-MM-DD, after:YYYY-MM-DD."
)
RESULT_LIMIT = 50
# The markers store/database.py's snippet() puts around a matched word.
MARK_START, MARK_END = "\x02", "\x03"


def snippet_content(snippet: str) -> Content:
    """A hit's snippet as content: the marked words highlighted, everything else literal text
    (stored text is never markup), controls shown as symbols, on one line."""
    parts: list[tuple[str, str]] = []
    highlighted = False
    piece: list[str] = []
    for char in snippet:
        if char in (MARK_START, MARK_END):
            if piece:
                parts.append((_one_line("".join(piece)), "bold reverse" if highlighted else ""))
                piece = []
            highlighted = char == MARK_START
        else:
            piece.append(char)
    if piece:
        parts.append((_one_line("".join(piece)), "bold reverse" if highlighted else ""))
    return Content.assemble(*parts)


def _one_line(text: str) -> str:
    return _visible(" ".join(text.split("\n")).replace("\r", " ").replace("\t", " "))


def hit_content(hit: SearchHit, width: int) -> Content:
    """Two lines: the session title, date and provider:model; then the snippet."""
    where = _visible(f"{hit.provider}:{hit.model}") if hit.provider else ""
    where = where or ("you" if hit.speaker == "human" else "")
    meta = f"  {when(hit.created_at)}" + (f"  {where}" if where else "")
    title = _visible(hit.session_title or "untitled")
    room = max(8, width - len(meta))
    if len(title) > room:
        title = title[: room - 1] + "…"
    return Content.assemble(
        (title, "bold"),
        (meta, "$text-muted"),
        ("\n  ", ""),
        snippet_content(hit.snippet),
    )


class SearchScreen(ListDialog[tuple[str, int] | None]):
    """Returns (session id, message id) of the hit to open, or None."""

    DEFAULT_CSS = """
    SearchScreen #search-status { color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "close", "Close", id="search-close")]

    def __init__(self, store: SessionStore, text: str = "") -> None:
        super().__init__()
        self.store = store
        self.initial_text = text
        self.hits: list[SearchHit] = []
        self.shown_text: str | None = None  # the text whose results are on screen
        self.searches = 0  # queries sent to the store (tests: typing does not queue one per key)
        self._wanted = text
        self._searching = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Search", classes="title")
            yield Input(
                self.initial_text,
                placeholder='words, "a phrase", prefix*, provider:, model:, before:, after:',
                id="search-box",
                select_on_focus=False,
            )
            yield OptionList(id="search-results")
            yield Static("", id="search-status", classes="status", markup=False)
            yield Static(HINTS, classes="hints", markup=False)

    def on_mount(self) -> None:
        self.box.focus()
        self._request(self.initial_text)

    @property
    def box(self) -> Input:
        return self.query_one("#search-box", Input)

    @property
    def results(self) -> OptionList:
        return self.query_one("#search-results", OptionList)

    # --- searching ----------------------------------------------------------------------------

    @on(Input.Changed, "#search-box")
    def _changed(self, event: Input.Changed) -> None:
        self._request(event.value)

    def _request(self, text: str) -> None:
        self._wanted = text
        if not self._searching:
            self._searching = True
            self._search()

    @work(group="search")
    async def _search(self) -> None:
        try:
            while True:
                text = self._wanted
                outcome = await self._query(text)
                if text != self._wanted:
                    continue  # typed on meanwhile: these results are already old
                self._show(text, outcome)
                return
        finally:
            self._searching = False

    async def _query(self, text: str) -> SearchResult | str:
        if not text.strip():
            return SearchResult([], ranked=True)
        self.searches += 1
        try:
            return await self.store.search(text, RESULT_LIMIT)
        except SearchQueryError as exc:
            return str(exc)
        except LlxprtError as exc:
            return f"The search failed: {exc}"

    def _show(self, text: str, outcome: SearchResult | str) -> None:
        self.shown_text = text
        options = self.results
        options.clear_options()
        if isinstance(outcome, str):
            self.hits = []
            self.report(outcome, error=True)
            return
        self.hits = outcome.hits
        width = self._row_width()
        options.add_options(
            Option(hit_content(hit, width), id=str(hit.message_id)) for hit in outcome.hits
        )
        if outcome.hits:
            options.highlighted = 0
        count = len(outcome.hits)
        if not text.strip():
            self.report(HELP)
        elif not count:
            self.report("No messages match.")
        else:
            more = " (the first 50)" if count >= RESULT_LIMIT else ""
            order = "best first" if outcome.ranked else "too many to rank: newest first"
            self.report(f"{count} message{'s' if count != 1 else ''}{more}, {order}")

    def _row_width(self) -> int:
        return max(20, self.dialog_width() - 6)  # border, padding and scrollbar take 6

    # --- keys ---------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if self.focused is self.results and event.is_printable and event.character:
            self.box.focus()
            self.box.insert_text_at_cursor(event.character)
            event.stop()
        elif self.focused is self.box and event.key in ("down", "up") and self.hits:
            self.results.focus()
            event.stop()

    @on(Input.Submitted, "#search-box")
    def _submitted(self) -> None:
        self._open()

    @on(OptionList.OptionSelected, "#search-results")
    def _chosen(self) -> None:
        self._open()

    def _open(self) -> None:
        index = self.results.highlighted
        if index is None or index >= len(self.hits):
            return
        hit = self.hits[index]
        self.dismiss((hit.session_id, hit.message_id))

    def action_close(self) -> None:
        self.dismiss(None)
