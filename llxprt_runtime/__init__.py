"""llxprt_runtime: the UI-free stateless provider runtime.

Every agent (a tab, a subagent) owns a ProviderRuntimeContext with its own SettingsService
and Config. Importing this package imports neither Textual nor any provider SDK, and almost nothing
else: the public names below are loaded on first use (PEP 562), so `llxprt --version`
stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llxprt_runtime.lazy_exports import lazy_getattr

__version__ = "0.1.0"

_EXPORTS = {
    "Config": "llxprt_runtime.config",
    "KeyfileError": "llxprt_runtime.errors",
    "KeyringUnavailableError": "llxprt_runtime.errors",
    "LEGACY_RUNTIME_ID": "llxprt_runtime.runtime_context",
    "LlxprtError": "llxprt_runtime.errors",
    "MissingProviderRuntimeError": "llxprt_runtime.errors",
    "NamedKeyNotFoundError": "llxprt_runtime.errors",
    "NoActiveProviderError": "llxprt_runtime.errors",
    "ProfileError": "llxprt_runtime.errors",
    "ProviderNotAvailableError": "llxprt_runtime.errors",
    "ProviderRuntimeContext": "llxprt_runtime.runtime_context",
    "ProviderRuntimeNormalizationError": "llxprt_runtime.errors",
    "RuntimeDisposedError": "llxprt_runtime.errors",
    "RuntimeRegistry": "llxprt_runtime.runtime.registry",
    "RuntimeServices": "llxprt_runtime.runtime.registry",
    "SecretStoreError": "llxprt_runtime.errors",
    "SettingValidationError": "llxprt_runtime.errors",
    "SettingsEvent": "llxprt_runtime.settings",
    "SettingsService": "llxprt_runtime.settings",
    "clear_active_provider_runtime_context": "llxprt_runtime.runtime_context",
    "create_provider_runtime_context": "llxprt_runtime.runtime_context",
    "current_runtime_registry": "llxprt_runtime.runtime.registry",
    "get_active_provider_runtime_context": "llxprt_runtime.runtime_context",
    "get_core_system_prompt": "llxprt_runtime.prompts",
    "peek_active_provider_runtime_context": "llxprt_runtime.runtime_context",
    "set_active_provider_runtime_context": "llxprt_runtime.runtime_context",
    "use_runtime_registry": "llxprt_runtime.runtime.registry",
}

if TYPE_CHECKING:
    from llxprt_runtime.config import Config
    from llxprt_runtime.errors import (
        KeyfileError,
        KeyringUnavailableError,
        LlxprtError,
        MissingProviderRuntimeError,
        NamedKeyNotFoundError,
        NoActiveProviderError,
        ProfileError,
        ProviderNotAvailableError,
        ProviderRuntimeNormalizationError,
        RuntimeDisposedError,
        SecretStoreError,
        SettingValidationError,
    )
    from llxprt_runtime.prompts import get_core_system_prompt
    from llxprt_runtime.runtime.registry import (
        RuntimeRegistry,
        RuntimeServices,
        current_runtime_registry,
        use_runtime_registry,
    )
    from llxprt_runtime.runtime_context import (
        LEGACY_RUNTIME_ID,
        ProviderRuntimeContext,
        clear_active_provider_runtime_context,
        create_provider_runtime_context,
        get_active_provider_runtime_context,
        peek_active_provider_runtime_context,
        set_active_provider_runtime_context,
    )
    from llxprt_runtime.settings import SettingsEvent, SettingsService


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


__all__ = [
    "LEGACY_RUNTIME_ID",
    "Config",
    "KeyfileError",
    "KeyringUnavailableError",
    "LlxprtError",
    "MissingProviderRuntimeError",
    "NamedKeyNotFoundError",
    "NoActiveProviderError",
    "ProfileError",
    "ProviderNotAvailableError",
    "ProviderRuntimeContext",
    "ProviderRuntimeNormalizationError",
    "RuntimeDisposedError",
    "RuntimeRegistry",
    "RuntimeServices",
    "SecretStoreError",
    "SettingValidationError",
    "SettingsEvent",
    "SettingsService",
    "__version__",
    "clear_active_provider_runtime_context",
    "create_provider_runtime_context",
    "current_runtime_registry",
    "get_active_provider_runtime_context",
    "get_core_system_prompt",
    "peek_active_provider_runtime_context",
    "set_active_provider_runtime_context",
    "use_runtime_registry",
]
