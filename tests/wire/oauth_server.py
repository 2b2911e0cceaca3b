"""A loopback fake of the OpenAI authorization server (auth.openai.com), for the codex login.

  GET  /oauth/authorize                     checks the PKCE request, 302 to redirect_uri
                                            with code + state (or error=access_denied)
  POST /oauth/token                         authorization_code (checks the verifier against
                                            the challenge) and refresh_token grants
  POST /api/accounts/deviceauth/usercode    a device id + user code
  POST /api/accounts/deviceauth/token       403 (pending) `pending_polls` times, then the
                                            authorization code and its verifier
Point llxprt at it with LLXPRT_CODEX_AUTH_BASE=server.url. Every request is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_id_token(account_id: str) -> str:
    """A JWT shaped like OpenAI's id_token (unsigned: llxprt only reads the account claim)."""
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    claims = {
        "email": "user@example.test",
        "https://api.openai.com/auth": {"chatgpt_account_id": account_id, "plan": "plus"},
    }
    return f"{header}.{b64url(json.dumps(claims).encode())}.sig"


@dataclass
class OAuthRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    json: Any


@dataclass
class _Grant:
    challenge: str
    redirect_uri: str


@dataclass
class FakeAuthServer:
    account_id: str = "acct-11111111-2222"
    expires_in: int = 3600
    rotate_refresh_tokens: bool = True  # False: refresh answers carry no refresh_token
    deny: bool = False  # the user refuses at the authorize page
    pending_polls: int = 1  # device token polls answered 403 before approval
    interval: str = "0"  # the poll interval the usercode answer asks for (a string, as sent)
    requests: list[OAuthRequest] = field(default_factory=list)
    issued_access: list[str] = field(default_factory=list)
    refresh_tokens: dict[str, bool] = field(default_factory=dict)  # token -> still valid
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _device: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (code, verifier)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> FakeAuthServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def approve_device(self) -> None:
        with self._lock:
            self.pending_polls = 0

    def revoke_all_refresh_tokens(self) -> None:
        with self._lock:
            for token in self.refresh_tokens:
                self.refresh_tokens[token] = False

    def grants(self, kind: str) -> list[OAuthRequest]:
        return [r for r in self.requests if r.form.get("grant_type") == kind]

    # --- the endpoints (called in the server's threads) ---------------------------------

    def _tokens(self) -> dict[str, Any]:
        access = f"fake-access-{secrets.token_hex(6)}"
        refresh = f"fake-refresh-{secrets.token_hex(6)}"
        self.issued_access.append(access)
        self.refresh_tokens[refresh] = True
        return {
            "access_token": access,
            "refresh_token": refresh,
            "id_token": fake_id_token(self.account_id),
            "expires_in": self.expires_in,
            "token_type": "bearer",
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        required = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "code_challenge_method": "S256",
            "scope": "openid profile email offline_access",
            "originator": "codex_cli_rs",
        }
        wrong = [k for k, v in required.items() if query.get(k) != v]
        if wrong or not query.get("code_challenge") or not query.get("state"):
            return 400, {}, {"error": "invalid_request", "fields": wrong}
        redirect = query["redirect_uri"]
        if self.deny:
            params = {"error": "access_denied", "state": query["state"]}
        else:
            code = f"code-{secrets.token_hex(6)}"
            with self._lock:
                self._grants[code] = _Grant(query["code_challenge"], redirect)
            params = {"code": code, "state": query["state"]}
        return 302, {"Location": f"{redirect}?{urlencode(params)}"}, None

    def token(self, form: dict[str, str]) -> tuple[int, Any]:
        if form.get("client_id") != CLIENT_ID:
            return 401, {"error": "invalid_client"}
        grant_type = form.get("grant_type")
        with self._lock:
            if grant_type == "authorization_code":
                grant = self._grants.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                if grant is None or grant.redirect_uri != form.get("redirect_uri"):
                    return 400, {"error": "invalid_grant"}
                challenge = b64url(hashlib.sha256(verifier.encode()).digest())
                if challenge != grant.challenge:
                    return 400, {"error": "invalid_grant", "error_description": "bad verifier"}
                return 200, self._tokens()
            if grant_type == "refresh_token":
                old = form.get("refresh_token", "")
                if not self.refresh_tokens.get(old):
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "Your refresh token has already been used or "
                        "was revoked.",
                    }
                answer = self._tokens()
                del answer["id_token"]
                if self.rotate_refresh_tokens:
                    self.refresh_tokens[old] = False  # spent, as the real server does
                else:
                    self.refresh_tokens.pop(answer.pop("refresh_token"))
                return 200, answer
        return 400, {"error": "unsupported_grant_type"}

    def usercode(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or body.get("client_id") != CLIENT_ID:
            return 400, {"error": "invalid_client"}
        device_id = f"dev-{secrets.token_hex(4)}"
        verifier = b64url(secrets.token_bytes(32))
        code = f"code-{secrets.token_hex(6)}"
        redirect = f"{self.url}/deviceauth/callback"
        with self._lock:
            self._device[device_id] = (code, verifier)
            self._grants[code] = _Grant(
                b64url(hashlib.sha256(verifier.encode()).digest()), redirect
            )
        return 200, {
            "device_auth_id": device_id,
            "user_code": "WXYZ-1234",
            "interval": self.interval,
        }

    def device_token(self, body: Any) -> tuple[int, Any]:
        device_id = body.get("device_auth_id") if isinstance(body, dict) else None
        with self._lock:
            if device_id not in self._device or body.get("user_code") != "WXYZ-1234":
                return 400, {"error": "unknown device"}
            if self.pending_polls > 0:
                self.pending_polls -= 1
                return 403, {"error": {"message": "authorization pending"}}
            code, verifier = self._device.pop(device_id)
        challenge = b64url(hashlib.sha256(verifier.encode()).digest())
        return 200, {
            "authorization_code": code,
            "code_verifier": verifier,
            "code_challenge": challenge,
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeAuthServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        kind = self.headers.get("content-type", "")
        form = {k: v[0] for k, v in parse_qs(raw).items()} if "urlencoded" in kind else {}
        body = json.loads(raw) if raw and "json" in kind else None
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        fake.requests.append(
            OAuthRequest(
                self.command,
                parts.path,
                query,
                {k.lower(): v for k, v in self.headers.items()},
                form,
                body,
            )
        )
        headers: dict[str, str] = {}
        if self.command == "GET" and parts.path == "/oauth/authorize":
            status, headers, payload = fake.authorize(query)
        elif parts.path == "/oauth/token":
            status, payload = fake.token(form)
        elif parts.path == "/api/accounts/deviceauth/usercode":
            status, payload = fake.usercode(body)
        elif parts.path == "/api/accounts/deviceauth/token":
            status, payload = fake.device_token(body)
        else:
            status, payload = 404, {"error": "no route"}
        data = json.dumps(payload).encode() if payload is not None else b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
