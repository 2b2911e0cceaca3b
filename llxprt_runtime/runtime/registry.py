"""The runtime registry: per runtime_id, the services bound to that runtime.

A registry object is reached through a ContextVar (no module-level instance). The app or a
test sets one with `use_runtime_registry()`; child asyncio tasks inherit the same object.
When none is set, the first use creates one in the current context.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from llxprt_runtime.auth.oauth import OAuthManager
from llxprt_runtime.auth.resolver import AuthPrecedenceResolver
from llxprt_runtime.auth.secret_store import SecretStore
from llxprt_runtime.auth.token_cache import RuntimeTokenCache
from llxprt_runtime.config import Config
from llxprt_runtime.errors import MissingProviderRuntimeError
from llxprt_runtime.profiles.manager import ProfileManager
from llxprt_runtime.providers.manager import ProviderManager
from llxprt_runtime.runtime_context import ProviderRuntimeContext
from llxprt_runtime.settings.service import SettingsService


@dataclass(slots=True, eq=False)
class RuntimeServices:
    """Everything one runtime owns. Helpers accept it (or its context) as `runtime=`."""

    context: ProviderRuntimeContext
    provider_manager: ProviderManager
    oauth_manager: OAuthManager
    profile_manager: ProfileManager
    token_cache: RuntimeTokenCache
    secret_store: SecretStore
    auth: AuthPrecedenceResolver
    disposed: bool = False

    @property
    def runtime_id(self) -> str:
        return self.context.runtime_id

    @property
    def settings_service(self) -> SettingsService:
        return self.context.settings_service

    @property
    def config(self) -> Config:
        return self.context.config

    @property
    def metadata(self) -> Mapping[str, object]:
        return self.context.metadata

    def __repr__(self) -> str:
        state = "disposed" if self.disposed else "live"
        return f"RuntimeServices(runtime_id={self.runtime_id!r}, {state})"


class RuntimeRegistry:
    """Maps runtime ids to their services."""

    def __init__(self) -> None:
        self._entries: dict[str, RuntimeServices] = {}

    def register(self, services: RuntimeServices) -> None:
        runtime_id = services.runtime_id
        current = self._entries.get(runtime_id)
        if current is not None and current is not services:
            raise ValueError(f"Runtime '{runtime_id}' is already registered")
        self._entries[runtime_id] = services

    def get(self, runtime_id: str) -> RuntimeServices | None:
        return self._entries.get(runtime_id)

    def require(self, runtime_id: str) -> RuntimeServices:
        services = self._entries.get(runtime_id)
        if services is None:
            raise MissingProviderRuntimeError(
                None,
                ("registration",),
                requirement="REQ-SP-003",
                message=f"Runtime '{runtime_id}' has no runtime registration (never activated, "
                "or already disposed).",
                remediation=(
                    "Call activate_isolated_runtime_context() to create and register a runtime.",
                ),
            )
        return services

    def remove(self, runtime_id: str) -> RuntimeServices | None:
        return self._entries.pop(runtime_id, None)

    def runtime_ids(self) -> list[str]:
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


_REGISTRY: ContextVar[RuntimeRegistry | None] = ContextVar("llxprt_runtime_registry", default=None)


def current_runtime_registry() -> RuntimeRegistry:
    """The registry of this execution context, created here on first use."""
    registry = _REGISTRY.get()
    if registry is None:
        registry = RuntimeRegistry()
        _REGISTRY.set(registry)
    return registry


@contextmanager
def use_runtime_registry(registry: RuntimeRegistry | None = None) -> Iterator[RuntimeRegistry]:
    """Make `registry` (a new one by default) current for the duration of the block."""
    active = registry if registry is not None else RuntimeRegistry()
    token = _REGISTRY.set(active)
    try:
        yield active
    finally:
        _REGISTRY.reset(token)
