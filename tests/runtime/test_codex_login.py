"""The codex (ChatGPT plan) login against a loopback fake authorization server: the PKCE
browser flow, the device flow, and the token in llxprt-code's keyring entry."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth.codex_auth import (
    CodexAuthClient,
    LoginPrompt,
    OAuthFlowError,
    account_id_from_id_token,
    browser_login,
)
from llxprt_runtime.auth.loopback import DEFAULT_PORTS, CallbackServer
from tests.codex_fixtures import codex_of, stored
from tests.keyrings import MemoryKeyring
from tests.wire.oauth_server import FakeAuthServer, fake_id_token


def follow_in_browser(url: str) -> int:
    """What the user's browser does: GET the authorize URL, follow the redirect to the
    loopback callback. Returns the final status."""
    # No deadline of its own: a loaded machine answers late, and pytest-timeout ends a hang.
    with httpx2.Client(follow_redirects=True, timeout=None) as browser:
        return browser.get(url).status_code


async def test_browser_login_pkce_round_trip_stores_llxprt_code_token(
    auth_server: FakeAuthServer, memory_keyring: MemoryKeyring
) -> None:
    runtime = await rs.activate_isolated_runtime_context()
    prompts: list[LoginPrompt] = []
    statuses: list[int] = []

    async def on_prompt(prompt: LoginPrompt) -> None:
        prompts.append(prompt)
        statuses.append(await asyncio.to_thread(follow_in_browser, prompt.url))

    result = await codex_of(runtime).login(on_prompt, ports=(0,))

    assert statuses == [200]
    (prompt,) = prompts
    assert prompt.kind == "browser" and not prompt.browser_opened
    query = {k: v[0] for k, v in parse_qs(urlsplit(prompt.url).query).items()}
    assert prompt.url.startswith(f"{auth_server.url}/oauth/authorize?")
    assert query["code_challenge_method"] == "S256"
    assert query["id_token_add_organizations"] == "true"
    assert query["codex_cli_simplified_flow"] == "true"
    assert query["redirect_uri"].startswith("http://localhost:")
    assert query["redirect_uri"].endswith("/auth/callback")
    (exchange,) = auth_server.grants("authorization_code")
    verifier = exchange.form["code_verifier"]
    assert len(base64.urlsafe_b64decode(verifier + "==")) == 64  # a 64-byte verifier
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge.rstrip(b"=").decode() == query["code_challenge"]
    assert exchange.form["redirect_uri"] == query["redirect_uri"]
    token = stored("default")
    assert token is not None
    assert token["access_token"] == auth_server.issued_access[0]
    assert token["token_type"] == "bearer" and isinstance(token["expiry"], int)
    assert token["account_id"] == auth_server.account_id
    assert isinstance(token["refresh_token"], str) and isinstance(token["id_token"], str)
    assert result.account_id == auth_server.account_id
    assert "Logged in to codex (account acct-111…)" in result.message


async def test_browser_login_refused_or_forged_says_so_and_stores_nothing(
    auth_server: FakeAuthServer,
) -> None:
    auth_server.deny = True
    runtime = await rs.activate_isolated_runtime_context()

    async def on_prompt(prompt: LoginPrompt) -> None:
        await asyncio.to_thread(follow_in_browser, prompt.url)

    with pytest.raises(OAuthFlowError, match="The login was refused: access_denied"):
        await codex_of(runtime).login(on_prompt, ports=(0,))

    async def forged(prompt: LoginPrompt) -> None:
        redirect = parse_qs(urlsplit(prompt.url).query)["redirect_uri"][0]
        await asyncio.to_thread(follow_in_browser, f"{redirect}?code=x&state=not-ours")

    with pytest.raises(OAuthFlowError, match="state mismatch"):
        await codex_of(runtime).login(forged, ports=(0,))
    assert stored("default") is None
    assert auth_server.grants("authorization_code") == []


async def test_callback_ports_are_1455_then_1456_to_1485_and_a_busy_one_is_skipped() -> None:
    assert (1455, *range(1456, 1486)) == DEFAULT_PORTS
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        async with CallbackServer((taken, 0), "/auth/callback") as server:
            assert server.port not in (0, taken)
        with pytest.raises(Exception, match="are all in use"):
            async with CallbackServer((taken,), "/auth/callback"):
                pass


async def test_the_browser_is_opened_when_possible(auth_server: FakeAuthServer) -> None:
    opened: list[str] = []

    def opener(url: str) -> bool:
        opened.append(url)
        follow_in_browser(url)
        return True

    prompts: list[LoginPrompt] = []
    client = CodexAuthClient()
    await browser_login(client, prompts.append, open_browser=opener, ports=(0,))
    await client.aclose()
    assert [p.url for p in prompts] == opened and prompts[0].browser_opened


async def test_device_login_polls_while_pending_then_exchanges_the_code(
    auth_server: FakeAuthServer,
) -> None:
    auth_server.pending_polls = 2
    runtime = await rs.activate_isolated_runtime_context()
    prompts: list[LoginPrompt] = []

    result = await codex_of(runtime).login(prompts.append, device=True, bucket="work")

    assert prompts == [LoginPrompt("device", f"{auth_server.url}/codex/device", "WXYZ-1234")]
    polls = [r for r in auth_server.requests if r.path == "/api/accounts/deviceauth/token"]
    assert len(polls) == 3  # two pending (403), then approved
    (usercode,) = [r for r in auth_server.requests if r.path.endswith("/usercode")]
    assert usercode.json == {"client_id": "app_EMoamEEZ73f0CkXaXp7hrann"}
    (exchange,) = auth_server.grants("authorization_code")
    assert exchange.form["redirect_uri"] == f"{auth_server.url}/deviceauth/callback"
    token = stored("work")
    assert token is not None and token["account_id"] == auth_server.account_id
    assert stored("default") is None
    assert result.bucket == "work"


async def test_device_login_is_cancellable_and_times_out(auth_server: FakeAuthServer) -> None:
    auth_server.pending_polls = 10**9
    runtime = await rs.activate_isolated_runtime_context()
    shown = asyncio.Event()
    task = asyncio.create_task(codex_of(runtime).login(lambda _p: shown.set(), device=True))
    await shown.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stored("default") is None

    from llxprt_runtime.auth.codex_auth import device_login

    client = CodexAuthClient()
    with pytest.raises(OAuthFlowError, match="timed out after 0 minutes"):
        await device_login(client, lambda _p: None, limit_seconds=0)
    await client.aclose()


def test_account_id_comes_from_the_openai_auth_claim() -> None:
    assert account_id_from_id_token(fake_id_token("acct-42")) == "acct-42"
    assert account_id_from_id_token("not-a-jwt") is None
    assert account_id_from_id_token("a.!!!.c") is None
