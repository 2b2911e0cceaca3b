"""Light conversation entries: the user's turn, notices and errors. They need no Markdown, so
the first frame (which shows the welcome notice) does not pay for it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    """A prompt, with a chip line for each file attached to it ("📎 cat.png 12 KB")."""

    DEFAULT_CSS = """
    UserMessage {
        background: $llxprt-user;
        border-left: thick $primary;
        padding: 0 1;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, text: str, chips: Sequence[str] = ()) -> None:
        self.chips = tuple(chips)
        super().__init__(text)
        self._mark = ""
        if self.chips:
            self._show()

    def recipe(self) -> Callable[[], Widget]:
        return partial(UserMessage, self.text, self.chips)

    def show_branch(self, mark: str) -> None:
        """Which of its siblings this prompt is ("‹ 2/3 ›", an edited prompt) on a line
        under it; "" for none."""
        self._mark = mark
        self._show()

    def _show(self) -> None:
        # File names are outside text: plain (markup=False), controls shown as symbols.
        lines = [visible_controls(self.text), *(visible_controls(c) for c in self.chips)]
        self.update("\n".join(line for line in (*lines, self._mark) if line))


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
