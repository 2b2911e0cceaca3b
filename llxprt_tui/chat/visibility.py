"""Whether a widget is on a part of the screen that is shown: a tab not shown (or a widget
with display off) only buffers what it gets, and draws it when it is shown (issue 18.5: ten
tabs streaming at once cost one tab's drawing)."""

from __future__ import annotations

from textual.widget import Widget


def hidden(widget: Widget) -> bool:
    """Whether `widget` or one of its ancestors has display off (a walk of a few nodes)."""
    return any(not node.display for node in widget.ancestors_with_self if isinstance(node, Widget))
