"""Shared pieces of the codex login tests: tokens written into the keyring exactly as
llxprt-code writes them (the fake authorization server is the `auth_server` fixture)."""

from __future__ import annotations

import json
import time

import keyring

from llxprt_runtime import RuntimeServices
from llxprt_runtime.auth.codex_oauth import CodexOAuth
from tests.wire.oauth_server import fake_id_token

SERVICE = "llxprt-code-oauth"


def llxprt_code_token_json(
    access: str, account: str, *, refresh: str = "fake-refresh-0", expires_in: float = 3600
) -> str:
    """What llxprt-code's KeyringTokenStore.saveToken stores: JSON.stringify of the parsed
    CodexOAuthToken (no spaces; expiry in whole unix seconds; token_type as OpenAI sends)."""
    return json.dumps(
        {
            "access_token": access,
            "token_type": "bearer",
            "expiry": int(time.time() + expires_in),
            "refresh_token": refresh,
            "account_id": account,
            "id_token": fake_id_token(account),
        },
        separators=(",", ":"),
    )


def seed_token(bucket: str, text: str) -> None:
    keyring.set_password(SERVICE, f"codex:{bucket}", text)


def stored(bucket: str = "default") -> dict[str, object] | None:
    raw = keyring.get_password(SERVICE, f"codex:{bucket}")
    return None if raw is None else json.loads(raw)


def codex_of(runtime: RuntimeServices) -> CodexOAuth:
    provider = runtime.oauth_manager.provider("codex")
    assert isinstance(provider, CodexOAuth)
    return provider
