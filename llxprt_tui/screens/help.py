"""/help and f1: the slash commands and every key (from the table in llxprt_tui/keys.py)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from llxprt_tui.commands.spec import COMMANDS


def _table(rows: list[tuple[str, str]]) -> Table:
    table = Table(box=None, show_header=False, expand=True, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True, ratio=2)
    table.add_column(ratio=3)
    for left, right in rows:
        table.add_row(Text(left), Text(right))  # plain text: '[name]' is not markup
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; height: 85%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen .title { text-style: bold; color: $primary; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,q,f1", "dismiss", "Close", id="help-close")]

    def __init__(self, key_rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.key_rows = key_rows  # (where, keys, what): llxprt_tui/keys.py

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Commands", classes="title")
            yield Static(_table([(c.usage, c.help) for c in COMMANDS]))
            groups = dict.fromkeys(where for where, _, _ in self.key_rows)
            for group in groups:
                yield Static(f"Keys: {group}", classes="title")
                yield Static(_table([(k, d) for w, k, d in self.key_rows if w == group]))
            yield Static("escape closes this help", classes="title")
