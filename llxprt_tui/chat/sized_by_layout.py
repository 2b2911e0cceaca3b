"""A virtual size that only the screen's layout sets, and that asks for nothing when it does.

Textual's `virtual_size` asks for a layout, and a repaint of the whole widget, whenever it
changes; and the layout itself is what changes it. So every layout in which a streaming reply
grew by a line was followed by a second one that found every widget where it was, and repainted
the whole transcript again (issue 18.1: two full layouts and frames per line of a reply, at 100
tok/s about seven lines a second). The widgets that grow as a reply streams (its paragraphs,
its tail, the reply, the transcript) are containers or text: their virtual size is what their
last layout found, so the layout that set it has placed and painted everything already. (A
scroll view that sets its own virtual size must not use this; a scrollbar that comes or goes is
still laid out, by the scrollbar's own change.)
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive


def virtual_size_set_by_layout() -> Reactive[Size]:
    """The `virtual_size` class attribute for such a widget."""
    return Reactive(Size(0, 0), layout=False, repaint=False)
