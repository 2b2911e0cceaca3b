"""Helpers that change a runtime's provider, key, base URL, model, params and settings.

Each is a coroutine acting on the active runtime of the current task, or on `runtime=`.
They return what changed plus user-facing messages; on bad input they raise a typed error
and change nothing.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from llxprt_runtime.auth.keyfile import read_keyfile
from llxprt_runtime.auth.secret_store import validate_key_name
from llxprt_runtime.errors import (
    KeyringUnavailableError,
    LlxprtError,
    LoadBalancerActiveError,
    NamedKeyNotFoundError,
    NoActiveProviderError,
)
from llxprt_runtime.runtime.lifecycle import RuntimeRef, resolve_runtime
from llxprt_runtime.runtime.registry import RuntimeServices
from llxprt_runtime.settings.registry import (
    PRESERVED_ON_PROVIDER_SWITCH,
    SettingValue,
    check_api_key,
    is_provider_config_key,
    require_spec,
    validate_model_param,
)
from llxprt_runtime.settings.service import ParkedProvider
from llxprt_runtime.urls import display_url

_AUTH_KEYS = ("auth-key", "auth-keyfile", "auth-key-name")


@dataclass(frozen=True, slots=True)
class ProviderSwitchResult:
    changed: bool
    previous_provider: str | None
    next_provider: str
    default_model: str | None
    info_messages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MutationResult:
    """The outcome of a key, keyfile or base-URL change."""

    changed: bool
    provider_name: str
    message: str


@dataclass(frozen=True, slots=True)
class ModelChangeResult:
    provider_name: str
    previous_model: str | None
    next_model: str
    message: str


def _active_provider(services: RuntimeServices, action: str) -> str:
    """The provider a one-provider setting goes to: never a load balancer, whose members
    would ignore it (it would be kept, shown as set, and do nothing)."""
    provider = services.settings_service.active_provider
    if not provider:
        raise NoActiveProviderError(action)
    balancer = services.provider_manager.active_load_balancer()
    if balancer is not None:
        raise LoadBalancerActiveError(balancer.name, action)
    return provider


def _blank(value: str | None) -> bool:
    return value is None or not value.strip() or value.strip().lower() == "none"


async def switch_active_provider(
    name: str,
    *,
    runtime: RuntimeRef = None,
    preserve_ephemerals: tuple[str, ...] = (),
) -> ProviderSwitchResult:
    """Make `name` the active provider, following the reference's rules.

    The previous provider's settings (key, base URL, params) are cleared, and so is every
    global setting except context-limit, max_tokens, streaming and `preserve_ephemerals`;
    nothing of one provider reaches the next. What was cleared is parked in the settings
    service and put back when this tab switches back to that provider (its base URL, model,
    params and key source), so a switch there and back loses nothing and never sends the
    next message to the default endpoint by surprise. The messages say where the tab now
    talks to.
    """
    services = resolve_runtime(runtime)
    name = name.strip()
    if not name:
        raise LlxprtError("Provider name is required.")
    manager = services.provider_manager
    info = manager.get_provider_info(name)  # raises ProviderNotAvailableError
    settings = services.settings_service
    previous = settings.active_provider
    if previous == name:
        return ProviderSwitchResult(
            False, previous, name, None, (f"Already using provider: {name}",)
        )

    messages: list[str] = []
    keep = PRESERVED_ON_PROVIDER_SWITCH | set(preserve_ephemerals)
    cleared_globals = {k: v for k, v in settings.get_all_global_settings().items() if k not in keep}
    if previous:
        if settings.get_provider_setting(previous, "base-url") or settings.get("base-url"):
            messages.append(
                f"Cleared custom base URL for provider '{previous}'; default endpoint restored."
            )
        settings.park_provider(previous, settings.get_provider_settings(previous), cleared_globals)
        settings.clear_provider_settings(previous)
    for key in cleared_globals:
        settings.unset(key)
    for key in settings.get_provider_settings(name):
        if not is_provider_config_key(key):  # stale model params of the target
            settings.set_provider_setting(name, key, None)
    parked = settings.take_parked(name)
    if parked is not None:
        _restore_parked(services, name, parked)
        messages.append(
            f"Restored the base URL, model, parameters and key source provider '{name}' "
            "had earlier in this tab."
        )
    manager.set_active_provider(name)

    stored = settings.get_provider_setting(name, "model")
    model = stored if isinstance(stored, str) and stored else info.default_model
    settings.set_provider_setting(name, "model", model)
    messages.append(f"Active model is '{model}' for provider '{name}'.")
    base_url = settings.get_provider_setting(name, "base-url") or settings.get("base-url")
    endpoint = base_url if isinstance(base_url, str) and base_url else info.default_base_url
    messages.append(f"This tab now talks to {display_url(endpoint)}.")
    if info.env_key_names and not any(os.environ.get(v, "").strip() for v in info.env_key_names):
        messages.append("Use /key to set API key if needed.")
    return ProviderSwitchResult(True, previous, name, model, tuple(messages))


def _restore_parked(services: RuntimeServices, provider: str, parked: ParkedProvider) -> None:
    """Put back what `provider` had when the tab left it; a value set since (a preserved
    global such as context-limit) wins over the parked one."""
    settings = services.settings_service
    for key, value in parked.provider_settings.items():
        settings.set_provider_setting(provider, key, value)
    for key, value in parked.global_settings.items():
        if settings.get(key) is None:
            settings.set_passthrough(key, value)


async def update_active_provider_api_key(
    key: str | None, *, runtime: RuntimeRef = None
) -> MutationResult:
    """Set (runtime-only, in memory) or remove (`None`, blank, `none`) the active provider's key."""
    services = resolve_runtime(runtime)
    provider = _active_provider(services, "set an API key")
    settings = services.settings_service
    before = _auth_state(services, provider)
    if _blank(key):
        _clear_auth(services, provider)
        message = f"API key removed for provider '{provider}'"
    else:
        assert key is not None
        key = check_api_key(key)  # before anything changes
        _clear_auth(services, provider)
        settings.set_provider_setting(provider, "auth-key", key)
        settings.set("auth-key", key)
        message = f"API key updated for provider '{provider}' (kept for this runtime only)"
    return MutationResult(before != _auth_state(services, provider), provider, message)


async def update_active_provider_keyfile(
    path: str | None, *, runtime: RuntimeRef = None
) -> MutationResult:
    """Use the key in `path` (checked now) for the active provider; `None`/`none` removes it."""
    services = resolve_runtime(runtime)
    provider = _active_provider(services, "set a keyfile")
    before = _auth_state(services, provider)
    if _blank(path):
        _clear_auth(services, provider)
        return MutationResult(
            before != _auth_state(services, provider),
            provider,
            f"Keyfile and API key removed for provider '{provider}'",
        )
    assert path is not None
    keyfile = await asyncio.to_thread(read_keyfile, path.strip())  # KeyfileError says why not
    _clear_auth(services, provider)
    services.auth.remember_keyfile(path, keyfile.key)  # read once per change, not per request
    settings = services.settings_service
    settings.set_provider_setting(provider, "auth-keyfile", path.strip())
    settings.set("auth-keyfile", path.strip())
    message = f"API key loaded from {path.strip()} for provider '{provider}'"
    return MutationResult(
        before != _auth_state(services, provider),
        provider,
        ". ".join((message, *keyfile.warnings)),
    )


async def use_named_key(name: str, *, runtime: RuntimeRef = None) -> MutationResult:
    """Use the keyring key `name` for the active provider (checked to exist first)."""
    services = resolve_runtime(runtime)
    provider = _active_provider(services, "load a key")
    validate_key_name(name)
    value = await services.secret_store.get(name)
    if value is None:
        raise NamedKeyNotFoundError(name)
    check_api_key(value, f"The keyring key '{name}'")
    before = _auth_state(services, provider)
    _clear_auth(services, provider)
    services.settings_service.set("auth-key-name", name)
    return MutationResult(
        before != _auth_state(services, provider),
        provider,
        f"Loaded key '{name}' — active for this session",
    )


@dataclass(frozen=True, slots=True)
class KeySaveResult:
    """Where a typed key ended up: the keyring under `key_name`, or this runtime only."""

    provider_name: str
    key_name: str | None
    persisted: bool
    message: str


async def save_active_provider_key(
    value: str, *, name: str | None = None, runtime: RuntimeRef = None
) -> KeySaveResult:
    """Save a typed key in the OS keyring under `name` (default: the provider's name) and
    use it through that name; a later profile save stores only the name.

    When no keyring is usable the key is kept in this runtime's memory only, and the
    result says it will not persist. Raises for an invalid name or an empty value.
    """
    services = resolve_runtime(runtime)
    provider = _active_provider(services, "save a key")
    key_name = validate_key_name((name or provider).strip())
    if not value.strip():
        raise LlxprtError("API key value cannot be empty.")
    value = check_api_key(value)
    try:
        await services.secret_store.save(key_name, value)
    except KeyringUnavailableError as exc:
        await update_active_provider_api_key(value, runtime=services)
        return KeySaveResult(provider, None, False, str(exc))
    _clear_auth(services, provider)
    services.settings_service.set("auth-key-name", key_name)
    return KeySaveResult(
        provider, key_name, True, f"Saved key '{key_name}' to the OS keyring and using it."
    )


def _auth_state(services: RuntimeServices, provider: str) -> tuple[SettingValue, ...]:
    settings = services.settings_service
    return tuple(
        [settings.get_provider_setting(provider, k) for k in _AUTH_KEYS]
        + [settings.get(k) for k in _AUTH_KEYS]
    )


def _clear_auth(services: RuntimeServices, provider: str) -> None:
    settings = services.settings_service
    for key in _AUTH_KEYS:
        settings.set_provider_setting(provider, key, None)
        settings.unset(key)


async def update_active_provider_base_url(
    url: str | None, *, runtime: RuntimeRef = None
) -> MutationResult:
    """Point the active provider at `url`; `None`, blank or `none` restores the default."""
    services = resolve_runtime(runtime)
    provider = _active_provider(services, "set a base URL")
    settings = services.settings_service
    before = (settings.get_provider_setting(provider, "base-url"), settings.get("base-url"))
    if _blank(url):
        settings.set_provider_setting(provider, "base-url", None)
        settings.unset("base-url")
        message = f"Base URL cleared; provider '{provider}' now uses the default endpoint."
    else:
        assert url is not None
        value = settings.set("base-url", url.strip())  # validates before anything changes
        settings.set_provider_setting(provider, "base-url", value)
        shown = display_url(value) if isinstance(value, str) else value
        message = f"Base URL updated to '{shown}' for provider '{provider}'."
    after = (settings.get_provider_setting(provider, "base-url"), settings.get("base-url"))
    return MutationResult(before != after, provider, message)


async def set_active_model(model: str, *, runtime: RuntimeRef = None) -> ModelChangeResult:
    services = resolve_runtime(runtime)
    provider = _active_provider(services, "set a model")
    model = model.strip()
    if not model:
        raise LlxprtError("Model name is required.")
    previous = services.config.get_model()
    services.settings_service.set_provider_setting(provider, "model", model)
    message = (
        f"Switched from {previous} to {model} in provider '{provider}'"
        if previous and previous != model
        else f"Model set to '{model}' for provider '{provider}'."
    )
    return ModelChangeResult(provider, previous, model, message)


async def set_active_model_param(
    name: str, value: object, *, runtime: RuntimeRef = None
) -> tuple[str, SettingValue]:
    """Set (or with `None` clear) a model parameter of the active provider.

    Returns the canonical name and the stored value; raises SettingValidationError.
    """
    services = resolve_runtime(runtime)
    provider = _active_provider(services, "set model parameters")
    canonical, normalized = validate_model_param(name, value) if value is not None else (name, None)
    services.settings_service.set_provider_setting(provider, canonical, normalized)
    return canonical, normalized


async def set_ephemeral_setting(
    key: str, value: object, *, runtime: RuntimeRef = None
) -> tuple[str, SettingValue]:
    """Set (or with `None` unset) a global setting; raises SettingValidationError."""
    services = resolve_runtime(runtime)
    canonical = require_spec(key).key
    return canonical, services.config.set_ephemeral_setting(canonical, value)
