"""OAuth tokens in the OS keyring, exactly where llxprt-code keeps them.

Service `llxprt-code-oauth`, account `<provider>:<bucket>` (bucket `default` unless named),
value the token as raw JSON: `{access_token, refresh_token?, expiry (unix seconds), scope?,
token_type, resource_url?}`, plus `account_id` and `id_token?` for codex. Fields we do not
know are kept, so a token written by a newer llxprt-code survives our rewrite.

Without a usable keyring the token is kept in this store object only (it belongs to one
runtime, so: this tab, this process) and the caller is told so. Never a plaintext file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from llxprt_runtime.atomic import write_private_text
from llxprt_runtime.auth.secret_store import SecretStore
from llxprt_runtime.errors import KeyringUnavailableError, LlxprtError

OAUTH_KEYRING_SERVICE = "llxprt-code-oauth"
DEFAULT_BUCKET = "default"
#: llxprt-code's rule for provider and bucket names (packages/auth keyring-token-store).
BUCKET_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9._@-]{1,64}$")
#: A token counts as expired this many seconds before its `expiry` (llxprt-code's margin).
EXPIRY_MARGIN_SECONDS = 30
_KNOWN = ("access_token", "refresh_token", "expiry", "scope", "token_type", "resource_url")
_CODEX_KNOWN = ("account_id", "id_token")


class InvalidBucketNameError(LlxprtError):
    def __init__(self, name: str) -> None:
        self.bucket = name
        super().__init__(
            f"Bucket name '{name}' is invalid. Use letters, numbers, dashes, underscores, "
            "dots and @ (1-64 chars)."
        )


def validate_bucket(name: str | None) -> str:
    bucket = DEFAULT_BUCKET if name is None else name
    if not BUCKET_NAME_PATTERN.match(bucket):
        raise InvalidBucketNameError(bucket)
    return bucket


def account_name(provider: str, bucket: str | None = None) -> str:
    return f"{validate_bucket(provider)}:{validate_bucket(bucket)}"


def oauth_buckets(auth: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The buckets of a profile's `"auth": {"type": "oauth", "buckets": [...]}` (llxprt-code's
    field), in order; () when the profile names none. Raises on a bad bucket name."""
    if not auth or auth.get("type") != "oauth":
        return ()
    raw = auth.get("buckets")
    if not isinstance(raw, list):
        return ()
    return tuple(validate_bucket(str(name)) for name in raw)


@dataclass(frozen=True, slots=True)
class StoredToken:
    """One OAuth token as llxprt-code stores it. Secrets never appear in repr."""

    access_token: str
    expiry: float  # unix seconds
    token_type: str = "Bearer"
    refresh_token: str | None = None
    scope: str | None = None
    resource_url: str | None = None
    account_id: str | None = None
    id_token: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def expired(self, now: float | None = None) -> bool:
        current = time.time() if now is None else now
        return current >= self.expiry - EXPIRY_MARGIN_SECONDS

    def to_json(self) -> str:
        data: dict[str, Any] = dict(self.extra)
        data["access_token"] = self.access_token
        if self.refresh_token is not None:
            data["refresh_token"] = self.refresh_token
        data["expiry"] = int(self.expiry) if float(self.expiry).is_integer() else self.expiry
        if self.scope is not None:
            data["scope"] = self.scope
        data["token_type"] = self.token_type
        for name in ("resource_url", "account_id", "id_token"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return json.dumps(data)

    def merged_refresh(self, fresh: StoredToken) -> StoredToken:
        """A refresh answer on top of this token: a field the answer lacks keeps its old
        value (llxprt-code keeps the old refresh token; codex also needs the account id)."""
        return replace(
            fresh,
            refresh_token=fresh.refresh_token or self.refresh_token,
            account_id=fresh.account_id or self.account_id,
            id_token=fresh.id_token or self.id_token,
            scope=fresh.scope if fresh.scope is not None else self.scope,
            extra={**self.extra, **fresh.extra},
        )

    def __repr__(self) -> str:
        return (
            f"StoredToken(expiry={self.expiry!r}, account_id={self.account_id!r}, "
            "access_token=[REDACTED])"
        )


class InvalidStoredTokenError(LlxprtError):
    pass


def parse_stored_token(text: str) -> StoredToken:
    """llxprt-code's token JSON; InvalidStoredTokenError says what is wrong (no values)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise InvalidStoredTokenError("the stored token is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidStoredTokenError("the stored token is not a JSON object")
    access = data.get("access_token")
    expiry = data.get("expiry")
    if not isinstance(access, str) or not access:
        raise InvalidStoredTokenError("the stored token has no access_token")
    if isinstance(expiry, bool) or not isinstance(expiry, int | float):
        raise InvalidStoredTokenError("the stored token has no numeric expiry")

    def text_field(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) else None

    token_type = text_field("token_type") or "Bearer"
    return StoredToken(
        access_token=access,
        expiry=float(expiry),
        token_type=token_type,
        refresh_token=text_field("refresh_token"),
        scope=text_field("scope"),
        resource_url=text_field("resource_url"),
        account_id=text_field("account_id"),
        id_token=text_field("id_token"),
        extra={k: v for k, v in data.items() if k not in _KNOWN + _CODEX_KNOWN},
    )


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    persisted: bool
    warning: str | None = None


class OAuthTokenStore:
    """Tokens of one runtime's OAuth providers, in the keyring (shared with llxprt-code).

    `index_file` remembers bucket *names* (never tokens) per provider, because most keyring
    backends cannot list accounts.
    """

    def __init__(self, index_file: Any, service: str = OAUTH_KEYRING_SERVICE) -> None:
        self.service = service
        self._index_file = index_file
        self._keyring = SecretStore(index_file, service)  # its keyring-call error mapping
        self._memory: dict[str, StoredToken] = {}  # only when no keyring works

    async def get(self, provider: str, bucket: str | None = None) -> StoredToken | None:
        """The stored token, or None. A corrupt entry reads as "not logged in"."""
        account = account_name(provider, bucket)
        try:
            raw = await self._keyring._call(lambda kr: kr.get_password(self.service, account))
        except KeyringUnavailableError:
            return self._memory.get(account)
        if raw is None:
            return self._memory.get(account)
        try:
            return parse_stored_token(raw)
        except InvalidStoredTokenError:
            return None

    async def save(
        self, provider: str, token: StoredToken, bucket: str | None = None
    ) -> SaveOutcome:
        account = account_name(provider, bucket)
        value = token.to_json()
        try:
            await self._keyring._call(lambda kr: kr.set_password(self.service, account, value))
        except KeyringUnavailableError as exc:
            self._memory[account] = token
            return SaveOutcome(
                False,
                f"No keyring is available on this system ({exc.reason}): the login is kept "
                "for this process only and will be lost when it exits.",
            )
        self._memory.pop(account, None)
        await asyncio.to_thread(self._update_index, provider, add=validate_bucket(bucket))
        return SaveOutcome(True)

    async def delete(self, provider: str, bucket: str | None = None) -> bool:
        """Remove a token; False when there was none."""
        account = account_name(provider, bucket)
        had_memory = self._memory.pop(account, None) is not None

        def delete(kr: Any) -> bool:
            from keyring.errors import PasswordDeleteError

            if kr.get_password(self.service, account) is None:
                return False
            try:
                kr.delete_password(self.service, account)
            except PasswordDeleteError:
                return False
            return True

        try:
            deleted = await self._keyring._call(delete)
        except KeyringUnavailableError:
            deleted = False
        await asyncio.to_thread(self._update_index, provider, remove=validate_bucket(bucket))
        return deleted or had_memory

    async def buckets(self, provider: str) -> list[str]:
        """Bucket names that hold a token for `provider` (default first)."""
        validate_bucket(provider)
        names = set(await asyncio.to_thread(self._read_index, provider)) | {DEFAULT_BUCKET}
        names |= {a.split(":", 1)[1] for a in self._memory if a.startswith(f"{provider}:")}
        found = [name for name in sorted(names) if await self.get(provider, name) is not None]
        return sorted(found, key=lambda n: (n != DEFAULT_BUCKET, n))

    def _read_index(self, provider: str) -> list[str]:
        try:
            data = json.loads(self._index_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        names = data.get(provider) if isinstance(data, dict) else None
        if not isinstance(names, list):
            return []
        return [n for n in names if isinstance(n, str) and BUCKET_NAME_PATTERN.match(n)]

    def _update_index(
        self, provider: str, *, add: str | None = None, remove: str | None = None
    ) -> None:
        try:
            data = json.loads(self._index_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        names = set(self._read_index(provider))
        if add:
            names.add(add)
        if remove:
            names.discard(remove)
        data[provider] = sorted(names)
        # The index is a convenience for listing; the token itself is saved already.
        with contextlib.suppress(OSError):
            write_private_text(self._index_file, json.dumps(data, indent=2) + "\n")
