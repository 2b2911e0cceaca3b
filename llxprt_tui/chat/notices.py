"""Light conversation entries: the user's turn, notices and errors. They need no Markdown, so
the first frame (which shows the welcome notice) does not pay for it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.widget import Widget
from textual.widgets import Static

from llxprt_runtime.api import visible_controls


class _Entry(Static):
    """A line of text in the transcript, drawn again from that text when scrolled back to."""

    def __init__(self, text: str) -> None:
        super().__init__(visible_controls(text), markup=False)
        self.text = text

    def recipe(self) -> Callable[[], Widget]:
        return partial(type(self), self.text)


class UserMessage(_Entry):
    DEFAULT_CSS = """
    UserMessage {
        background: $llxprt-user;
        border-left: thick $primary;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    """

    def show_branch(self, mark: str) -> None:
        """Which of its siblings this prompt is ("‹ 2/3 ›", an edited prompt) on a line
        under it; "" for none."""
        shown = visible_controls(self.text)
        self.update(f"{shown}\n{mark}" if mark else shown)


class Notice(_Entry):
    """Command output and other information from llxprt itself."""

    DEFAULT_CSS = """
    Notice {
        color: $text-muted;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    """


class ErrorNotice(_Entry):
    """A failure, said plainly, with what to do next."""

    DEFAULT_CSS = """
    ErrorNotice {
        color: $text-error;
        background: $error-muted;
        border-left: thick $error;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    """
