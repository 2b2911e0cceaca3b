"""/help: the slash commands and the key bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from llxprt_tui.commands.spec import COMMANDS


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 110; height: 85%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen .title { text-style: bold; color: $primary; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,q,f1", "dismiss", "Close", id="help-close")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        width = max(len(c.usage) for c in COMMANDS)
        commands = "\n".join(f"{c.usage:{width}}  {c.help}" for c in COMMANDS)
        keys = "\n".join(f"{key:16}  {what}" for key, what in self.bindings)
        with VerticalScroll():
            yield Static("Commands", classes="title")
            yield Static(commands, markup=False)
            yield Static("Keys", classes="title")
            yield Static(keys, markup=False)
            yield Static("escape closes this help", classes="title")
