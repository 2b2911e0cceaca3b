"""Secrets typed or loaded in the app (issue 11, Secrets 1, 3, 5, 6, 7, 8): every alias of
the key setting and every secret header stay out of the conversation and the prompt
history; bad keys are refused; a forgetful keyring is no keyring; a base URL's password is
masked; a profile's inline key is offered a place in the keyring."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from keyring.backend import KeyringBackend
from textual.widgets import Input, Static

from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.chat.status import StatusLine
from llxprt_tui.screens.key_entry import NO_KEYRING, KeyEntryScreen
from llxprt_tui.screens.name_prompt import NamePromptScreen
from llxprt_tui.screens.profiles import ProfilesScreen
from tests.conftest import Dirs
from tests.keyrings import DroppingKeyring, MemoryKeyring, use_keyring_backend
from tests.providers.conftest import base_url, sent_key
from tests.tui.conftest import (
    SIZE,
    active,
    enter_key,
    errors,
    make_app,
    notices,
    pause_until,
    send_and_wait,
    type_and_send,
    wait_until,
)
from tests.wire.server import WireServer

KEY = "sk-SENTINEL-tui-8a9b0c"


def everything_shown(app: object) -> str:
    from llxprt_tui.app import LlxprtApp

    assert isinstance(app, LlxprtApp)
    tab = app.active_tab()
    assert tab is not None
    return "\n".join(
        [
            notices(app),
            errors(app),
            *(u.text for u in app.query(UserMessage)),
            *tab.prompt.prompt_history.entries,
            str(app.query_one(StatusLine).render()),
        ]
    )


@pytest.mark.parametrize("spelling", ["api-key", "apiKey", "API-KEY", "ApiKey", "auth-key"])
async def test_set_with_any_alias_of_the_key_is_never_echoed_or_remembered(
    spelling: str, wire: WireServer
) -> None:
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, f"/set {spelling} {KEY}")
        await send_and_wait(pilot, "/set requires-auth true")
        await send_and_wait(pilot, "hello")
        assert sent_key(wire.chat_requests()[-1]) == KEY  # it was set
        shown = everything_shown(app)
        assert "Setting 'auth-key' set to [REDACTED]" in shown
        assert KEY not in shown
        assert f"/set {spelling}" not in "\n".join(tab.prompt.prompt_history.entries)


async def test_a_secret_custom_header_is_never_echoed_remembered_or_shown(
    wire: WireServer,
) -> None:
    app = make_app(wire)
    headers = json.dumps({"X-Team-Token": KEY, "X-Team": "platform"})
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, f"/set custom-headers {headers}")
        await send_and_wait(pilot, "hello")
        request = wire.chat_requests()[-1]
        assert request.headers["x-team-token"] == KEY and request.headers["x-team"] == "platform"
        shown = everything_shown(app)
        assert KEY not in shown
        assert "X-Team-Token" in shown and "[REDACTED]" in shown and "platform" in shown


def key_status(app: object) -> str:
    from llxprt_tui.app import LlxprtApp

    assert isinstance(app, LlxprtApp)
    return str(app.screen.query_one("#key-status", Static).render())


async def test_the_key_entry_screen_refuses_a_key_that_could_not_be_a_key(
    wire: WireServer, memory_keyring: MemoryKeyring
) -> None:
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen))
        for value, why in (
            ("sk-pasted\u2013dash-1234", "non-ASCII"),
            ("sk-pasted\x1b[2Jescape-1234", "control character"),
            ("sk-pasted\ttab-1234", "control character"),
            ("sk-pasted\x7fdelete-1234", "control character"),
        ):
            app.screen.query_one("#key-status", Static).update("")
            field = app.screen.query_one("#key-value", Input)
            field.value = value
            field.focus()
            await pilot.press("enter")
            await pause_until(pilot, lambda: key_status(app) != "")
            assert isinstance(app.screen, KeyEntryScreen)  # still open: nothing was kept
            status = key_status(app)
            assert why in status and "sk-pasted" not in status
            assert memory_keyring.passwords == {}
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, KeyEntryScreen))
        await send_and_wait(pilot, "/key sk-slash\u00a0nbsp-1234")
        assert "non-ASCII" in errors(app) and "sk-slash" not in everything_shown(app)


@pytest.fixture(params=["dropping", "null"])
def dropping_keyring(request: pytest.FixtureRequest) -> Iterator[KeyringBackend]:
    """A backend that keeps nothing: ours that accepts writes, and keyring's own `null`."""
    from keyring.backends.null import Keyring as NullKeyring

    backend = DroppingKeyring() if request.param == "dropping" else NullKeyring()  # type: ignore[no-untyped-call]
    yield from use_keyring_backend(backend)


@pytest.mark.usefixtures("dropping_keyring")
async def test_a_keyring_that_stores_nothing_is_reported_as_no_keyring(wire: WireServer) -> None:
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await enter_key(pilot, KEY, name="work", tab_only=False)
        assert NO_KEYRING in notices(app) and "Saved" not in notices(app)
        await send_and_wait(pilot, f"/key save other {KEY}")
        assert "No keyring is available" in notices(app).splitlines()[-1]
        await send_and_wait(pilot, "/set requires-auth true")
        await send_and_wait(pilot, "hello")
        assert sent_key(wire.chat_requests()[-1]) == KEY  # kept for this tab
        assert KEY not in everything_shown(app)


async def test_a_base_url_password_is_masked_in_the_status_line_and_notices(
    wire: WireServer,
) -> None:
    password = "pw-SENTINEL-6c7d"
    url = base_url("openai", wire).replace("http://", f"http://me:{password}@")
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, f"/baseurl {url}")
        await send_and_wait(pilot, "/profile save pw")
        await send_and_wait(pilot, "/profile load pw")
        shown = everything_shown(app)
        assert "me:***@127.0.0.1" in shown
        assert password not in shown  # the /baseurl line is neither echoed nor remembered


INLINE = {
    "version": 1,
    "provider": "openai",
    "model": "gpt-5",
    "modelParams": {},
    "ephemeralSettings": {"auth-key": KEY},
}


def write_inline_profile(dirs: Dirs, wire: WireServer) -> None:
    folder = dirs.config / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    data = json.loads(json.dumps(INLINE))
    data["ephemeralSettings"]["base-url"] = base_url("openai", wire)
    (folder / "old.json").write_text(json.dumps(data))


async def answer(pilot: object, value: str | None) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, NamePromptScreen))
    if value is None:
        await pilot.press("escape")
    else:
        pilot.app.screen.query_one(Input).value = value
        await pilot.press("enter")
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, NamePromptScreen))
    await pilot.pause()


async def replace_it(pilot: object) -> None:
    """Saving over the profile asks first: yes."""
    from textual.pilot import Pilot

    from llxprt_tui.screens.confirm import ConfirmScreen

    assert isinstance(pilot, Pilot)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    await pilot.press("y")


async def test_profile_save_offers_to_move_an_inline_key_into_the_keyring(
    wire: WireServer, dirs: Dirs, memory_keyring: MemoryKeyring
) -> None:
    write_inline_profile(dirs, wire)
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/profile load old")
        assert "holds an API key in plain text" in notices(app)
        await type_and_send(pilot, "/profile save old")
        await replace_it(pilot)
        await answer(pilot, "old-openai")
        assert "moved into the OS keyring as 'old-openai'" in notices(app)
        assert KEY not in everything_shown(app)
    text = (dirs.config / "profiles" / "old.json").read_text()
    assert KEY not in text and json.loads(text)["ephemeralSettings"]["auth-key-name"] == (
        "old-openai"
    )
    assert memory_keyring.get_password("llxprt-code-provider-keys", "old-openai") == KEY


async def test_declining_the_offer_says_the_key_was_left_out(wire: WireServer, dirs: Dirs) -> None:
    write_inline_profile(dirs, wire)
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/profile load old")
        await type_and_send(pilot, "/profile save old")
        await replace_it(pilot)
        await answer(pilot, None)
        await wait_until(pilot, lambda: "left out" in notices(app))
        assert KEY not in everything_shown(app)
    assert KEY not in (dirs.config / "profiles" / "old.json").read_text()


async def test_the_profile_screen_shows_an_inline_key_and_offers_the_keyring_on_save(
    wire: WireServer, dirs: Dirs, memory_keyring: MemoryKeyring
) -> None:
    write_inline_profile(dirs, wire)
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/profile load old")
        await type_and_send(pilot, "/profile list")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        screen = app.screen
        assert isinstance(screen, ProfilesScreen)

        def details() -> str:
            return str(screen.query_one("#profile-details", Static).render())

        await wait_until(pilot, lambda: "plain text" in details())
        assert "none saved" not in details() and KEY not in details()
        await pilot.press("o")  # save over: asks to replace, then offers the keyring
        await pilot.pause()
        await pilot.press("y")
        await answer(pilot, "old-openai")
        await wait_until(pilot, lambda: "keyring: old-openai (found)" in details())
        assert memory_keyring.get_password("llxprt-code-provider-keys", "old-openai") == KEY
        assert active(pilot).runtime.settings_service.get("auth-key-name") == "old-openai"
