"""ProviderRuntimeContext and the active-context slot.

The active context lives in a `contextvars.ContextVar`, so every asyncio task (every tab,
every subagent) sees its own; there is no process-wide "current runtime".
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from types import MappingProxyType

from llxprt_runtime.config import Config
from llxprt_runtime.errors import MissingProviderRuntimeError
from llxprt_runtime.settings.service import SettingsService

_log = logging.getLogger(__name__)

LEGACY_RUNTIME_ID = "legacy-singleton"


@dataclass(frozen=True, slots=True)
class ProviderRuntimeContext:
    """Everything a provider call needs to know about the agent that makes it."""

    settings_service: SettingsService
    config: Config
    runtime_id: str
    metadata: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.config.settings_service is not self.settings_service:
            raise ValueError(
                "ProviderRuntimeContext: config must be bound to the same SettingsService"
            )


_ACTIVE: ContextVar[ProviderRuntimeContext | None] = ContextVar(
    "llxprt_active_provider_runtime_context", default=None
)


def create_provider_runtime_context(
    settings_service: SettingsService | None = None,
    config: Config | None = None,
    runtime_id: str | None = None,
    metadata: Mapping[str, object] | None = None,
) -> ProviderRuntimeContext:
    """Build a context. Missing pieces are created fresh; a missing id becomes legacy-singleton."""
    if config is not None and settings_service is None:
        settings_service = config.settings_service
    settings = settings_service if settings_service is not None else SettingsService()
    bound_config = config if config is not None else Config(settings)
    if runtime_id is not None and not runtime_id.strip():
        raise ValueError(
            f"Invalid runtime_id: expected a non-empty string but received {runtime_id!r}"
        )
    if runtime_id is None:
        _warn_legacy_runtime_once()
    return ProviderRuntimeContext(
        settings_service=settings,
        config=bound_config,
        runtime_id=runtime_id or LEGACY_RUNTIME_ID,
        metadata=MappingProxyType(dict(metadata or {})),
    )


@functools.cache
def _warn_legacy_runtime_once() -> None:
    # functools.cache makes this fire once per process, as the migration guide describes.
    _log.debug(
        "ProviderRuntimeContext created without runtime_id; using '%s'. Runtimes sharing this "
        "id share credentials: pass runtime_id= for isolation.",
        LEGACY_RUNTIME_ID,
    )


def set_active_provider_runtime_context(
    context: ProviderRuntimeContext | None,
) -> Token[ProviderRuntimeContext | None]:
    """Make `context` active in the current execution context (task). Returns a reset token."""
    return _ACTIVE.set(context)


def reset_active_provider_runtime_context(token: Token[ProviderRuntimeContext | None]) -> None:
    _ACTIVE.reset(token)


def get_active_provider_runtime_context() -> ProviderRuntimeContext:
    """The active context, or MissingProviderRuntimeError when none is set in this task."""
    context = _ACTIVE.get()
    if context is None:
        raise MissingProviderRuntimeError(
            None,
            ("runtime",),
            requirement="REQ-SP-002.1",
            message="No active provider runtime context in this task.",
            remediation=(
                "Call activate_isolated_runtime_context() (or "
                "set_active_provider_runtime_context()) before provider operations.",
                "Or pass runtime= explicitly.",
            ),
        )
    return context


def peek_active_provider_runtime_context() -> ProviderRuntimeContext | None:
    """The active context or None; never raises."""
    return _ACTIVE.get()


def clear_active_provider_runtime_context() -> None:
    _ACTIVE.set(None)
