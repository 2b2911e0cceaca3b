"""OAuthManager: one per runtime. Every token request carries the runtime's scope.

llxprt ships no vendor OAuth flow yet; providers of tokens plug in through the
`OAuthProvider` protocol, and the manager keeps their tokens scoped to its runtime.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from llxprt_runtime.auth.token_cache import RuntimeTokenCache


@dataclass(frozen=True, slots=True)
class OAuthToken:
    access_token: str
    expires_at: float | None = None  # time.time() seconds

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
        if not self.supports(provider_id):
            return None
        scope = self._cache.scope(provider_id, profile_id)
        cached = self._cache.get(scope)
        if cached is not None and cached.method.startswith("oauth-"):
            return cached.token
        token = await self._providers[provider_id].get_token(self._request(provider_id, profile_id))
        if token is None:
            return None
        expires = None
        if token.expires_at is not None:
            expires = time.monotonic() + max(0.0, token.expires_at - time.time())
        self._cache.put(
            scope,
            token.access_token,
            method=f"oauth-{provider_id}",
            source=f"OAuth ({provider_id})",
            expires_at=expires,
        )
        return token.access_token

    async def logout(self, provider_id: str) -> int:
        """Revoke with the provider and flush this runtime's tokens for it (only this scope)."""
        provider = self._providers.get(provider_id)
        if provider is not None:
            await provider.logout(self._request(provider_id, None))
        return self._cache.invalidate_provider(provider_id, "logout")

    async def dispose(self) -> None:
        self._providers.clear()
