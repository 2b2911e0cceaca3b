"""The key bar at the bottom: Textual's Footer, composed again only when its keys change.

Textual's Footer mounts all its keys again (a recompose, ~20 ms) a frame after each time the
screen's bindings may have changed: the focus moved, a screen was pushed, a reactive bound to
bindings changed. At start-up that was five recomposes in a row, each waiting for a frame,
before the keys were first on screen (issue 18.6). This one recomposes only when the keys it
would show differ from those it shows, and the app fills it in before the first frame
(`show_keys`), once the prompt has the focus."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen


class KeyFooter(Footer):
    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: tuple[Any, ...] | None = None  # the keys composed (None: none yet)
        self._queued = False  # a recompose is waiting for the next refresh

    def _keys(self, screen: Screen[Any]) -> tuple[Any, ...]:
        """What compose() would show now: the shown bindings (with whether they are enabled
        and their tooltips) and the command palette's key."""
        active = screen.active_bindings
        shown = tuple(entry[1:] for entry in active.values() if entry.binding.show)
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            palette = found[1:] if found is not None else None
        return shown, palette

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        yield from super().compose()

    async def recompose(self) -> None:
        self._queued = False
        await super().recompose()

    async def show_keys(self) -> None:
        """Compose the keys now, not a frame or more later (the app's first frame)."""
        self._bindings_ready = True
        # As if from its own message loop: its keys bind to its reactives (data_bind).
        with self._context():
            await self.recompose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Footer.bindings_changed, skipping a recompose that would show the same keys.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if self._queued or self._keys(screen) == self._shown:
            return
        self._queued = True
        self.call_after_refresh(self.recompose)
