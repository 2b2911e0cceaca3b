"""LoadBalancerBuilderScreen: make a load-balancer profile by picking its members.

Opened from the profile screen (`b`). Members are picked from the saved standard profiles;
the order they are picked in is the order failover tries them. Saving goes through the same
runtime helper as `/profile save loadbalancer`, so the same checks apply.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, SelectionList, Static

from llxprt_runtime.api import Profile, ProfileEntry, RuntimeServices, save_load_balancer_profile
from llxprt_runtime.errors import LlxprtError

HINTS = "space picks a member (in failover order) · ctrl+s save · esc cancel"


class LoadBalancerBuilderScreen(ModalScreen[str | None]):
    """Dismissed with the saved profile's name, or None."""

    DEFAULT_CSS = """
    LoadBalancerBuilderScreen { align: center middle; }
    LoadBalancerBuilderScreen > Vertical {
        width: 80; max-width: 98%; height: 28; max-height: 95%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    LoadBalancerBuilderScreen .title { text-style: bold; color: $primary; }
    LoadBalancerBuilderScreen #lb-name { width: 1fr; }
    LoadBalancerBuilderScreen RadioSet { layout: horizontal; height: auto; }
    LoadBalancerBuilderScreen SelectionList { height: 1fr; border: round $panel; }
    LoadBalancerBuilderScreen SelectionList:focus { border: round $primary; }
    LoadBalancerBuilderScreen #lb-status { height: auto; color: $text-error; }
    LoadBalancerBuilderScreen .hints { color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="lb-builder-cancel"),
        Binding("ctrl+s", "save", "Save", id="lb-builder-save"),
    ]

    def __init__(self, runtime: RuntimeServices, entries: Sequence[ProfileEntry]) -> None:
        super().__init__()
        self.runtime = runtime
        self.candidates = [e for e in entries if isinstance(e.profile, Profile)]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("New load balancer", classes="title")
            yield Input(placeholder="name of the new profile", id="lb-name")
            with RadioSet(id="lb-policy"):
                yield RadioButton("failover", value=True, id="failover")
                yield RadioButton("roundrobin", id="roundrobin")
            yield SelectionList[str](
                *(
                    (f"{e.name}  {e.profile.summary if e.profile else ''}", e.name)
                    for e in self.candidates
                ),
                id="lb-members",
            )
            yield Static("members, in failover order: none picked", id="lb-picked", markup=False)
            yield Static("", id="lb-status", markup=False)
            yield Button("Save", id="lb-save", variant="primary")
            yield Static(HINTS, classes="hints", markup=False)

    def on_mount(self) -> None:
        self.query_one("#lb-name", Input).focus()
        if len(self.candidates) < 2:
            self._error("A load balancer needs at least two saved standard profiles.")

    def _error(self, message: str) -> None:
        self.query_one("#lb-status", Static).update(message)

    def picked(self) -> list[str]:
        return list(self.query_one(SelectionList).selected)

    def policy(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else "failover"

    @on(SelectionList.SelectedChanged)
    def _picked_changed(self) -> None:
        picked = ", ".join(self.picked()) or "none picked"
        self.query_one("#lb-picked", Static).update(f"members, in failover order: {picked}")

    @on(Input.Submitted)
    def _name_entered(self) -> None:
        self.query_one(SelectionList).focus()

    @on(Button.Pressed, "#lb-save")
    async def _save_pressed(self) -> None:
        await self.action_save()

    async def action_save(self) -> None:
        name = self.query_one("#lb-name", Input).value.strip()
        if not name:
            self._error("Give the load balancer a name.")
            return
        try:
            await save_load_balancer_profile(
                name, self.policy(), self.picked(), runtime=self.runtime
            )
        except LlxprtError as exc:
            self._error(str(exc))
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
