"""What a runtime is set to, in one value: the status line, the pickers and `/key` read this
instead of each asking the settings, the provider table and the key resolver themselves.

`describe()` reads no secret and does no I/O (no keyring, no keyfile, no SDK import): it is
cheap enough to call on every redraw, and the key is only ever named by where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from llxprt_runtime.providers.load_balancer import LoadBalancer
from llxprt_runtime.runtime.lifecycle import RuntimeRef, resolve_runtime
from llxprt_runtime.runtime.registry import RuntimeServices
from llxprt_runtime.settings.registry import SettingValue
from llxprt_runtime.urls import display_url


@dataclass(frozen=True, slots=True)
class BalancerSummary:
    """The active load balancer: its name, its policy and the member that served last."""

    name: str
    policy: str
    last_member: str | None = None  # "member (provider model)", None before the first reply


@dataclass(frozen=True, slots=True)
class RuntimeSummary:
    """One runtime's provider, model, profile, key source, endpoint and streaming setting.

    `provider` is None until one is chosen (then every other field is empty). On a load
    balancer, `balancer` is set and the model, key and endpoint are the members' own (None).
    """

    provider: str | None
    model: str | None = None
    profile: str | None = None
    #: Where the key would come from ("keyring: work", "env: OPENAI_API_KEY", "none"), never
    #: the key itself.
    key_source: str | None = None
    #: The base URL a call would use, any `user:password@` masked.
    endpoint: str | None = None
    #: Whether `endpoint` is the provider's own default (the status line omits it then).
    endpoint_is_default: bool = True
    #: Whether replies are asked for as a stream (the `streaming` setting).
    streaming: bool = True
    balancer: BalancerSummary | None = None


def describe(runtime: RuntimeRef = None) -> RuntimeSummary:
    """The summary of `runtime` (its services or context; the active runtime when None)."""
    services = resolve_runtime(runtime)
    settings = services.settings_service
    profile = settings.current_profile_name
    provider = settings.active_provider
    if not provider:
        return RuntimeSummary(provider=None, profile=profile)
    streaming = _setting(services, provider, "streaming") != "disabled"
    balancer = services.provider_manager.active_load_balancer()
    if balancer is not None:
        return RuntimeSummary(
            provider=provider,
            profile=profile,
            streaming=streaming,
            balancer=_balancer(balancer),
        )
    info = services.provider_manager.get_provider_info(provider)
    base_url = _setting(services, provider, "base-url")
    endpoint = base_url if isinstance(base_url, str) and base_url else info.default_base_url
    return RuntimeSummary(
        provider=provider,
        model=services.config.get_model() or info.default_model or None,
        profile=profile,
        key_source=key_source(services, provider),
        endpoint=display_url(endpoint),
        endpoint_is_default=endpoint.rstrip("/") == info.default_base_url,
        streaming=streaming,
    )


def key_source(runtime: RuntimeRef, provider: str) -> str:
    """Where `provider`'s key would come from in `runtime` ("none" when nowhere), without
    reading any secret: the same order the call itself resolves it in."""
    services = resolve_runtime(runtime)
    info = services.provider_manager.get_provider_info(provider)
    return services.auth.describe(provider, info.env_key_names)


async def resolved_key_source(runtime: RuntimeRef, provider: str) -> str | None:
    """Where `provider`'s key comes from, after reading it (keyring, keyfile) to be sure it
    is there; None when there is none. Raises the LlxprtError saying why a key that is set
    cannot be used (a keyring key that is missing, an unreadable keyfile)."""
    services = resolve_runtime(runtime)
    info = services.provider_manager.get_provider_info(provider)
    resolved = await services.auth.resolve(provider, info.env_key_names)
    return resolved.source if resolved.token else None


def _setting(services: RuntimeServices, provider: str, key: str) -> SettingValue:
    """The active provider's own value, else the global one (as a call resolves it)."""
    settings = services.settings_service
    value = settings.get_provider_setting(provider, key)
    return settings.get(key) if value is None else value


def _balancer(balancer: LoadBalancer) -> BalancerSummary:
    served = balancer.last_served
    last = f"{served.name} ({served.provider} {served.model})" if served else None
    return BalancerSummary(balancer.name, balancer.policy, last)
