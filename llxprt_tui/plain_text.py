"""Outside strings as Textual content: text, never markup, never control sequences.

Textual parses a `str` given to a label, a tab title or `Static.update()` as markup (so
`[/x]` raises MarkupError and `[@click=...]` runs an action) and passes ESC through to the
terminal. Everything from a server, a file or the user is shown through `plain()`, or as a
`Static(..., markup=False)` of `visible_controls()` text.
"""

from __future__ import annotations

from textual.content import Content

from llxprt_runtime.api import visible_controls

__all__ = ["plain", "visible_controls"]


def plain(text: str) -> Content:
    """`text` as literal content: markup-looking brackets stay brackets, controls show as ␛."""
    return Content(visible_controls(text))
