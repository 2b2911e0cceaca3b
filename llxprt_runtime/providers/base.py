"""The provider contract: IProvider, GenerateChatOptions and what ProviderManager resolves.

Providers are stateless executors: everything a call needs arrives in GenerateChatOptions,
with `resolved` (model, base URL, credential, params, the runtime's SDK client cache)
filled by ProviderManager.prepare_stateless_provider_invocation().
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from llxprt_runtime.config import Config
from llxprt_runtime.providers.catalog import ProviderInfo
from llxprt_runtime.providers.clients import ClientKey, SdkClientCache
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.providers.retry import RetryListener
from llxprt_runtime.runtime_context import ProviderRuntimeContext
from llxprt_runtime.settings.registry import SettingValue
from llxprt_runtime.settings.service import SettingsService
from llxprt_runtime.urls import display_url

if TYPE_CHECKING:
    from llxprt_runtime.auth.oauth import OAuthManager

_Client = TypeVar("_Client")


@dataclass(frozen=True, slots=True)
class ToolDeclaration:
    """A function the model may call; `parameters` is a JSON Schema object."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    provider: str
    display_name: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedOptions:
    """Per-call values normalized by ProviderManager; providers never recompute them."""

    model: str
    base_url: str
    auth_token: str | None
    runtime_id: str
    auth_method: str | None = None
    auth_source: str = "none"
    model_params: Mapping[str, SettingValue] = field(default_factory=lambda: MappingProxyType({}))
    settings: Mapping[str, SettingValue] = field(default_factory=lambda: MappingProxyType({}))
    clients: SdkClientCache | None = None
    #: headers that go with the credential (an OAuth login's account id), never logged
    auth_headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: the runtime's OAuth logins: a provider moves to the next bucket through it (codex)
    oauth: OAuthManager | None = None

    def setting(self, key: str, default: SettingValue = None) -> SettingValue:
        value = self.settings.get(key)
        return default if value is None else value

    @property
    def streaming(self) -> bool:
        return self.settings.get("streaming") != "disabled"

    @property
    def headers(self) -> dict[str, str]:
        """custom-headers plus user-agent, as sent on every request."""
        headers: dict[str, str] = {}
        custom = self.settings.get("custom-headers")
        if isinstance(custom, Mapping):
            headers.update({str(k): str(v) for k, v in custom.items()})
        agent = self.settings.get("user-agent")
        if isinstance(agent, str):
            headers["User-Agent"] = agent
        return headers

    @property
    def timeout_seconds(self) -> float | None:
        value = self.settings.get("socket-timeout")
        return value / 1000 if isinstance(value, int | float) else None

    def cached_client(
        self,
        provider: str,
        build: Callable[[], _Client],
        close: Callable[[_Client], Awaitable[None]],
        variant: str = "",
    ) -> _Client:
        """The runtime's SDK client for these options (same URL, key, headers, timeout and
        `variant` → the same client), built with `build` on first use."""
        assert self.clients is not None, "call through ProviderManager (require_resolved)"
        key = ClientKey.build(
            self.runtime_id,
            provider,
            self.base_url,
            self.auth_token,
            self.headers,
            self.timeout_seconds,
            variant,
        )
        return self.clients.get_or_create(key, build, close)

    def __repr__(self) -> str:
        token = "[REDACTED]" if self.auth_token else None
        return (
            f"ResolvedOptions(model={self.model!r}, base_url={display_url(self.base_url)!r}, "
            f"auth_token={token}, auth_source={self.auth_source!r}, runtime_id={self.runtime_id!r})"
        )


@dataclass(frozen=True, slots=True)
class GenerateChatOptions:
    contents: Sequence[IContent]
    tools: Sequence[ToolDeclaration] | None = None
    settings: SettingsService | None = None
    config: Config | None = None
    runtime: ProviderRuntimeContext | None = None
    metadata: Mapping[str, object] | None = None
    resolved: ResolvedOptions | None = None
    system_prompt: str | None = None
    # Told of each retry before its wait (providers/retry.py RetryEvent); UI-free.
    on_retry: RetryListener | None = None


@runtime_checkable
class IProvider(Protocol):
    """What every provider implements. Providers hold no per-call state (REQ-SP-001)."""

    name: str
    is_default: bool

    async def get_models(self, options: GenerateChatOptions | None = None) -> list[ModelInfo]: ...

    def generate_chat_completion(self, options: GenerateChatOptions) -> AsyncIterator[IContent]: ...

    def get_default_model(self) -> str: ...

    def get_server_tools(self) -> list[str]: ...

    async def invoke_server_tool(
        self, name: str, params: Mapping[str, Any], config: Config | None = None
    ) -> Any: ...


class BaseProvider:
    """Shared behaviour: catalogue data, fallback model lists and the deprecated no-op hooks."""

    is_default = False

    def __init__(self, info: ProviderInfo) -> None:
        self.info = info
        self.name = info.name

    def get_default_model(self) -> str:
        return self.info.default_model

    def get_server_tools(self) -> list[str]:
        return []

    async def invoke_server_tool(
        self, name: str, params: Mapping[str, Any], config: Config | None = None
    ) -> Any:
        raise NotImplementedError(f"Provider '{self.name}' has no server tool '{name}'.")

    def fallback_models(self) -> list[ModelInfo]:
        return [ModelInfo(model, self.name) for model in self.info.fallback_models]

    # Deprecated hooks (the interface reference keeps them for compatibility): providers are
    # stateless, so there is nothing to configure, clear or forget.
    def set_config(self, config: object) -> None:
        """Deprecated no-op: pass `config` in GenerateChatOptions."""

    def clear_state(self) -> None:
        """Deprecated no-op: state lives in the runtime, not the provider."""

    def clear_auth(self) -> None:
        """Deprecated no-op: auth is resolved per call by the runtime."""

    def clear_auth_cache(self) -> None:
        """Deprecated no-op: the runtime's token cache is invalidated by its settings."""


def require_resolved(options: GenerateChatOptions, provider: str) -> ResolvedOptions:
    """Providers call this first: an unprepared call is a programming error, said clearly."""
    if options.resolved is None or options.resolved.clients is None:
        from llxprt_runtime.errors import MissingProviderRuntimeError

        raise MissingProviderRuntimeError(
            provider,
            ("resolved",),
            stage="generate_chat_completion",
            message=f"Provider {provider} was called without resolved options.",
            remediation=(
                "Call through ProviderManager.generate_chat_completion(), which runs "
                "prepare_stateless_provider_invocation() first.",
            ),
        )
    return options.resolved
