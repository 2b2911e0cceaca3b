"""llxprt_runtime: the UI-free stateless provider runtime.

Every agent (a tab, a subagent) owns a ProviderRuntimeContext with its own SettingsService
and Config. Importing this package imports neither Textual nor any provider SDK.
"""

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
    SecretStoreError,
    SettingValidationError,
)
from llxprt_runtime.prompts import get_core_system_prompt
from llxprt_runtime.runtime.context import (
    LEGACY_RUNTIME_ID,
    ProviderRuntimeContext,
    clear_active_provider_runtime_context,
    create_provider_runtime_context,
    get_active_provider_runtime_context,
    peek_active_provider_runtime_context,
    set_active_provider_runtime_context,
)
from llxprt_runtime.runtime.registry import (
    RuntimeRegistry,
    RuntimeServices,
    current_runtime_registry,
    use_runtime_registry,
)
from llxprt_runtime.settings import SettingsEvent, SettingsService

__version__ = "0.1.0"

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
