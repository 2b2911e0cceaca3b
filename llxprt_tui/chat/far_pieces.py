"""Frozen pieces of a streaming reply far above the view lay nothing out (issue 18.1).

Textual's layout places every widget of the screen, on screen or not: with a 20,000-token reply
streaming at full speed (some 450 widgets, nearly all in pieces scrolled far above the view)
each layout took 30-45 ms, and the frame of a key pressed meanwhile waited for it. The frozen
pieces at the reply's start that are painted (messages.py, _paint) and that lie more
than FAR_SCREENS screens above the view are set to `display: none`, and one blank widget of
their height stands in their place: the layout skips them and all they hold, and nothing
below moves. They are shown again, all at once, as soon as the view comes within that distance
(a scroll, a taller terminal), and before a change of width (the pieces are then laid out
anew). Only the view's position is read; the text is never touched.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from textual.containers import ScrollableContainer
from textual.css.scalar import Scalar
from textual.widget import Widget


class FarPieces:
    """The far pieces of one reply: start() once it has frozen pieces, then update() on each
    flush (with the sizes of the last layout)."""

    FAR_SCREENS = 2  # a piece is far once its bottom is this many screens above the view's top

    def __init__(self, reply: Widget) -> None:
        self._reply = reply
        self._hidden: list[Widget] = []
        self._height = 0  # theirs, all together: the stand-in's
        self._stand_in: Widget | None = None
        self._end = 0  # the bottom of the hidden pieces, in the scroller's content lines
        self._scroller: ScrollableContainer | None = None

    @property
    def hidden(self) -> Sequence[Widget]:
        return self._hidden

    @property
    def started(self) -> bool:
        return self._stand_in is not None

    async def start(self, before: Widget) -> None:
        """Mount the stand-in (no height, not displayed) just before the first piece."""
        reply = self._reply
        self._scroller = next(
            (a for a in reply.ancestors if isinstance(a, ScrollableContainer)), None
        )
        stand_in = self._stand_in = Widget()
        stand_in.styles.height = 0
        stand_in.display = False
        await reply.mount(stand_in, before=before)
        if self._scroller is not None:
            reply.watch(self._scroller, "scroll_y", self._scrolled, init=False)

    def _margin(self) -> int:
        return self.FAR_SCREENS * max(1, self._reply.app.size.height)

    def update(self, pieces: Sequence[Widget], fixed: Collection[Widget]) -> None:
        """Show them all if the view came near, or hide the run of `pieces` (the reply's
        frozen pieces, in order) from the first one that are painted (in `fixed`: their
        height does not change) and lie far above the view."""
        scroller, reply, stand_in = self._scroller, self._reply, self._stand_in
        if scroller is None or stand_in is None or not reply.is_attached or not reply.region:
            return
        if self._near(scroller.scroll_y):
            self.show_all()
            return
        # The reply's top in the scroller's content (rows above it do not change while it
        # streams), and each child's bottom below it, from the sizes of the last layout.
        top = reply.region.y - scroller.content_region.y + round(scroller.scroll_y)
        top += reply.styles.gutter.top
        limit = round(scroller.scroll_y) - self._margin()
        bottoms: dict[Widget, int] = {}
        y = 0
        for child in reply.children:
            if child.display:  # hidden pieces: the stand-in holds their height
                y += child.outer_size.height
                bottoms[child] = y
        newly: list[Widget] = []
        for piece in pieces:
            if piece in self._hidden:
                continue
            if piece not in fixed or piece not in bottoms or top + bottoms[piece] >= limit:
                break  # the run ends at the first piece not far, or not of a fixed height
            newly.append(piece)
        if not newly:
            return
        # Nothing on screen moves (the stand-in has their height), so no layout is asked for
        # (the styles' setters would): the next one, which the flush asks for, reads them.
        for piece in newly:
            piece.styles.set_rule("display", "none")
            self._hidden.append(piece)
            self._height += piece.outer_size.height
        stand_in.styles.set_rule("height", Scalar.from_number(self._height))
        stand_in.styles.set_rule("display", "block")
        self._end = top + bottoms[newly[-1]]

    def laid_out(self, _screen: object) -> None:
        """After each layout: a taller terminal, or the view moved by its anchor (which the
        scroll watcher does not see), may have brought the view near."""
        if self._scroller is not None and self._near(self._scroller.scroll_y):
            self.show_all()

    def _near(self, scroll_y: float) -> bool:
        return bool(self._hidden) and scroll_y - self._margin() <= self._end

    def _scrolled(self, scroll_y: float) -> None:
        if self._near(scroll_y):
            self.show_all()

    def show_all(self) -> None:
        for piece in self._hidden:
            piece.display = True
        self._hidden = []
        self._height = 0
        if self._stand_in is not None:
            self._stand_in.styles.height = 0
            self._stand_in.display = False
