"""A finished piece of a streaming reply drawn as one widget painting the lines it shows.

A frozen piece (chat/messages.py) is a Markdown widget of many: a list item alone is four (a
Horizontal, its bullet, a Vertical, its paragraph), and Textual's layout places every one of
them on each layout while the reply streams (issue 18.1: a list at 100 tok/s spent 7.2 of its
12.2 s of CPU in layouts placing 550-870 widgets, and a key pressed meanwhile waited). As a
piece freezes it is laid out on its own at the reply's width and painted (`paint_alone`: the
piece and all it holds composed as the screen would), and one `PaintedPiece` holding those
lines takes its place: what shows does not change, the layout places one widget. At another
width, or in another theme, the reply paints a Markdown piece of the same source again
(messages.py, _repaint).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import unquote

from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual._compositor import Compositor
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.selection import Selection


def height_at(widget: Widget, width: int) -> int:
    """The height the screen's layout would give `widget` (of auto height) at `width`."""
    gutter = widget.styles.gutter
    viewport = widget.app.size
    inner = max(0, width - gutter.width)
    return widget.get_content_height(Size(width, viewport.height), viewport, inner) + gutter.height


async def paint_alone(widget: Widget, width: int) -> list[Strip] | None:
    """The lines `widget` (mounted, not displayed: the screen does not lay it out) and
    everything in it show at `width`: laid out here (its height as the screen would give it),
    then composed. Keys and frames get in between the two (each costs ~10-20 ms for a list
    of a dozen items); nothing may change the widget meanwhile. None if it was removed."""
    if not widget.is_attached:
        return None
    compositor = Compositor()
    compositor.reflow(widget, Size(width, height_at(widget, width)))
    await asyncio.sleep(0)
    if not widget.is_attached:  # removed meanwhile (its reply dropped, its tab closed)
        return None
    # A widget renders at the size of its region on the screen: while this runs (nothing else
    # can), the screen's compositor is this one, which holds the regions just laid out.
    screen = widget.screen
    placed = screen._compositor
    screen._compositor = compositor
    try:
        for child, geometry in compositor.layers:
            child._size_updated(
                geometry.region.size, geometry.virtual_size, geometry.container_size, layout=False
            )
        return compositor.render_strips()
    finally:
        screen._compositor = placed


class PaintedPiece(Widget):
    """A frozen piece's painted lines (`paint_alone`). `source` is its Markdown, `width` the
    width it was painted at, `classes` the piece's (how it joins its neighbours)."""

    DEFAULT_CSS = """
    PaintedPiece { height: auto; }
    """

    def __init__(
        self,
        source: str,
        lines: list[Strip],
        width: int,
        classes: str = "",
        background: Color | None = None,
    ) -> None:
        super().__init__(classes=classes)
        self.source = source
        self.lines = lines
        self.width = width
        # The background the lines were painted on (their ancestors'): drawn on another one
        # (the transcript's selection tint on the reply), cells of that background take it.
        self.background = background
        self._texts: list[str] | None = None
        self._on: tuple[Color | None, list[Strip]] | None = None  # lines on another background

    @property
    def texts(self) -> list[str]:
        if self._texts is None:
            self._texts = [line.text.rstrip() for line in self.lines]
        return self._texts

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines)

    def _lines_now(self) -> list[Strip]:
        now = self.rich_style.bgcolor
        if now == self.background or self.background is None:
            return self.lines
        if self._on is None or self._on[0] != now:
            painted = self.background

            def on_now(segment: Segment) -> Segment:
                style = segment.style
                if style is None or style.bgcolor != painted:
                    return segment
                return Segment(segment.text, style + Style(bgcolor=now), segment.control)

            self._on = (now, [Strip([on_now(s) for s in line]) for line in self.lines])
        return self._on[1]

    def render_line(self, y: int) -> Strip:
        lines = self._lines_now()
        if y >= len(lines):
            return Strip.blank(self.size.width, self.rich_style)
        line = lines[y]
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            line = self._selected(line, self.texts[y], *span)
        return line.apply_offsets(0, y)

    def _selected(self, line: Strip, text: str, start: int, end: int) -> Strip:
        """`line` with the characters start:end (end -1: to the end) in the selection's style."""
        end = len(text) if end == -1 else min(end, len(text))
        if start >= end:
            return line
        left, right = cell_len(text[:start]), cell_len(text[:end])
        style = self.screen.get_component_rich_style("screen--selection")
        return Strip.join(
            [
                line.crop(0, left),
                Strip(Segment.apply_style(line.crop(left, right), post_style=style)),
                line.crop(right, line.cell_length),
            ]
        )

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(self.texts)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    async def action_link(self, href: str) -> None:
        """A link in the painted lines, clicked: opened as a Markdown piece opens it."""
        self.app.open_url(unquote(href))
