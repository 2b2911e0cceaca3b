"""OAuthManager: one per runtime. Every token request carries the runtime's scope.

Providers of tokens (codex_oauth.CodexOAuth) plug in through the `OAuthProvider`
protocol, and the manager keeps their tokens scoped to its runtime.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from llxprt_runtime.auth.token_cache import RuntimeTokenCache

_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class OAuthToken:
    access_token: str
    expires_at: float | None = None  # time.time() seconds
    #: sent with the token (codex: ChatGPT-Account-ID)
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_HEADERS)
    label: str | None = None  # where it came from, for status lines

    def __repr__(self) -> str:
        return f"OAuthToken(expires_at={self.expires_at!r}, access_token=[REDACTED])"


@dataclass(frozen=True, slots=True)
class OAuthTokenRequest:
    """What a token request says about who asks: the runtime scope is always present."""

    provider_id: str
    runtime_id: str
    runtime_auth_scope_id: str
    profile_id: str
    runtime_metadata: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class OAuthCredential:
    token: str
    headers: Mapping[str, str]
    source: str

    def __repr__(self) -> str:
        return f"OAuthCredential(source={self.source!r}, token=[REDACTED])"


class OAuthProvider(Protocol):
    name: str

    async def get_token(self, request: OAuthTokenRequest) -> OAuthToken | None: ...

    async def logout(self, request: OAuthTokenRequest) -> None: ...


class OAuthManager:
    """Hands out OAuth tokens for one runtime, cached in that runtime's token cache."""

    def __init__(
        self,
        runtime_id: str,
        token_cache: RuntimeTokenCache,
        runtime_metadata: Mapping[str, object] | None = None,
    ) -> None:
        self.runtime_id = runtime_id
        self._cache = token_cache
        self._metadata = MappingProxyType(dict(runtime_metadata or {}))
        self._providers: dict[str, OAuthProvider] = {}
        self._disabled: set[str] = set()

    def register_provider(self, provider: OAuthProvider) -> None:
        self._providers[provider.name] = provider

    def supports(self, provider_id: str) -> bool:
        return provider_id in self._providers and provider_id not in self._disabled

    def set_enabled(self, provider_id: str, enabled: bool) -> None:
        if enabled:
            self._disabled.discard(provider_id)
        else:
            self._disabled.add(provider_id)
            self._cache.invalidate_provider(provider_id, "oauth-disabled")

    def _request(self, provider_id: str, profile_id: str | None) -> OAuthTokenRequest:
        scope = self._cache.scope(provider_id, profile_id)
        return OAuthTokenRequest(
            provider_id=provider_id,
            runtime_id=self.runtime_id,
            runtime_auth_scope_id=f"{scope.runtime_id}::{scope.provider_id}::{scope.profile_id}",
            profile_id=scope.profile_id,
            runtime_metadata=self._metadata,
        )

    async def get_token(self, provider_id: str, profile_id: str | None = None) -> str | None:
        """A token for `provider_id` in this runtime, from the cache or from its OAuthProvider."""
        credential = await self.get_credential(provider_id, profile_id)
        return credential.token if credential is not None else None

    async def get_credential(
        self, provider_id: str, profile_id: str | None = None
    ) -> OAuthCredential | None:
        """Token, the headers that go with it, and where it came from (cached per scope)."""
        if not self.supports(provider_id):
            return None
        scope = self._cache.scope(provider_id, profile_id)
        cached = self._cache.get(scope)
        if cached is not None and cached.method.startswith("oauth-"):
            return OAuthCredential(cached.token, cached.headers, cached.source)
        token = await self._providers[provider_id].get_token(self._request(provider_id, profile_id))
        if token is None:
            return None
        expires = None
        if token.expires_at is not None:
            expires = time.monotonic() + max(0.0, token.expires_at - time.time())
        entry = self._cache.put(
            scope,
            token.access_token,
            method=f"oauth-{provider_id}",
            source=token.label or f"OAuth ({provider_id})",
            expires_at=expires,
            headers=token.headers,
        )
        return OAuthCredential(entry.token, entry.headers, entry.source)

    def provider(self, provider_id: str) -> OAuthProvider | None:
        return self._providers.get(provider_id)

    def describe(self, provider_id: str) -> str:
        """Where an OAuth token for `provider_id` comes from, without any I/O."""
        describe = getattr(self._providers.get(provider_id), "describe", None)
        return str(describe()) if callable(describe) else f"OAuth ({provider_id})"

    def fail_over(self, provider_id: str) -> str | None:
        """Move `provider_id` to its next bucket (after a quota error) and drop the cached
        token; the new bucket's name, or None when there is no other bucket."""
        advance = getattr(self._providers.get(provider_id), "next_bucket", None)
        bucket = advance() if callable(advance) else None
        if bucket is not None:
            self._cache.invalidate_provider(provider_id, "bucket-failover")
        return str(bucket) if bucket is not None else None

    def use_buckets(self, provider_id: str, buckets: Sequence[str]) -> None:
        """The login buckets a profile names for `provider_id` (tried in order)."""
        use = getattr(self._providers.get(provider_id), "use_buckets", None)
        if callable(use):
            use(buckets)
            self._cache.invalidate_provider(provider_id, "buckets")

    def forget(self, provider_id: str, reason: str = "login") -> int:
        """Drop this runtime's cached tokens of `provider_id` (after a login or logout)."""
        return self._cache.invalidate_provider(provider_id, reason)

    async def logout(self, provider_id: str) -> int:
        """Revoke with the provider and flush this runtime's tokens for it (only this scope)."""
        provider = self._providers.get(provider_id)
        if provider is not None:
            await provider.logout(self._request(provider_id, None))
        return self._cache.invalidate_provider(provider_id, "logout")

    async def dispose(self) -> None:
        self._providers.clear()
