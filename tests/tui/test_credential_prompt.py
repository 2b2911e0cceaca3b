"""A message that looks like it holds a key is neither sent nor remembered without asking
(issue 11 item 2): `¡/key sk-…` (alt+1 arriving as ESC 1 before a command), `/kye sk-…`,
a pasted key, or any key this tab holds."""

from __future__ import annotations

from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.chat.tab import KEY_QUESTION
from llxprt_tui.screens.confirm import ConfirmScreen
from tests.runtime.test_credentials import fake
from tests.tui.conftest import SIZE, active, errors, make_app, type_and_send, wait_until
from tests.wire.server import WireServer


def echoed(app: object) -> str:
    return "\n".join(m.text for m in app.query(UserMessage))  # type: ignore[attr-defined]


async def test_a_stray_character_before_key_asks_and_no_keeps_it_out(wire: WireServer) -> None:
    key = fake("sk-", 24)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await type_and_send(pilot, f"¡/key {key}")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and screen.question == KEY_QUESTION
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert wire.chat_requests() == []
        assert tab.prompt.text == f"¡/key {key}"  # nothing lost: back to edit
        assert tab.prompt.prompt_history.entries == [] and tab.session.history == ()
        assert key not in echoed(app)


async def test_yes_sends_it_and_remembers_it(wire: WireServer) -> None:
    message = "Authorization: Bearer " + fake("", 32)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await type_and_send(pilot, message)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(tab.session.history) and not tab.streaming)
        assert wire.chat_requests()[-1].last_user_text() == message
        assert tab.prompt.prompt_history.entries == [message] and tab.prompt.text == ""


async def test_an_unknown_command_holding_a_key_is_not_echoed_nor_remembered(
    wire: WireServer,
) -> None:
    key = fake("sk-", 24)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await type_and_send(pilot, f"/kye {key}")
        await wait_until(pilot, lambda: "Unknown command /kye" in errors(app))
        assert key not in echoed(app) and key not in errors(app)
        assert tab.prompt.prompt_history.entries == [] and tab.prompt.text == ""
        assert wire.chat_requests() == []


async def test_a_key_this_tab_holds_is_found_whatever_its_shape(wire: WireServer) -> None:
    key = "local-pass-" + "7" * 9  # no vendor shape
    app = make_app(wire, key=key)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await type_and_send(pilot, f"why does {key} not work?")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert wire.chat_requests() == [] and tab.prompt.prompt_history.entries == []
        await type_and_send(pilot, "/tab 1")  # ordinary lines are not held up
        await type_and_send(pilot, "hello")
        await wait_until(pilot, lambda: len(tab.session.history) == 2 and not tab.streaming)
        assert tab.prompt.prompt_history.entries == ["/tab 1", "hello"]
