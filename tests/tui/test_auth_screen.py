"""`/auth` in the app: the codex login screen (device code, browser URL), cancelling it,
status and logout, and the status line's key source."""

from __future__ import annotations

import asyncio

import keyring
from textual.pilot import Pilot

from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.status import StatusLine
from llxprt_tui.screens.login import LoginScreen
from tests.codex_fixtures import SERVICE, llxprt_code_token_json, seed_token, stored
from tests.runtime.test_codex_login import follow_in_browser
from tests.tui.conftest import SIZE, active, errors, make_app, notices, send_and_wait, wait_until
from tests.wire.oauth_server import FakeAuthServer
from tests.wire.server import WireServer


def codex_app(wire: WireServer) -> LlxprtApp:
    return make_app(wire, provider="codex", key=None)


def status_text(app: LlxprtApp) -> str:
    return str(app.screen_stack[0].query_one(StatusLine).render())


async def open_login(pilot: Pilot[None], command: str) -> LoginScreen:
    tab = active(pilot)
    tab.prompt.focus()
    tab.prompt.load_text(command)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, LoginScreen))
    screen = pilot.app.screen
    assert isinstance(screen, LoginScreen)
    return screen


async def test_device_login_shows_the_code_then_the_account_in_the_status_line(
    auth_server: FakeAuthServer, wire: WireServer
) -> None:
    auth_server.pending_polls, auth_server.interval = 10**9, "0.05"
    app = codex_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.pause()
        assert "key: oauth: codex" in status_text(app)
        screen = await open_login(pilot, "/auth codex login --device")
        await wait_until(pilot, lambda: screen.prompt is not None)
        assert screen.prompt is not None and screen.prompt.user_code == "WXYZ-1234"
        auth_server.approve_device()
        await wait_until(pilot, lambda: "Logged in to codex (account acct-111…)." in notices(app))
        assert not isinstance(app.screen, LoginScreen)
        await pilot.pause()
        assert "key: oauth: codex (account acct-111…)" in status_text(app)

        token = stored("default")
        assert token is not None and token["access_token"] == auth_server.issued_access[0]


async def test_browser_login_into_a_bucket_shows_the_url(
    auth_server: FakeAuthServer, wire: WireServer
) -> None:
    app = codex_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        screen = await open_login(pilot, "/auth codex login work")
        await wait_until(pilot, lambda: screen.prompt is not None)
        assert screen.prompt is not None and not screen.prompt.browser_opened
        assert screen.prompt.url.startswith(f"{auth_server.url}/oauth/authorize?")
        assert await asyncio.to_thread(follow_in_browser, screen.prompt.url) == 200
        await wait_until(pilot, lambda: "Logged in to codex in bucket 'work'" in notices(app))
        await pilot.pause()
        token = stored("work")
        assert token is not None and token["account_id"] == auth_server.account_id


async def test_escape_cancels_the_login(auth_server: FakeAuthServer, wire: WireServer) -> None:
    auth_server.pending_polls, auth_server.interval = 10**9, "5"
    app = codex_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        screen = await open_login(pilot, "/auth codex login --device")
        await wait_until(pilot, lambda: screen.prompt is not None)
        await pilot.press("escape")
        await wait_until(pilot, lambda: "Login cancelled." in notices(app))
        await pilot.pause()
        assert not isinstance(app.screen, LoginScreen)
        assert stored("default") is None


async def test_status_logout_and_refusals(wire: WireServer) -> None:
    seed_token("default", llxprt_code_token_json("fake-access-s", "acct-status-1"))
    app = codex_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await send_and_wait(pilot, "/auth")
        shown = notices(app)
        assert "codex: logged in" in shown and "default: account acct-sta…" in shown
        assert "claudecode: not supported on purpose" in shown
        await send_and_wait(pilot, "/auth codex logout")
        assert "Logged out of codex (default)." in notices(app)
        assert keyring.get_password(SERVICE, "codex:default") is None
        await send_and_wait(pilot, "/auth claudecode login")
        assert "Anthropic has asked third-party clients" in errors(app)
        await send_and_wait(pilot, "/auth codex login a b")
        assert "Usage: /auth" in errors(app)
        await send_and_wait(pilot, "hello")
        assert "Not logged in to codex. Log in with" in errors(app)
