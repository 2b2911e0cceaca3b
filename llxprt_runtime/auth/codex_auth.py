"""The OpenAI (ChatGPT plan) authorization server, as llxprt-code and the Codex CLI talk
to it: PKCE browser login, device-code login, code exchange and refresh.

The server's base URL is `LLXPRT_CODEX_AUTH_BASE` (for tests and proxies), by default
https://auth.openai.com. Nothing here stores anything; see codex_oauth.py for that.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from llxprt_runtime.auth.oauth_tokens import StoredToken
from llxprt_runtime.errors import LlxprtError

CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"
DEFAULT_AUTH_BASE = "https://auth.openai.com"
AUTH_BASE_ENV = "LLXPRT_CODEX_AUTH_BASE"
SCOPES = ("openid", "profile", "email", "offline_access")
ORIGINATOR = "codex_cli_rs"
CALLBACK_PATH = "/auth/callback"
DEVICE_LIMIT_SECONDS = 15 * 60
ACCOUNT_CLAIM = "https://api.openai.com/auth"
_HTTP_TIMEOUT = 30.0
_SHOWN_BODY = 200  # characters of a server's error body we repeat


class OAuthFlowError(LlxprtError):
    """A login or refresh did not complete; the message says why and what to do."""


class OAuthLoginRequiredError(OAuthFlowError):
    """There is no usable login: the user has to log in (again)."""

    def __init__(self, provider: str, bucket: str, reason: str, *, again: bool = False) -> None:
        self.provider = provider
        self.bucket = bucket
        where = "" if bucket == "default" else f" --bucket {bucket}"
        slash = "" if bucket == "default" else f" {bucket}"
        super().__init__(
            f"{reason} Log in{' again' if again else ''} with "
            f"`llxprt auth login {provider}{where}` or `/auth {provider} login{slash}`."
        )


def auth_base() -> str:
    return (os.environ.get(AUTH_BASE_ENV, "").strip() or DEFAULT_AUTH_BASE).rstrip("/")


def device_verification_url() -> str:
    return f"{auth_base()}/codex/device"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class Pkce:
    verifier: str
    challenge: str

    @staticmethod
    def create() -> Pkce:
        verifier = _b64url(secrets.token_bytes(64))
        return Pkce(verifier, _b64url(hashlib.sha256(verifier.encode("ascii")).digest()))

    def __repr__(self) -> str:
        return "Pkce([REDACTED])"


def authorize_url(redirect_uri: str, challenge: str, state: str) -> str:
    """The URL llxprt-code builds (same parameters, same order, %20 for spaces)."""
    params = [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", redirect_uri),
        ("scope", " ".join(SCOPES)),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("id_token_add_organizations", "true"),
        ("codex_cli_simplified_flow", "true"),
        ("state", state),
        ("originator", ORIGINATOR),
    ]
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
    return f"{auth_base()}/oauth/authorize?{query}"


def account_id_from_id_token(id_token: str) -> str | None:
    """`https://api.openai.com/auth`.`chatgpt_account_id` of the id_token (or the fallbacks
    llxprt-code reads). The signature is not checked: the token came to us over TLS from
    the server we asked, and the id only picks the account header."""
    parts = id_token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(payload, dict):
        return None
    claim = payload.get(ACCOUNT_CLAIM)
    candidates = []
    if isinstance(claim, dict):
        candidates += [claim.get("chatgpt_account_id"), claim.get("account_id")]
    candidates.append(payload.get("account_id"))
    return next((c for c in candidates if isinstance(c, str) and c), None)


def _shown(text: str) -> str:
    """A server's words, bounded and on one line (it is shown to the user as plain text)."""
    flat = " ".join(text.split())
    return flat[:_SHOWN_BODY] + ("…" if len(flat) > _SHOWN_BODY else "")


def token_from_response(data: Any, *, need_account: bool) -> StoredToken:
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise OAuthFlowError("The authorization server's answer has no access token.")
    expires_in = data.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        expires_in = 3600  # llxprt-code's default
    id_token = data.get("id_token") if isinstance(data.get("id_token"), str) else None
    account = account_id_from_id_token(id_token) if id_token else None
    if need_account and account is None:
        raise OAuthFlowError(
            "The login answer carries no ChatGPT account id (id_token claim "
            f"{ACCOUNT_CLAIM}.chatgpt_account_id); is this a ChatGPT plan account?"
        )
    kind = data.get("token_type")
    refresh = data.get("refresh_token")
    return StoredToken(
        access_token=data["access_token"],
        expiry=float(int(time.time()) + int(expires_in)),
        token_type=kind if kind in ("Bearer", "bearer") else "Bearer",
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        account_id=account,
        id_token=id_token,
    )


class CodexAuthClient:
    """HTTP calls to the authorization server (httpx2, imported on first use)."""

    def __init__(self, base: str | None = None) -> None:
        self.base = (base or auth_base()).rstrip("/")
        self._http: Any = None  # one httpx2.AsyncClient per flow: a device login polls often

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def _post(
        self, path: str, *, form: Mapping[str, str] | None = None, body: Any = None
    ) -> tuple[int, str]:
        import httpx2

        if self._http is None:
            self._http = httpx2.AsyncClient(timeout=_HTTP_TIMEOUT, follow_redirects=False)
        url = f"{self.base}{path}"
        try:
            if form is not None:
                response = await self._http.post(
                    url, data=dict(form), headers={"Accept": "application/json"}
                )
            else:
                response = await self._http.post(url, json=body)
            return response.status_code, response.text[:65536]
        except httpx2.HTTPError as exc:
            raise OAuthFlowError(
                f"Could not reach the authorization server at {self.base}: {type(exc).__name__}."
            ) from None

    async def exchange_code(self, code: str, verifier: str, redirect_uri: str) -> StoredToken:
        status, text = await self._post(
            "/oauth/token",
            form={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": CLIENT_ID,
                "code_verifier": verifier,
            },
        )
        if status != 200:
            raise OAuthFlowError(f"The login could not be completed ({status}: {_shown(text)}).")
        return token_from_response(_json(text), need_account=True)

    async def refresh(self, refresh_token: str) -> StoredToken:
        """A new token; raises OAuthFlowError, or `RefreshRejected` when the server refuses
        the refresh token itself (revoked, expired, already used)."""
        status, text = await self._post(
            "/oauth/token",
            form={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": CLIENT_ID,
            },
        )
        if status in (400, 401, 403):
            raise RefreshRejected(_shown(text))
        if status != 200:
            raise OAuthFlowError(f"Refreshing the login failed ({status}: {_shown(text)}).")
        return token_from_response(_json(text), need_account=False)

    async def request_device_code(self) -> DeviceCode:
        status, text = await self._post(
            "/api/accounts/deviceauth/usercode", body={"client_id": CLIENT_ID}
        )
        if status == 404:
            raise OAuthFlowError("Device code login is not enabled on this authorization server.")
        if status != 200:
            raise OAuthFlowError(f"Could not start a device login ({status}: {_shown(text)}).")
        data = _json(text)
        device_id = data.get("device_auth_id") if isinstance(data, dict) else None
        user_code = data.get("user_code") if isinstance(data, dict) else None
        if not isinstance(device_id, str) or not isinstance(user_code, str):
            raise OAuthFlowError("The device login answer has no device id or user code.")
        interval: Any = data.get("interval", 5)
        if isinstance(interval, str):  # the real server sends it as a string
            try:
                interval = float(interval.strip())
            except ValueError:
                interval = 5
        if isinstance(interval, bool) or not isinstance(interval, int | float):
            interval = 5
        return DeviceCode(device_id, user_code, min(max(float(interval), 0.0), 60.0))

    async def poll_device(self, code: DeviceCode) -> tuple[str, str] | None:
        """(authorization_code, code_verifier) once approved; None while pending."""
        status, text = await self._post(
            "/api/accounts/deviceauth/token",
            body={"device_auth_id": code.device_auth_id, "user_code": code.user_code},
        )
        if status in (403, 404):
            return None
        if status != 200:
            raise OAuthFlowError(f"The device login failed ({status}: {_shown(text)}).")
        data = _json(text)
        auth_code = data.get("authorization_code") if isinstance(data, dict) else None
        verifier = data.get("code_verifier") if isinstance(data, dict) else None
        if not isinstance(auth_code, str) or not isinstance(verifier, str):
            raise OAuthFlowError("The device login answer has no authorization code.")
        return auth_code, verifier


class RefreshRejected(Exception):
    """The server refused the refresh token (turned into OAuthLoginRequiredError)."""


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise OAuthFlowError("The authorization server did not answer with JSON.") from None


@dataclass(frozen=True, slots=True)
class DeviceCode:
    device_auth_id: str
    user_code: str
    interval: float


@dataclass(frozen=True, slots=True)
class LoginPrompt:
    """What the user must see to finish a login: the URL to open (browser flow), or the
    verification URL and user code (device flow)."""

    kind: Literal["browser", "device"]
    url: str
    user_code: str | None = None
    browser_opened: bool = False


PromptSink = Callable[[LoginPrompt], Awaitable[None] | None]


async def _tell(sink: PromptSink, prompt: LoginPrompt) -> None:
    result = sink(prompt)
    if result is not None:
        await result


async def device_login(
    client: CodexAuthClient,
    on_prompt: PromptSink,
    *,
    limit_seconds: float = DEVICE_LIMIT_SECONDS,
) -> StoredToken:
    """The device-code flow: show code + URL, poll until approved (cancel the task to stop)."""
    code = await client.request_device_code()
    await _tell(on_prompt, LoginPrompt("device", device_verification_url(), code.user_code))
    deadline = time.monotonic() + limit_seconds
    while True:
        approved = await client.poll_device(code)
        if approved is not None:
            auth_code, verifier = approved
            return await client.exchange_code(
                auth_code, verifier, f"{client.base}/deviceauth/callback"
            )
        if time.monotonic() >= deadline:
            raise OAuthFlowError(
                f"The device login timed out after {limit_seconds / 60:.0f} minutes."
            )
        await asyncio.sleep(code.interval)


async def browser_login(
    client: CodexAuthClient,
    on_prompt: PromptSink,
    *,
    open_browser: Callable[[str], bool] | None = None,
    ports: tuple[int, ...] | None = None,
) -> StoredToken:
    """The PKCE flow: a loopback callback server, the browser at the authorize URL, then
    the code exchange. Cancel the task to stop; the server is closed either way."""
    from llxprt_runtime.auth.loopback import DEFAULT_PORTS, CallbackServer

    pkce = Pkce.create()
    state = _b64url(secrets.token_bytes(32))
    async with CallbackServer(ports or DEFAULT_PORTS, CALLBACK_PATH) as server:
        redirect_uri = f"http://localhost:{server.port}{CALLBACK_PATH}"
        url = authorize_url(redirect_uri, pkce.challenge, state)
        opened = False
        if open_browser is not None:
            try:
                opened = await asyncio.to_thread(open_browser, url)
            except Exception:  # no browser is a normal case: the URL is shown instead
                opened = False
        await _tell(on_prompt, LoginPrompt("browser", url, None, opened))
        params = await server.wait()
    if params.get("state") != state:
        raise OAuthFlowError("The login answer does not match this login (state mismatch).")
    if error := params.get("error"):
        detail = params.get("error_description") or error
        raise OAuthFlowError(f"The login was refused: {_shown(detail)}.")
    code = params.get("code")
    if not code:
        raise OAuthFlowError("The login answer carries no authorization code.")
    return await client.exchange_code(code, pkce.verifier, redirect_uri)


def system_browser_opener(url: str) -> bool:
    """Open `url` with the `webbrowser` module; False when no browser is available.

    On Linux without a display (an SSH session, a console) `webbrowser` would start a text
    browser in our own terminal, so it is not tried there unless $BROWSER names one.
    """
    import sys
    import webbrowser

    graphical = any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"))
    if sys.platform not in ("darwin", "win32") and not graphical:
        return False
    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
