"""Transcript: the scrolling view of one tab's conversation (the conversation itself is the
tab's ChatSession). Readable from the keyboard: scrolled from the prompt, and, when focused,
a selected message to copy, copy code from, send again or inspect.

What each message was (its text, the prompt of a reply, model, tokens, time) is kept in a
MessageEntry beside its widget; the tab fills it in and acts on what the user picks.

A long conversation is windowed (issue 18): every row (a message or a notice) is known, but
only the rows around the view hold widgets. Older rows are drawn as the view nears the top
(the view staying where it was), rows far from the view are dropped, and a row is drawn again
from its recipe: what its widget says it needs (`recipe()`), taken when it is dropped. A widget
with no recipe (a reply still streaming, anything else) is never dropped."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final, Literal

from textual import events
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from llxprt_tui.chat.sized_by_layout import virtual_size_set_by_layout
from llxprt_tui.chat.visibility import hidden
from llxprt_tui.full_collections import FULL_COLLECTIONS
from llxprt_tui.keys import MESSAGE_KEYS, bindings

if TYPE_CHECKING:
    from textual.worker import Worker

    from llxprt_runtime.api import MessageNode
    from llxprt_runtime.providers.content import Usage

Role = Literal["user", "assistant"]
MessageAction = Literal["copy", "code", "resend", "details", "edit"]

_CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)```", re.S)


def code_blocks(text: str) -> list[str]:
    """The fenced code blocks of a Markdown text, in order, without their fences."""
    return _CODE_BLOCK.findall(text)


@dataclass
class MessageEntry:
    """One message of the conversation and what is known about it. `widget` is None while the
    message is far from the view (see the module's note)."""

    widget: Widget | None
    role: Role
    text: str = ""  # for a reply: filled in as it streams (see ChatTab._finish)
    prompt: str = ""  # for a reply: the prompt it answers
    provider: str = ""
    model: str = ""
    usage: Usage | None = None
    first_token_seconds: float | None = None
    seconds: float | None = None
    state: str = ""
    replaced: bool = False
    node: MessageNode | None = None  # its message in the session's tree, once it has one
    mark: str = ""  # "‹ 2/3 ›" when it has alternatives (chat/branches.py)

    def details(self) -> list[str]:
        if self.role == "user":
            return [f"Your message · {len(self.text)} characters", *self._alternatives()]
        lines = [f"Reply from {self.provider or '?'} · model {self.model or '?'}"]
        lines += self._alternatives()
        if self.usage is not None:
            lines.append(
                f"tokens: {self.usage.prompt_tokens} in · {self.usage.completion_tokens} out"
            )
        if self.first_token_seconds is not None:
            lines.append(f"first token after {self.first_token_seconds:.1f} s")
        if self.seconds is not None:
            lines.append(f"streamed for {self.seconds:.1f} s")
        if self.state and self.state != "done":
            lines.append(f"state: {self.state}")
        if self.replaced:
            lines.append("replaced by /retry (not in the context any more)")
        return lines

    def _alternatives(self) -> list[str]:
        node = self.node
        siblings = node.parent.children if node is not None and node.parent is not None else []
        if len(siblings) < 2:
            return []
        number = next(n for n, s in enumerate(siblings, start=1) if s is node)
        return [f"alternative {number} of {len(siblings)} (left/right shows the others)"]


def last_exchange(entries: Sequence[MessageEntry]) -> list[MessageEntry]:
    """What `/retry` replaces among the messages on screen: the last prompt and what came
    after it, unless already replaced (a failed turn's prompt alone, when its empty reply
    was taken off the screen). The session drops the same exchange from the context."""
    exchange: list[MessageEntry] = []
    for entry in reversed(entries):
        if entry.replaced:
            break
        exchange.append(entry)
        if entry.role == "user":
            break
    return exchange


Recipe = Callable[[], Widget]

# How much is drawn, in heights of the view: the rows drawn reach at least NEAR views beyond
# what is seen on either side before more are drawn, and rows more than FAR views away are
# dropped (hysteresis: what was just drawn is not dropped by the next scroll step).
NEAR: Final = 1
FAR: Final = 2
STEP_ROWS: Final = 20  # at most this many rows are drawn at once (one frame's work)


@dataclass(eq=False)
class _Row:
    """One child of the transcript, drawn (`widget`) or not (`recipe` draws it again)."""

    widget: Widget | None
    recipe: Recipe | None = None
    entry: MessageEntry | None = None
    lines: int = 3  # its height estimated from its text, before any layout


def estimated_lines(text: str, width: int = 100) -> int:
    """Rows `text` takes at `width` columns, plus its margin: enough to decide how many rows
    fill a view before anything is laid out."""
    width = max(width, 20)
    return 2 + sum(1 + len(line) // width for line in text.splitlines())


def _recipe_of(widget: Widget) -> Recipe | None:
    recipe = getattr(widget, "recipe", None)
    return recipe() if callable(recipe) else None


class Transcript(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    Transcript { height: 1fr; padding: 0 1; }
    Transcript:focus > .-selected { outline-left: thick $accent; background: $accent 25%; }
    Transcript > .-replaced { opacity: 55%; }
    """
    BINDINGS = bindings(MESSAGE_KEYS)
    virtual_size = virtual_size_set_by_layout()  # (chat/sized_by_layout.py)

    class Picked(Message):
        """The user asked for something to be done with the selected message."""

        def __init__(self, entry: MessageEntry, action: MessageAction) -> None:
            super().__init__()
            self.entry = entry
            self.action = action

    class SwitchBranch(Message):
        """Show another alternative of the selected message (`step` away)."""

        def __init__(self, entry: MessageEntry, step: int) -> None:
            super().__init__()
            self.entry = entry
            self.step = step

    class Leave(Message):
        """Back to the prompt, with a character typed here if any."""

        def __init__(self, character: str | None) -> None:
            super().__init__()
            self.character = character

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[MessageEntry] = []  # every message, drawn or not, in order
        self.selected: MessageEntry | None = None
        self._rows: list[_Row] = []
        # Rows [_lo, _hi) are drawn; outside it only rows that cannot be drawn again are.
        self._lo = self._hi = 0
        self._lock = asyncio.Lock()  # one change of the rows at a time
        self._settling = False
        self._again = False
        self._waiting: int | None = None  # rows not drawn until the transcript is shown
        self._shown_message: int | None = None  # show_message() asked while hidden
        self._holds_collections = 0  # full collections held by first draws (_draw_waiting)
        self._lexers: Worker[None] | None = None  # loading a hidden conversation's lexers

    # --- the rows ----------------------------------------------------------------------------

    @property
    def drawn_rows(self) -> int:
        """How many rows hold a widget now (the rest wait for the view to come near)."""
        return sum(1 for row in self._rows if row.widget is not None)

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def settled(self) -> bool:
        """Nothing left to draw or drop for the view as it is (tests and benches wait on it)."""
        return not self._settling and self._waiting is None

    def _adopt(self) -> None:
        # Children composed into the transcript (a new tab's welcome) are rows like any other.
        if not self._rows and self.children:
            self._rows = [_Row(child) for child in self.children]
            self._lo, self._hi = 0, len(self._rows)

    async def add(self, widget: Widget) -> None:
        """A new last row, drawn, and the view follows it (a stream is read as it comes)."""
        async with self._lock:
            self._adopt()
            # A restored conversation not shown yet stays undrawn until it is (a notice or a
            # reply added to a hidden tab meanwhile is drawn after it then).
            deferred = self._waiting is not None and self._hidden()
            if self._hi < len(self._rows) and not deferred:
                await self._redraw_around(len(self._rows) - 1, at_end=True)
            await self._mount_rows([widget], after=self._last_drawn(len(self._rows)))
            if self._lo >= self._hi:
                self._lo = len(self._rows)
            self._rows.append(_Row(widget))
            self._hi = len(self._rows)
            self._waiting = len(self._rows) - 1 if deferred else None
        self.anchor()
        self._schedule_settle()

    async def add_stored(self, rows: Sequence[tuple[Recipe, MessageEntry | None, int]]) -> None:
        """Rows of a stored conversation (recipe, its message, estimated lines), drawn from the
        last one back as far as the view needs once the transcript is shown."""
        async with self._lock:
            self._adopt()
            for recipe, entry, lines in rows:
                self._rows.append(_Row(None, recipe, entry, lines))
                if entry is not None:
                    entry.widget = None
                    self.entries.append(entry)
            self._waiting = len(self._rows) - 1
        if not self._hidden():
            await self._draw_waiting()
        else:
            self._load_lexers([entry.text for _recipe, entry, _lines in reversed(rows) if entry])

    def _load_lexers(self, texts: list[str]) -> None:
        # Drawn when the tab is shown: the lexers its code blocks need are loaded meanwhile
        # (chat/code_lexers.py), the last messages' first.
        from llxprt_tui.chat.code_lexers import fence_languages, load_lexers

        languages = fence_languages(texts)
        if languages:
            self._lexers = self.run_worker(
                partial(load_lexers, languages), group="lexers", thread=True, exit_on_error=False
            )

    async def lexers_loaded(self) -> None:
        """Once the lexers a conversation restored while hidden needs are loaded."""
        if self._lexers is not None:
            await self._lexers.wait()

    def track(self, entry: MessageEntry) -> MessageEntry:
        """`entry` is the message of the row showing `entry.widget` (added just before)."""
        for row in reversed(self._rows):
            if row.widget is entry.widget:
                row.entry = entry
                row.lines = estimated_lines(entry.text)
                break
        self.entries.append(entry)
        return entry

    async def discard(self, widget: Widget) -> None:
        """Take a row off (a failed reply with nothing in it)."""
        async with self._lock:
            for index, row in enumerate(self._rows):
                if row.widget is widget:
                    del self._rows[index]
                    if row.entry in self.entries:
                        self.entries.remove(row.entry)
                    if self.selected is row.entry:
                        self.selected = None
                    self._hi -= 1 if index < self._hi else 0
                    self._lo -= 1 if index < self._lo else 0
                    break
            await widget.remove()

    async def clear(self) -> None:
        """No rows at all (/clear, or before a stored conversation is drawn)."""
        async with self._lock:
            self._rows.clear()
            self.entries.clear()
            self.selected = None
            self._lo = self._hi = 0
            self._waiting = None
            await self.remove_children()

    def forget_all(self) -> None:
        self.entries.clear()
        self.selected = None

    def mark_replaced(self) -> None:
        """The last exchange leaves the context: dim it on screen, and say so under the reply."""
        for entry in last_exchange(self.entries):
            entry.replaced = True
            if entry.widget is not None:
                _show_replaced(entry, entry.widget)

    def entry_for(self, widget: Widget) -> MessageEntry | None:
        return next((e for e in self.entries if e.widget is widget), None)

    def live_entries(self) -> list[MessageEntry]:
        """The messages of the transcript, in order, drawn or not (see the module's note)."""
        return list(self.entries)

    def show_mark(self, entry: MessageEntry, mark: str) -> None:
        """Which alternative `entry` is ("‹ 2/3 ›"), shown now if drawn, else when it is."""
        entry.mark = mark
        show = getattr(entry.widget, "show_branch", None)
        if show is not None:
            show(mark)

    async def cut(self, start: MessageEntry | Widget | None) -> None:
        """Take the row of `start` (a message or a widget; None: the first row) and every
        row after it off the transcript, drawn or not."""
        async with self._lock:
            self._adopt()
            index = next(
                (
                    n
                    for n, row in enumerate(self._rows)
                    if start is None or row.entry is start or row.widget is start
                ),
                None,
            )
            if index is None:
                return
            gone = self._rows[index:]
            del self._rows[index:]
            entries = {id(row.entry) for row in gone if row.entry is not None}
            self.entries[:] = [e for e in self.entries if id(e) not in entries]
            if self.selected is not None and id(self.selected) in entries:
                self.selected = None
            self._lo, self._hi = min(self._lo, index), min(self._hi, index)
            if self._waiting is not None and self._waiting >= index:
                self._waiting = index - 1 if index > 0 else None
            widgets = [row.widget for row in gone if row.widget is not None]
            if widgets:
                await self.remove_children(widgets)

    # --- drawing and dropping rows ------------------------------------------------------------

    def _hidden(self) -> bool:
        return not self.is_attached or hidden(self)

    def _last_drawn(self, before: int) -> Widget | None:
        """The widget of the last drawn row before index `before` (None: none is)."""
        for row in reversed(self._rows[:before]):
            if row.widget is not None:
                return row.widget
        return None

    def _first_drawn(self, start: int) -> Widget | None:
        for row in self._rows[start:]:
            if row.widget is not None:
                return row.widget
        return None

    async def _mount_rows(self, widgets: list[Widget], *, after: Widget | None) -> None:
        if not widgets:
            return
        if after is None:
            first = self.children[0] if self.children else None
            mounting = self.mount_all(widgets, before=first)
        else:
            mounting = self.mount_all(widgets, after=after)
        # Textual awaits this mount once more later (call_next) only to lay the transcript out
        # again, and the batch's own layout places the rows: that await is left nothing to
        # wait for before it starts (from a key's action it runs while this one waits).
        mounted, mounting._widgets = mounting._widgets, []
        await AwaitMount(self, mounted)

    async def _draw(self, start: int, stop: int) -> None:
        """Draw every row of [start, stop) that is not drawn, each where it belongs."""
        index = start
        while index < stop:
            if self._rows[index].widget is not None:
                index += 1
                continue
            end = index
            widgets: list[Widget] = []
            while end < stop and self._rows[end].widget is None:
                widgets.append(self._build(self._rows[end]))
                end += 1
            await self._mount_rows(widgets, after=self._last_drawn(index))
            for row in self._rows[index:end]:
                if row.entry is not None and row.widget is not None:
                    _decorate(row.entry, row.widget, selected=row.entry is self.selected)
            index = end

    def _build(self, row: _Row) -> Widget:
        assert row.recipe is not None
        widget = row.recipe()
        row.widget = widget
        if row.entry is not None:
            row.entry.widget = widget
        return widget

    async def _drop(self, start: int, stop: int) -> None:
        """Drop the widgets of [start, stop), keeping how to draw each again; a row with no
        recipe stays drawn."""
        dropped: list[Widget] = []
        for row in self._rows[start:stop]:
            widget = row.widget
            if widget is None:
                continue
            recipe = _recipe_of(widget)
            if recipe is None:
                continue
            row.recipe, row.widget = recipe, None
            row.lines = widget.virtual_region_with_margin.height or row.lines
            if row.entry is not None:
                row.entry.widget = None
            dropped.append(widget)
        if dropped:
            removing = self.remove_children(dropped)
            await removing
            removing._post_remove = None  # as for a mount (_mount_rows): its later layout

    def _layout_now(self) -> None:
        # Positions are needed within this batch (to keep the view still): lay out now rather
        # than at the next frame, which would show the rows jump for one frame.
        screen = self.screen
        self._expect_scrollbar()
        widgets = list(self.walk_children(Widget, with_self=True))
        for widget in widgets:
            if widget._layout_required:
                # What the widget's idle would do before asking the screen for a layout: the
                # arrangements that hold it are stale. This layout does it, so no later one.
                widget._layout_required = False
                for ancestor in widget.ancestors:
                    if not isinstance(ancestor, Widget):
                        break
                    ancestor._clear_arrangement_cache()
                    ancestor._layout_updates += 1
                    if not ancestor.styles.auto_dimensions:
                        break
        # Never laid out before (a restored tab drawn before the frame that first shows it):
        # the tab around it is sized by this layout too, and the frame after it paints them.
        unsized = [a for a in self.ancestors if isinstance(a, Widget) and not a.size]
        if screen._repaint_required:
            # The whole screen asked to be repainted (Textual asks it at each focus change, as
            # a switch to a tab makes): by the frame after this layout, not one more after it.
            screen._repaint_required = False
            screen._dirty_widgets.add(screen)
        scrollbars = self.show_vertical_scrollbar, self.show_horizontal_scrollbar
        screen._refresh_layout()
        if scrollbars != (self.show_vertical_scrollbar, self.show_horizontal_scrollbar):
            # A scrollbar came (the first rows drawn in a tab): the rows are narrower, laid out
            # again now, or the next frame shows them at the old width and a layout after it
            # draws them all again.
            scrollbars = self.show_vertical_scrollbar, self.show_horizontal_scrollbar
            screen._refresh_layout()
        screen._layout_required = False  # done: the next frame need not lay it all out again
        if scrollbars == (self.show_vertical_scrollbar, self.show_horizontal_scrollbar):
            # Every size this layout gave (a new row's, the transcript's virtual size) asks for
            # a layout again, which would find the same places, and a repaint, which the frame
            # after this layout does for the whole view: neither asked. (A scrollbar that came
            # or went once more is left to Textual.)
            for widget in [*widgets, *self._get_virtual_dom(), *unsized]:
                widget._layout_required = False
                widget._repaint_required = False

    def _expect_scrollbar(self) -> None:
        # Rows whose estimated height is well over the view's (the first rows drawn in a tab:
        # two views of them) bring the scrollbar: laid out at the width it leaves them from
        # the start, or the layout finds it and lays them all out again. A wrong guess is met
        # by that second layout.
        if self.show_vertical_scrollbar or self.styles.overflow_y != "auto":
            return
        drawn = self._rows[self._lo : self._hi]
        lines = sum(row.lines for row in drawn if row.widget is not None)
        if lines >= 2 * self._view_height():
            self.show_vertical_scrollbar = True

    def _scroll_now(self) -> None:
        # The frame after the batch draws the compositor's map: placed for the new scroll
        # offset now, or that frame shows the rows moved by what was drawn above them.
        self.screen._refresh_layout(scroll=True)
        self._scroll_required = False  # placed: no later pass for it

    def _view_height(self) -> int:
        # Not laid out yet (a restored tab drawn before the frame that first shows it): the
        # view of the tab shown before it, as high (every tab is laid out alike).
        return max(self.scrollable_content_region.height or self.container_size.height, 1)

    async def _redraw_around(self, index: int, *, at_end: bool = False) -> None:
        """Drop what is drawn and draw the rows around `index` (a jump far from the view)."""
        view = max(self._view_height(), 10)
        start = stop = index + 1
        lines = 0
        # The view itself and NEAR views beyond it on its open side(s): at the end the view is
        # above the row, else below it. All in this one batch (a settle drawing the rest after
        # it cost a second layout and frame).
        while start > 0 and (lines < (NEAR + at_end) * view or stop - start < 1):
            start -= 1
            lines += self._rows[start].lines
        if not at_end:
            lines = 0
            while stop < len(self._rows) and lines < (1 + NEAR) * view:
                lines += self._rows[stop].lines
                stop += 1
        with self.app.batch_update():
            await self._drop(self._lo, self._hi)
            self._lo, self._hi = start, stop
            await self._draw(start, stop)
            self._layout_now()  # what comes next reads where the rows are

    async def _draw_waiting(self) -> None:
        async with self._lock:
            if self._waiting is None:
                return
            index, self._waiting = self._waiting, None
            # Drawing a restored tab's first rows makes many objects at once, and the full
            # collection they made due (~30 ms) ran before the frame showing them: it waits
            # until that frame is drawn.
            FULL_COLLECTIONS.hold()
            self._holds_collections += 1
            try:
                await self._redraw_around(index, at_end=True)
            finally:
                # Given back as soon as the frame is drawn: held longer (0.25 s, as for a
                # reply's end), the rows drawn and dropped meanwhile (ctrl+home, page-ups)
                # piled up as garbage, and the process kept the memory (RSS per 500-message
                # tab in bench.conversation 7.4 -> 10.3 MiB).
                self.call_after_refresh(self._release_collections)
        self.anchor()
        if self._shown_message is not None:
            message, self._shown_message = self._shown_message, None
            await self.show_message(message)
        self._schedule_settle()

    def _release_collections(self) -> None:
        if self._holds_collections:
            self._holds_collections -= 1
            FULL_COLLECTIONS.release()

    def on_unmount(self) -> None:
        while self._holds_collections:  # its timers stop with it (a tab closed at once)
            self._release_collections()

    @property
    def waiting(self) -> bool:
        """Restored rows wait to be drawn until the transcript is shown."""
        return self._waiting is not None

    async def draw_shown(self, view: Size) -> None:
        """Draw the rows that wait, now that the transcript is displayed but before it is laid
        out (the app calls it in the batch of a switch to the tab, so no frame shows the tab
        without them); `view`: the size of its view as far as the app knows (another tab's)."""
        if self._waiting is not None and not self._hidden():
            if not self.size:
                # Never laid out: the layout follows the end of an anchored view from the
                # view's size it knew, and placed the rows for a view of no height.
                self._container_size = view
            await self._draw_waiting()

    async def on_show(self) -> None:
        if self._waiting is not None:
            await self._draw_waiting()
        elif self._shown_message is not None:
            message, self._shown_message = self._shown_message, None
            await self.show_message(message)

    # --- following the view -------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._schedule_settle()

    def on_resize(self) -> None:
        self._schedule_settle()

    def _schedule_settle(self) -> None:
        if not self.is_attached:
            return
        if self._settling:
            self._again = True  # asked while a pass may have looked already: one more
            return
        self._settling = True
        self.call_later(self._settle)

    async def _settle(self) -> None:
        """Draw rows as the view nears an end of what is drawn, drop rows far from it."""
        try:
            for _ in range(len(self._rows) + 2):  # each pass draws or drops something
                self._again = False
                if self._hidden() or (not await self._settle_once() and not self._again):
                    break
        finally:
            self._settling = False

    async def _settle_once(self) -> bool:
        async with self._lock:
            if self._waiting is not None or self._lo >= self._hi:
                return False
            return await self._reconcile(None)

    async def scroll_page(self, pages: int) -> None:
        """Scroll by `pages` views (page-up/down from the prompt): what the new view needs is
        drawn, and what is far from it dropped, in the same frame as the scroll."""
        async with self._lock:
            target = self.scroll_y + pages * self.scrollable_content_region.height
            if self._waiting is None and self._lo < self._hi:
                await self._reconcile(max(0.0, target))
                return
        self.scroll_to(y=target, animate=False, immediate=True)

    async def _reconcile(self, target: float | None) -> bool:
        """Fit the drawn rows to a view whose top is at `target` (where it is now when None):
        rows drawn NEAR views beyond it on either side, rows more than FAR views away dropped;
        in one batch with one layout, what is at the top of that view staying where it is.
        With a target the view ends there; False: nothing was drawn or dropped."""
        view = max(self.scrollable_content_region.height, 1)
        top = self.scroll_y if target is None else target
        bottom = top + view
        rows = self._rows
        lo, hi = self._lo, self._hi
        # Dropped: decided by where rows are (the last layout); drawn: by estimated heights.
        new_lo = lo
        while new_lo < hi - 1 and _ends_above(rows[new_lo].widget, top - FAR * view):
            new_lo += 1
        new_hi = hi
        while new_hi > new_lo + 1 and _starts_below(rows[new_hi - 1].widget, bottom + FAR * view):
            new_hi -= 1
        if new_lo == lo and lo > 0:
            need = NEAR * view - top
            while new_lo > 0 and need > 0 and lo - new_lo < STEP_ROWS:
                new_lo -= 1
                need -= rows[new_lo].lines
        if new_hi == hi and hi < len(rows):
            last = rows[hi - 1].widget
            end = last.virtual_region_with_margin.bottom if last is not None else 0
            need = bottom + NEAR * view - end
            while new_hi < len(rows) and need > 0 and new_hi - hi < STEP_ROWS:
                need -= rows[new_hi].lines
                new_hi += 1
        if (new_lo, new_hi) == (lo, hi):
            if target is not None:
                self.scroll_to(y=target, animate=False, immediate=True)
            return False
        keep = next(
            (
                row.widget
                for row in rows[max(lo, new_lo) : min(hi, new_hi)]
                if row.widget is not None and row.widget.virtual_region.bottom > top
            ),
            None,
        )
        offset = keep.virtual_region.y - top if keep is not None else 0
        with self.app.batch_update():
            if new_lo > lo:
                await self._drop(lo, new_lo)
            if new_hi < hi:
                await self._drop(new_hi, hi)
            self._lo, self._hi = new_lo, new_hi
            if new_lo < lo:
                await self._draw(new_lo, lo)
            if new_hi > hi:
                await self._draw(hi, new_hi)
            self._layout_now()
            if self._anchored and not self._anchor_released and target is None:
                self.scroll_end(animate=False, immediate=True)  # following the end
            else:
                moved_to = keep.virtual_region.y - offset if keep is not None else top
                self.scroll_to(
                    y=moved_to, animate=False, immediate=True, release_anchor=target is not None
                )
            self._scroll_now()
        return True

    # --- selection -----------------------------------------------------------------------------

    async def _bring(self, entry: MessageEntry) -> Widget | None:
        """`entry`'s widget, drawn (with what is around it) and laid out."""
        if entry.widget is not None:
            return entry.widget
        index = next((n for n, row in enumerate(self._rows) if row.entry is entry), None)
        if index is None:
            return None
        async with self._lock:
            if self._lo - STEP_ROWS <= index < self._lo:
                await self._draw(index, self._lo)
                self._lo = index
                self._layout_now()
            elif self._hi <= index < self._hi + STEP_ROWS:
                await self._draw(self._hi, index + 1)
                self._hi = index + 1
                self._layout_now()
            else:
                await self._redraw_around(index)
        return entry.widget

    async def select(self, entry: MessageEntry | None) -> None:
        if self.selected is not None and self.selected.widget is not None:
            self.selected.widget.remove_class("-selected")
        self.selected = entry
        if entry is None:
            return
        widget = await self._bring(entry)
        if widget is not None and entry is self.selected:
            widget.add_class("-selected")
            self.release_anchor()
            self.scroll_to_widget(widget, animate=False, top=True, immediate=True)
            self._schedule_settle()

    async def select_step(self, step: int) -> None:
        """Select the message `step` away from the selected one (from the end when none)."""
        entries = self.entries
        if not entries:
            return
        if self.selected not in entries:
            await self.select(entries[-1])
            return
        assert self.selected is not None
        index = entries.index(self.selected) + step
        await self.select(entries[max(0, min(index, len(entries) - 1))])

    async def show_message(self, message_id: int) -> bool:
        """Scroll to the stored message `message_id` and select it (the search screen opens a
        session there); the transcript takes the focus. False: no such message here. Asked
        while the tab is hidden, it happens when the tab is shown."""
        entry = next(
            (e for e in self.entries if e.node is not None and e.node.stored_id == message_id),
            None,
        )
        if entry is None:
            return False
        if self._hidden() or self._waiting is not None:
            self._shown_message = message_id
            return True
        await self.select(entry)
        self.focus()
        return True

    async def show_start(self) -> None:
        """The first row at the top of the view."""
        if self._rows:
            async with self._lock:
                if self._lo > 0:
                    await self._redraw_around(0)
            self.release_anchor()
            self.scroll_home(animate=False, immediate=True)
            self._schedule_settle()  # the rest of the view, and what is beyond it

    async def show_end(self) -> None:
        """The last row at the bottom of the view, following the stream again."""
        async with self._lock:
            if self._hi < len(self._rows):
                await self._redraw_around(len(self._rows) - 1, at_end=True)
        self.anchor()
        self._schedule_settle()  # the rest of the view, and what is beyond it

    def focus_on_click(self) -> bool:
        # A click is for what is under the pointer (a link): focusing here on mouse down
        # selected the last message and scrolled to it before the mouse came up, so the click
        # (and the link) was lost. The keyboard reaches the messages (alt+up from the prompt).
        return False

    async def on_focus(self) -> None:
        if self.selected is None or self.selected.widget is None:
            await self.select_step(-1)

    # --- the bindings (keys in llxprt_tui/keys.py) ------------------------------------------

    async def action_move(self, step: int) -> None:
        await self.select_step(step)

    async def action_move_to_end(self, last: bool) -> None:
        if self.entries:
            await self.select(self.entries[-1] if last else self.entries[0])

    def _pick(self, action: MessageAction) -> None:
        if self.selected is not None:
            self.post_message(self.Picked(self.selected, action))

    def action_copy_message(self) -> None:
        self._pick("copy")

    def action_copy_code(self) -> None:
        self._pick("code")

    def action_resend(self) -> None:
        self._pick("resend")

    def action_details(self) -> None:
        self._pick("details")

    def action_edit(self) -> None:
        self._pick("edit")

    def action_branch(self, step: int) -> None:
        if self.selected is not None:
            self.post_message(self.SwitchBranch(self.selected, step))

    def action_leave(self) -> None:
        self.post_message(self.Leave(None))

    def on_key(self, event: events.Key) -> None:
        # Typing here goes to the prompt, never into the void.
        if event.is_printable and event.character and event.key not in self._bound_keys():
            event.stop()
            event.prevent_default()
            self.post_message(self.Leave(event.character))

    def _bound_keys(self) -> set[str]:
        return set(self.app.active_bindings)


def _show_replaced(entry: MessageEntry, widget: Widget) -> None:
    widget.add_class("-replaced")
    if entry.role == "assistant":
        for footer in widget.query(".reply-footer"):
            if isinstance(footer, Static):
                shown = str(footer.render())
                if not shown.startswith("replaced"):
                    footer.update(f"replaced · {shown}" if shown.strip() else "replaced")


def _ends_above(widget: Widget | None, y: float) -> bool:
    """A drawn row that ends above `y` (a row not laid out yet is taken as near)."""
    if widget is None:
        return False
    region = widget.virtual_region_with_margin
    return bool(region) and region.bottom < y


def _starts_below(widget: Widget | None, y: float) -> bool:
    if widget is None:
        return False
    region = widget.virtual_region_with_margin
    return bool(region) and region.y > y


def _decorate(entry: MessageEntry, widget: Widget, *, selected: bool) -> None:
    """A row drawn again looks as it did: selected, replaced."""
    widget.set_class(selected, "-selected")
    show = getattr(widget, "show_branch", None)
    if show is not None and entry.mark:
        show(entry.mark)
    if entry.replaced:
        _show_replaced(entry, widget)
