"""What the sessions and search screens share: a centred dialog of a title, a box to type in,
a list, a status line and key hints, its size and how wide a row of the list may be."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widgets import Static

Result = TypeVar("Result")

DIALOG_WIDTH = 110  # columns, or 98% of a narrower terminal


class ListDialog(ModalScreen[Result]):
    DEFAULT_CSS = """
    ListDialog { align: center middle; }
    ListDialog > Vertical {
        width: 110; max-width: 98%; height: 30; max-height: 95%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ListDialog .title { text-style: bold; color: $primary; }
    ListDialog Input { margin: 1 0 0 0; }
    ListDialog OptionList { height: 1fr; border: none; margin: 1 0 0 0; }
    ListDialog .status { height: auto; }
    ListDialog .status.-error { color: $text-error; }
    ListDialog .hints { color: $text-muted; }
    """

    def dialog_width(self) -> int:
        """The dialog's width from the terminal's, not the list's: the list may not be laid
        out yet when its rows are built, and the rows must not depend on that race."""
        return min(DIALOG_WIDTH, self.app.size.width * 98 // 100)

    def report(self, message: str, *, error: bool = False) -> None:
        """Say `message` in the status line (an error in the error colour)."""
        status = self.query_one(".status", Static)
        status.set_class(error, "-error")
        status.update(message)
