"""KeyEntryScreen: type the current provider's API key into a masked field and keep it for
this tab only (runtime memory) or save it to the OS keyring under a name.

It acts on the runtime it was opened for, through the runtime helpers, and dismisses with the
lines to show in that tab. The value leaves the input as soon as it is used.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from llxprt_runtime import api
from llxprt_runtime.api import RuntimeServices, visible_controls
from llxprt_runtime.errors import LlxprtError

NO_KEYRING = "No keyring is available on this system: the key is kept for this tab only."


class KeyEntryScreen(ModalScreen[list[str] | None]):
    DEFAULT_CSS = """
    KeyEntryScreen { align: center middle; }
    KeyEntryScreen > Vertical {
        width: 72; max-width: 95%; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    KeyEntryScreen .title { text-style: bold; color: $primary; padding: 0 0 1 0; }
    KeyEntryScreen Horizontal { height: auto; }
    KeyEntryScreen Label { width: 8; padding: 1 0 0 0; }
    KeyEntryScreen Input { width: 1fr; }
    KeyEntryScreen #reveal { min-width: 10; margin: 0 0 0 1; }
    KeyEntryScreen RadioSet { width: 100%; margin: 1 0 0 0; }
    KeyEntryScreen .buttons { align-horizontal: right; margin: 1 0 0 0; }
    KeyEntryScreen .buttons Button { margin: 0 0 0 1; }
    KeyEntryScreen #key-status { color: $text-error; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="key-cancel"),
        Binding("ctrl+r", "reveal", "Reveal/mask", id="key-reveal"),
    ]

    def __init__(self, runtime: RuntimeServices, provider: str) -> None:
        super().__init__()
        self.runtime = runtime
        self.provider = provider

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"API key for {self.provider}", classes="title", markup=False)
            with Horizontal():
                yield Label("Key")
                yield Input(password=True, placeholder="paste the key", id="key-value")
                yield Button("Reveal", id="reveal")
            with Horizontal():
                yield Label("Name")
                yield Input(self.provider, placeholder="keyring name", id="key-name")
            with RadioSet(id="key-where"):
                yield RadioButton("Save to the OS keyring under this name", True, id="keyring")
                yield RadioButton("This tab only (kept in memory, never written)", id="tab-only")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", variant="primary", id="save")
            yield Static("", id="key-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#key-value", Input).focus()

    @property
    def value_input(self) -> Input:
        return self.query_one("#key-value", Input)

    def action_reveal(self) -> None:
        field = self.value_input
        field.password = not field.password
        self.query_one("#reveal", Button).label = "Mask" if not field.password else "Reveal"

    def action_cancel(self) -> None:
        self.value_input.value = ""
        self.dismiss(None)

    @on(Button.Pressed)
    async def _button(self, event: Button.Pressed) -> None:
        if event.button.id == "reveal":
            self.action_reveal()
        elif event.button.id == "cancel":
            self.action_cancel()
        elif event.button.id == "save":
            await self.save()

    @on(Input.Submitted)
    async def _submitted(self) -> None:
        await self.save()

    def _fail(self, message: str) -> None:
        self.query_one("#key-status", Static).update(visible_controls(message))

    async def save(self) -> None:
        value = self.value_input.value.strip()
        if not value:
            self._fail("Enter a key first.")
            return
        to_keyring = self.query_one("#keyring", RadioButton).value
        name = self.query_one("#key-name", Input).value.strip() or self.provider
        try:
            if to_keyring:
                result = await api.save_active_provider_key(value, name=name, runtime=self.runtime)
                lines = [
                    f"Saved as '{name}' in the OS keyring; this tab uses it."
                    if result.persisted
                    else NO_KEYRING
                ]
            else:
                changed = await api.update_active_provider_api_key(value, runtime=self.runtime)
                lines = [changed.message]
        except LlxprtError as exc:
            self._fail(str(exc))
            return
        self.value_input.value = ""
        self.dismiss(lines)
