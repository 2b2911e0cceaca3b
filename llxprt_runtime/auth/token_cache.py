"""The runtime-scoped token cache.

Entries are keyed by (runtime_id, provider_id, profile_id). Each runtime owns one cache,
subscribed to its own SettingsService, so invalidation follows that runtime's changes:
a provider's settings change drops that provider's tokens; a profile change, a `cleared`
event or a change of the global auth settings drops all; disposal flushes everything.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from llxprt_runtime.settings.service import (
    ACTIVE_PROVIDER_KEY,
    CURRENT_PROFILE_KEY,
    SettingsEvent,
    SettingsService,
)

NO_PROFILE = "no-profile"
_GLOBAL_AUTH_KEYS = frozenset({"auth-key", "auth-key-name", "auth-keyfile", ACTIVE_PROVIDER_KEY})


@dataclass(frozen=True, slots=True)
class TokenScope:
    runtime_id: str
    provider_id: str
    profile_id: str


@dataclass(frozen=True, slots=True)
class CachedToken:
    token: str
    method: str
    source: str
    created_at: float
    expires_at: float | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def __repr__(self) -> str:
        return f"CachedToken(method={self.method!r}, source={self.source!r}, token=[REDACTED])"


@dataclass(frozen=True, slots=True)
class Invalidation:
    reason: str
    scopes: tuple[TokenScope, ...]


class RuntimeTokenCache:
    """Cached credentials of one runtime. Never shared between runtimes."""

    def __init__(
        self,
        runtime_id: str,
        settings_service: SettingsService,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runtime_id = runtime_id
        self._settings = settings_service
        self._clock = clock
        self._entries: dict[TokenScope, CachedToken] = {}
        self._unsubscribe: Callable[[], None] | None = settings_service.subscribe(self._on_event)
        self.hits = 0
        self.misses = 0
        self.invalidations: list[Invalidation] = []

    def scope(self, provider_id: str, profile_id: str | None = None) -> TokenScope:
        profile = profile_id or self._settings.current_profile_name or NO_PROFILE
        return TokenScope(self.runtime_id, provider_id, profile)

    def get(self, scope: TokenScope) -> CachedToken | None:
        entry = self._entries.get(scope)
        if entry is not None and entry.expired(self._clock()):
            self._drop(lambda s: s == scope, "expired")
            entry = None
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def put(
        self,
        scope: TokenScope,
        token: str,
        *,
        method: str,
        source: str,
        expires_at: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> CachedToken:
        if scope.runtime_id != self.runtime_id:
            raise ValueError("a runtime's token cache only holds its own runtime's tokens")
        entry = CachedToken(
            token, method, source, self._clock(), expires_at, MappingProxyType(dict(headers or {}))
        )
        self._entries[scope] = entry
        return entry

    def scopes(self) -> list[TokenScope]:
        return list(self._entries)

    def invalidate_provider(self, provider_id: str, reason: str = "provider-change") -> int:
        return self._drop(lambda s: s.provider_id == provider_id, reason)

    def flush(self, reason: str = "runtime-dispose") -> int:
        """Drop every entry and stop listening to the settings (the runtime is going away)."""
        count = self._drop(lambda _s: True, reason)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        return count

    def _on_event(self, event: SettingsEvent) -> None:
        if event.kind == "cleared":
            self._drop(lambda _s: True, "settings-cleared")
        elif event.kind == "provider-change" and event.provider:
            self.invalidate_provider(event.provider)
        elif event.key == CURRENT_PROFILE_KEY:
            self._drop(lambda _s: True, "profile-change")
        elif event.key in _GLOBAL_AUTH_KEYS:
            self._drop(lambda _s: True, "auth-change")

    def _drop(self, predicate: Callable[[TokenScope], bool], reason: str) -> int:
        doomed = tuple(scope for scope in self._entries if predicate(scope))
        for scope in doomed:
            del self._entries[scope]
        if doomed:
            self.invalidations.append(Invalidation(reason, doomed))
        return len(doomed)

    def __repr__(self) -> str:
        return f"RuntimeTokenCache(runtime_id={self.runtime_id!r}, entries={len(self._entries)})"
