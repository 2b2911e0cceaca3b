"""The key bar: its keys are in the first frame, and it is composed again only when they
change (Textual's Footer recomposed five times in a row at start-up, a frame each)."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.key_footer import KeyFooter
from tests.tui.conftest import SIZE, make_app, pause_until
from tests.wire.server import WireServer


def _keys(footer: KeyFooter) -> list[str]:
    return [key.key for key in footer.query(FooterKey)]


async def test_the_keys_are_there_when_the_app_is_first_ready() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Pilot starts right after the app's mount, before any frame: Textual's Footer was
        # still empty here (its keys came a refresh after each focus change).
        footer = app.query_one(KeyFooter)
        first = list(footer.query(FooterKey))
        assert [key.key for key in first][:3] == ["ctrl+w", "ctrl+q", "ctrl+t"]
        assert "ctrl+p" in _keys(footer)
        await app.wait_ready()
        await pilot.pause()
        # The focus given to the prompt (and the runtime attached) showed the same keys: the
        # very widgets composed before the first frame are still there.
        assert list(footer.query(FooterKey)) == first
        assert app.focused is app.active_tab_or_fail().prompt


async def test_bindings_refreshed_with_the_same_keys_do_not_recompose() -> None:
    """What a focus change, a pushed screen or a reactive bound to bindings does: the screen
    says its bindings may have changed. Keys unchanged, the footer's widgets stay."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        footer = app.query_one(KeyFooter)
        first = list(footer.query(FooterKey))
        for _ in range(3):
            app.screen.refresh_bindings()
            await pilot.pause()
        assert list(footer.query(FooterKey)) == first


async def test_changed_keys_are_shown() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        footer = app.query_one(KeyFooter)
        assert "ctrl+t" in _keys(footer)
        app.update_keymap({"new-tab": "ctrl+n"})
        await pause_until(pilot, lambda: "ctrl+n" in _keys(footer))
        assert "ctrl+n" in _keys(footer) and "ctrl+t" not in _keys(footer)


async def test_a_screen_key_pressed_before_the_runtime_opens_the_screen_once_it_is_there(
    wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the keys on screen at once, f2 can come before the tab's runtime (attached just
    after the first frame): the key screen opens when the runtime is there."""
    from llxprt_tui.screens.key_entry import KeyEntryScreen

    # A margin that keeps the press before the runtime.
    monkeypatch.setattr(LlxprtApp, "RUNTIME_DELAY", 2.0)
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        tab = app.active_tab_or_fail()
        await pilot.press("f2")
        assert not tab.has_runtime
        await app.wait_ready()
        await pause_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen))
        assert isinstance(app.screen, KeyEntryScreen)
