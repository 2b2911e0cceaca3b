"""Every key llxprt binds, fed as the bytes a plain xterm sends; the README's key table is the
table the bindings are made from; unknown keymap ids are reported."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

from textual.widgets import TabPane

from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.keys import KEY_GROUPS, binding_ids, key_rows
from llxprt_tui.screens.help import HelpScreen
from llxprt_tui.screens.key_entry import KeyEntryScreen
from llxprt_tui.screens.picker import PickerScreen
from llxprt_tui.screens.profiles import ProfilesScreen
from llxprt_tui.screens.search import SearchScreen
from llxprt_tui.screens.sessions import SessionsScreen
from tests.conftest import Dirs
from tests.tui.conftest import SIZE, active, errors, make_app, wait_until
from tests.tui.keyboard import XTERM, parse, press_raw
from tests.wire.server import Reply, WireServer

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_first_key_of_every_row_is_one_a_plain_xterm_sends() -> None:
    for _, group in KEY_GROUPS:
        for spec in group:
            first = spec.keys.split(",")[0]
            assert first in XTERM, f"{spec.description}: {first} has no xterm sequence here"
            assert [e.key for e in parse(XTERM[first])] == [first]


def test_escape_digit_is_alt_digit_not_a_character() -> None:
    for n in range(10):
        (event,) = parse(f"\x1b{n}")
        assert event.key == f"alt+{n}"


def test_the_readme_key_table_is_the_binding_table() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| where | key | action |") :].split("\n\n", 1)[0]
    rows = [
        tuple(cell.strip() for cell in line.strip("|").split("|"))
        for line in table.splitlines()[2:]
    ]
    assert rows == key_rows()


def _tab_numbers(app: LlxprtApp) -> tuple[str, list[str]]:
    panes = [p.id or "" for p in app.tabs.query(TabPane)]
    return app.tabs.active, panes


async def test_alt_digit_sent_as_escape_digit_switches_tabs_and_types_nothing() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await press_raw(pilot, XTERM["ctrl+t"])
        await press_raw(pilot, XTERM["ctrl+t"])
        assert len(app.chat_tabs()) == 3
        _, panes = _tab_numbers(app)
        await press_raw(pilot, "\x1b1")
        assert app.tabs.active == panes[0]
        await press_raw(pilot, "\x1b3")
        assert app.tabs.active == panes[2]
        assert all(tab.prompt.text == "" for tab in app.chat_tabs())
        # ESC then 1 typed slowly (after ESCDELAY) is escape, then "1": the character.
        await press_raw(pilot, "\x1b")
        await press_raw(pilot, "1")
        assert active(pilot).prompt.text == "1"


async def test_tab_keys_as_xterm_sends_them() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await press_raw(pilot, XTERM["ctrl+t"])
        await app.wait_ready()
        _, panes = _tab_numbers(app)
        assert len(panes) == 2 and app.tabs.active == panes[1]
        for key, expected in (
            ("alt+left", 0),
            ("alt+right", 1),
            ("ctrl+pageup", 0),
            ("ctrl+pagedown", 1),
        ):
            await press_raw(pilot, XTERM[key])
            assert app.tabs.active == panes[expected], key
        await press_raw(pilot, XTERM["ctrl+w"])
        await wait_until(pilot, lambda: len(app.chat_tabs()) == 1)
        assert app.tabs.active == panes[0]


async def test_screen_keys_as_xterm_sends_them(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await wait_until(pilot, lambda: app.persistence.started)  # f4 lists its sessions
        for key, screen in (
            ("f1", HelpScreen),
            ("f2", KeyEntryScreen),
            ("f3", ProfilesScreen),
            ("f4", SessionsScreen),
            ("f5", SearchScreen),
            ("ctrl+o", PickerScreen),
        ):
            await press_raw(pilot, XTERM[key])
            await wait_until(pilot, partial(lambda s: isinstance(app.screen, s), screen))
            await press_raw(pilot, XTERM["escape"])
            await wait_until(pilot, lambda: not app.screen.is_modal)
        await press_raw(pilot, XTERM["ctrl+p"])
        await wait_until(pilot, lambda: app.screen.is_modal)
        await press_raw(pilot, XTERM["escape"])
        await wait_until(pilot, lambda: not app.screen.is_modal)
        await press_raw(pilot, XTERM["ctrl+q"])
        await wait_until(pilot, lambda: app.return_code is not None)


async def test_prompt_keys_as_xterm_sends_them(wire: WireServer) -> None:
    wire.default_reply = lambda r: Reply(text=("ok",))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        assert "shift+enter" not in str(tab.prompt.placeholder)
        await press_raw(pilot, "one" + XTERM["ctrl+j"] + "two")
        assert tab.prompt.text == "one\ntwo"
        await press_raw(pilot, XTERM["tab"])  # nothing to complete: nothing happens
        assert tab.prompt.has_focus and tab.prompt.text == "one\ntwo"
        await press_raw(pilot, XTERM["enter"])
        await wait_until(pilot, lambda: not tab.streaming and len(tab.session.history) == 2)
        assert [m.text for m in app.query(UserMessage)] == ["one\ntwo"]
        await press_raw(pilot, XTERM["up"])
        assert tab.prompt.text == "one\ntwo"


async def test_escape_from_xterm_cancels_a_streaming_reply(wire: WireServer) -> None:
    # The reply pauses after its first event until the test ends: streaming when escape comes.
    held = threading.Event()
    wire.default_reply = lambda r: Reply(text=("a", *(["."] * 40)), hold=held)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await tab.send("long one")
        await wait_until(pilot, lambda: bool(tab.session.history) and tab.streaming)
        await press_raw(pilot, XTERM["escape"])
        await wait_until(pilot, lambda: not tab.streaming)
        assert "cancelled" in str(tab.transcript.entries[-1].state)
    held.set()


async def test_unknown_keymap_ids_are_reported_once_with_the_valid_ids(dirs: Dirs) -> None:
    dirs.config.mkdir(parents=True, exist_ok=True)
    (dirs.config / "tui.toml").write_text(
        '[keymap]\nnew-tab = "ctrl+n"\nnew-tabb = "ctrl+b"\nquitt = "ctrl+x"\n'
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.pause()
        shown = errors(app)
        assert shown.count("unknown binding ids: new-tabb, quitt.") == 1
        assert all(i in shown for i in binding_ids())
        await press_raw(pilot, "\x0e")  # ctrl+n: the remapped new-tab (an action: it may end later)
        await wait_until(pilot, lambda: len(app.chat_tabs()) == 2)
        assert errors(app).count("unknown binding") == 1
