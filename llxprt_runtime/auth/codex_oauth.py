"""The `codex` OAuth provider of one runtime: ChatGPT-plan logins in llxprt-code's keyring
entries, refreshed under llxprt-code's lock file, with bucket failover.

One instance per runtime (registered in that runtime's OAuthManager): the bucket a tab
uses, and the token kept in memory when there is no keyring, belong to that tab alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from llxprt_runtime import paths
from llxprt_runtime.auth.codex_auth import (
    CodexAuthClient,
    OAuthLoginRequiredError,
    PromptSink,
    RefreshRejected,
    browser_login,
    device_login,
)
from llxprt_runtime.auth.oauth import OAuthToken, OAuthTokenRequest
from llxprt_runtime.auth.oauth_tokens import (
    DEFAULT_BUCKET,
    EXPIRY_MARGIN_SECONDS,
    OAuthTokenStore,
    SaveOutcome,
    StoredToken,
    validate_bucket,
)
from llxprt_runtime.auth.refresh_lock import RefreshLock, lock_path

PROVIDER = "codex"
ACCOUNT_HEADER = "ChatGPT-Account-ID"


def short_account(account_id: str) -> str:
    return account_id if len(account_id) <= 12 else f"{account_id[:8]}…"


@dataclass(frozen=True, slots=True)
class BucketStatus:
    bucket: str
    account_id: str | None
    expiry: float
    expired: bool
    has_refresh_token: bool


@dataclass(frozen=True, slots=True)
class LoginResult:
    bucket: str
    account_id: str | None
    outcome: SaveOutcome

    @property
    def message(self) -> str:
        who = f" (account {short_account(self.account_id)})" if self.account_id else ""
        where = "" if self.bucket == DEFAULT_BUCKET else f" in bucket '{self.bucket}'"
        text = f"Logged in to codex{where}{who}."
        return f"{text} {self.outcome.warning}" if self.outcome.warning else text


class CodexOAuth:
    """OAuthProvider for `codex`, plus login/logout/status for the commands."""

    name = PROVIDER

    def __init__(
        self,
        store: OAuthTokenStore | None = None,
        *,
        lock_dir: Path | None = None,
        client_factory: Callable[[], CodexAuthClient] = CodexAuthClient,
        lock_wait_seconds: float | None = None,
    ) -> None:
        self.store = store or OAuthTokenStore(paths.data_dir() / "oauth-bucket-names.json")
        self._lock_dir = lock_dir
        self._client_factory = client_factory
        self._lock_wait = lock_wait_seconds
        self.buckets: tuple[str, ...] = (DEFAULT_BUCKET,)
        self._index = 0
        self.account_id: str | None = None  # last seen, for the status line (no I/O there)
        self._refreshing: asyncio.Lock | None = None

    # --- buckets --------------------------------------------------------------------------

    @property
    def bucket(self) -> str:
        return self.buckets[self._index]

    def use_buckets(self, buckets: Sequence[str]) -> None:
        """The buckets of this runtime's profile, tried in order on quota errors."""
        names = tuple(validate_bucket(b) for b in buckets) or (DEFAULT_BUCKET,)
        if names != self.buckets:
            self.buckets, self._index, self.account_id = names, 0, None

    def next_bucket(self) -> str | None:
        """Move to the next bucket (after a quota error); None when this was the last."""
        if self._index + 1 >= len(self.buckets):
            return None
        self._index += 1
        self.account_id = None
        return self.bucket

    def describe(self) -> str:
        details = []
        if self.account_id:
            details.append(f"account {short_account(self.account_id)}")
        if self.bucket != DEFAULT_BUCKET:
            details.append(f"bucket {self.bucket}")
        return f"oauth: codex ({', '.join(details)})" if details else "oauth: codex"

    # --- OAuthProvider --------------------------------------------------------------------

    async def get_token(self, request: OAuthTokenRequest) -> OAuthToken | None:
        token = await self.current_token()
        headers = {ACCOUNT_HEADER: token.account_id} if token.account_id else {}
        return OAuthToken(
            token.access_token,
            expires_at=token.expiry - EXPIRY_MARGIN_SECONDS,
            headers=MappingProxyType(headers),
            label=self.describe(),
        )

    async def logout(self, request: OAuthTokenRequest) -> None:
        await self.logout_bucket(self.bucket)

    # --- tokens ---------------------------------------------------------------------------

    async def current_token(self, bucket: str | None = None) -> StoredToken:
        """The bucket's token, refreshed first when it is (about to be) expired."""
        name = validate_bucket(bucket or self.bucket)
        token = await self.store.get(PROVIDER, name)
        if token is None:
            raise OAuthLoginRequiredError(PROVIDER, name, _not_logged_in(name))
        if token.expired():
            token = await self._refresh(name)
        if name == self.bucket:
            self.account_id = token.account_id
        return token

    async def _refresh(self, bucket: str) -> StoredToken:
        if self._refreshing is None:
            self._refreshing = asyncio.Lock()
        lock = RefreshLock(lock_path(PROVIDER, bucket, self._lock_dir))
        if self._lock_wait is not None:
            lock.wait_seconds = self._lock_wait
        async with self._refreshing, lock.hold():
            # Another process (or tab) may have refreshed while we waited for the lock:
            # its new token is in the keyring, and our old refresh token is spent.
            token = await self.store.get(PROVIDER, bucket)
            if token is None:
                raise OAuthLoginRequiredError(PROVIDER, bucket, _not_logged_in(bucket))
            if not token.expired():
                return token
            if not token.refresh_token:
                raise OAuthLoginRequiredError(
                    PROVIDER,
                    bucket,
                    "The codex login has expired and cannot be renewed.",
                    again=True,
                )
            client = self._client_factory()
            try:
                fresh = await client.refresh(token.refresh_token)
            except RefreshRejected as exc:
                raise OAuthLoginRequiredError(
                    PROVIDER,
                    bucket,
                    f"The codex login was revoked or has expired (the server refused to renew "
                    f"it: {exc}).",
                    again=True,
                ) from None
            finally:
                await client.aclose()
            merged = token.merged_refresh(fresh)
            await self.store.save(PROVIDER, merged, bucket)
            return merged

    # --- commands -------------------------------------------------------------------------

    async def login(
        self,
        on_prompt: PromptSink,
        *,
        bucket: str | None = None,
        device: bool = False,
        open_browser: Callable[[str], bool] | None = None,
        ports: tuple[int, ...] | None = None,
    ) -> LoginResult:
        name = validate_bucket(bucket)
        client = self._client_factory()
        try:
            if device:
                token = await device_login(client, on_prompt)
            else:
                token = await browser_login(
                    client, on_prompt, open_browser=open_browser, ports=ports
                )
        finally:
            await client.aclose()
        outcome = await self.store.save(PROVIDER, token, name)
        if name == self.bucket:
            self.account_id = token.account_id
        return LoginResult(name, token.account_id, outcome)

    async def logout_bucket(self, bucket: str) -> bool:
        name = validate_bucket(bucket)
        removed = await self.store.delete(PROVIDER, name)
        if name == self.bucket:
            self.account_id = None
        return removed

    async def status(self) -> list[BucketStatus]:
        found = []
        for name in await self.store.buckets(PROVIDER):
            token = await self.store.get(PROVIDER, name)
            if token is not None:
                found.append(
                    BucketStatus(
                        name,
                        token.account_id,
                        token.expiry,
                        token.expired(),
                        bool(token.refresh_token),
                    )
                )
        return found


def _not_logged_in(bucket: str) -> str:
    where = "" if bucket == DEFAULT_BUCKET else f" (bucket '{bucket}')"
    return f"Not logged in to codex{where}."
