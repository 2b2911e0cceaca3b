"""NamePromptScreen: ask for one name (a new profile name, a rename) in a small modal."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from llxprt_runtime.api import visible_controls


class NamePromptScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    NamePromptScreen { align: center middle; }
    NamePromptScreen > Vertical {
        width: 60; height: auto; border: round $primary; background: $surface; padding: 0 1;
    }
    NamePromptScreen Static { padding: 0 0 1 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="name-cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(visible_controls(self.question), markup=False)
            yield Input(self.value, placeholder="name")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
