"""Profile snapshots of a runtime: build, apply, save, load, delete, list, default.

A snapshot never contains a secret: `auth-key` and the values of credential headers (the
setting registry decides which) are never written; a keyring reference (`auth-key-name`)
or a keyfile path (`auth-keyfile`) is. Nothing is dropped without a word: loading a file
that holds a secret in plain text warns, and saving names what was left out (or moves an
inline key into the OS keyring under a name). Applying a profile is transactional:
everything is checked first (provider, values, keyring key) and a failure leaves the
runtime exactly as it was.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from llxprt_runtime.auth.oauth_tokens import oauth_buckets
from llxprt_runtime.errors import (
    LlxprtError,
    NoActiveProviderError,
    ProfileError,
)
from llxprt_runtime.profiles.manager import ProfileEntry, validate_profile_name
from llxprt_runtime.profiles.model import AnyProfile, LoadBalancerProfile, Profile
from llxprt_runtime.profiles.user_settings import (
    UserSettings,
    load_user_settings,
    save_user_settings,
)
from llxprt_runtime.runtime.lb_snapshot import (
    apply_load_balancer_profile,
    build_load_balancer_snapshot,
)
from llxprt_runtime.runtime.lifecycle import RuntimeRef, resolve_runtime
from llxprt_runtime.runtime.profile_applying import (
    ProfileLoadResult,
    ProfileSaveResult,
    preflight_profile,
    write_profile_settings,
)
from llxprt_runtime.runtime.provider_mutations import save_active_provider_key
from llxprt_runtime.runtime.registry import RuntimeServices
from llxprt_runtime.settings.registry import (
    SettingValue,
    get_spec,
    is_provider_config_key,
    is_runtime_only_key,
    is_secret_header,
    secret_headers,
)
from llxprt_runtime.urls import display_url


def build_runtime_profile_snapshot(*, runtime: RuntimeRef = None) -> Profile:
    """The runtime's provider, model, params and persistable settings, with no secret."""
    services = resolve_runtime(runtime)
    settings = services.settings_service
    provider = settings.active_provider
    if not provider:
        raise NoActiveProviderError("save a profile")
    info = services.provider_manager.providers.get(provider)
    model = services.config.get_model() or (info.default_model if info else None) or "unknown"

    provider_settings = settings.get_provider_settings(provider)
    model_params = {
        key: value
        for key, value in provider_settings.items()
        if not is_provider_config_key(key) and not is_runtime_only_key(key)
    }
    ephemerals: dict[str, SettingValue] = {}
    for key, value in settings.get_all_global_settings().items():
        spec = get_spec(key)
        if key == "model" or value is None:
            continue
        if spec is None or (spec.persist_to_profile and not spec.runtime_only):
            ephemerals[key] = value
    for key in ("base-url", "auth-keyfile", "custom-headers", "user-agent"):
        value = provider_settings.get(key)
        if value is not None:
            ephemerals.setdefault(key, value)
    for key, value in list(ephemerals.items()):
        if secret_headers(key, value):
            kept = {n: v for n, v in _mapping(value).items() if not is_secret_header(n)}
            if kept:
                ephemerals[key] = kept
            else:
                del ephemerals[key]
    if "auth-key-name" in ephemerals:
        ephemerals.pop("auth-keyfile", None)  # the keyring reference wins, as at load time
    buckets = getattr(services.oauth_manager.provider(provider), "buckets", ())
    named = tuple(buckets) not in ((), ("default",))
    auth = {"type": "oauth", "buckets": list(buckets)} if named else None
    return Profile(
        provider=provider,
        model=model,
        model_params=model_params,
        ephemeral_settings=ephemerals,
        auth=auth,
    )


async def apply_profile_snapshot(
    profile: AnyProfile, *, profile_name: str | None = None, runtime: RuntimeRef = None
) -> ProfileLoadResult:
    """Replace the runtime's provider, model, params and settings with the profile's."""
    services = resolve_runtime(runtime)
    if isinstance(profile, LoadBalancerProfile):
        return await apply_load_balancer_profile(profile, profile_name, services)
    warnings = await preflight_profile(services, profile, profile_name)
    warnings += _plaintext_warnings(profile, profile_name or "(unsaved)")
    settings = services.settings_service
    previous_provider = settings.active_provider
    backup = settings.export_state()
    try:
        _apply(services, profile, profile_name)
    except Exception:
        settings.restore_state(backup)
        raise
    if isinstance(profile.ephemeral_settings.get("auth-key"), str):
        settings.mark_plaintext_key_profile(profile_name or "(unsaved)")
    services.oauth_manager.use_buckets(profile.provider, oauth_buckets(profile.auth))
    base_url = settings.get("base-url")
    messages = [f"Model set to '{profile.model}' for provider '{profile.provider}'."]
    if isinstance(base_url, str):
        messages.append(f"Base URL set to '{display_url(base_url)}'.")
    return ProfileLoadResult(
        profile_name=profile_name,
        provider_name=profile.provider,
        model_name=profile.model,
        provider_changed=previous_provider != profile.provider,
        base_url=base_url if isinstance(base_url, str) else None,
        info_messages=tuple(messages),
        warnings=tuple(warnings),
    )


def _apply(services: RuntimeServices, profile: Profile, profile_name: str | None) -> None:
    settings = services.settings_service
    previous = settings.active_provider
    settings.forget_parked()  # a profile is a whole new state: no earlier provider's values
    for key in settings.get_all_global_settings():
        settings.unset(key)
    for provider in {previous, profile.provider} - {None}:
        assert provider is not None
        settings.clear_provider_settings(provider)
    services.provider_manager.set_active_provider(profile.provider)
    write_profile_settings(settings, profile, profile_name)


def _plaintext_warnings(profile: Profile, label: str) -> list[str]:
    warnings = []
    if isinstance(profile.ephemeral_settings.get("auth-key"), str):
        warnings.append(
            f"Profile '{label}' holds an API key in plain text (auth-key): anyone who can "
            f"read the file can use it. /profile save {label} offers to move it into the "
            "OS keyring."
        )
    headers = [n for k, v in profile.ephemeral_settings.items() for n in secret_headers(k, v)]
    if headers:
        warnings.append(
            f"Profile '{label}' holds credential headers in plain text "
            f"({', '.join(headers)}); saving it again leaves their values out."
        )
    return warnings


def has_inline_profile_key(*, runtime: RuntimeRef = None) -> bool:
    """Whether the key in use came from a profile file in plain text (so saving should
    offer to move it into the OS keyring)."""
    services = resolve_runtime(runtime)
    return services.settings_service.plaintext_key_profile is not None and bool(
        _inline_key(services)
    )


def _inline_key(services: RuntimeServices) -> str | None:
    settings = services.settings_service
    provider = settings.active_provider or ""
    value = settings.get_provider_setting(provider, "auth-key") or settings.get("auth-key")
    return value if isinstance(value, str) and value else None


async def save_profile_snapshot(
    name: str, *, key_name: str | None = None, runtime: RuntimeRef = None
) -> ProfileSaveResult:
    """Save the runtime as profile `name` (overwriting), atomically, mode 0600.

    A key held in memory (typed, `--key`, or inline in a loaded profile) is never written:
    with `key_name` it is first moved into the OS keyring under that name and the profile
    refers to it; otherwise, as with credential headers, the result says it was left out.
    """
    services = resolve_runtime(runtime)
    validate_profile_name(name)
    profile: AnyProfile
    notes: list[str] = []
    left_out: list[str] = []
    if services.provider_manager.active_load_balancer() is not None:
        profile = build_load_balancer_snapshot(services)
    else:
        inline = _inline_key(services)
        if key_name is not None and inline is not None:
            moved = await save_active_provider_key(inline, name=key_name, runtime=services)
            if moved.persisted:
                notes.append(f"its API key was moved into the OS keyring as '{key_name}'")
            else:
                notes.append(f"its API key could not be moved: {moved.message}")
        profile = build_runtime_profile_snapshot(runtime=services)
        left_out = _left_out(services)
    path = await asyncio.to_thread(services.profile_manager.save, name, profile)
    services.settings_service.set_current_profile_name(name)
    message = f"Profile '{name}' saved"
    if notes:
        message += "; " + "; ".join(notes)
    if left_out:
        message += "; left out, as secrets never go into a file: " + "; ".join(left_out)
    return ProfileSaveResult(name, path, profile, message, tuple(left_out))


def _left_out(services: RuntimeServices) -> list[str]:
    settings = services.settings_service
    provider = settings.active_provider or ""
    left_out = []
    if _inline_key(services) is not None:
        left_out.append(
            "this tab's API key (/key save NAME keeps it in the OS keyring; a profile saved "
            "after that refers to it by name)"
        )
    values = [*settings.get_all_global_settings().items()]
    values += settings.get_provider_settings(provider).items()
    headers = sorted({n for key, value in values for n in secret_headers(key, value)})
    if headers:
        left_out.append(
            f"the value of header {', '.join(repr(h) for h in headers)} (credential "
            "headers are runtime-only: set them again after loading; keep an API key in "
            "the OS keyring with /key save NAME)"
        )
    return left_out


def _mapping(value: object) -> dict[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


async def load_profile_by_name(name: str, *, runtime: RuntimeRef = None) -> ProfileLoadResult:
    services = resolve_runtime(runtime)
    profile = await asyncio.to_thread(services.profile_manager.load, name)
    result = await apply_profile_snapshot(profile, profile_name=name, runtime=services)
    file_warnings = await asyncio.to_thread(services.profile_manager.file_warnings, name)
    return replace(result, warnings=(*file_warnings, *result.warnings))


async def delete_profile_by_name(name: str, *, runtime: RuntimeRef = None) -> str:
    services = resolve_runtime(runtime)
    await _refuse_if_a_member(services, name, "deleted")
    await asyncio.to_thread(services.profile_manager.delete, name)
    if await _profile_moved(services, name, None):
        return f"Profile '{name}' deleted (it was the default profile; the default is now cleared)"
    return f"Profile '{name}' deleted"


async def copy_profile(source: str, target: str, *, runtime: RuntimeRef = None) -> str:
    """Save profile `source` again as `target` (a new name; never over an existing one)."""
    services = resolve_runtime(runtime)
    manager = services.profile_manager
    if await asyncio.to_thread(manager.exists, target):  # also validates the name
        raise ProfileError(target, f"Profile '{target}' already exists. Choose another name.")
    profile = await asyncio.to_thread(manager.load, source)  # a broken file raises: not copied
    await asyncio.to_thread(manager.save, target, profile)
    return f"Profile '{source}' duplicated as '{target}'"


async def rename_profile(source: str, target: str, *, runtime: RuntimeRef = None) -> str:
    """Rename profile `source` to `target`; the default profile and this runtime's current
    profile name follow it."""
    services = resolve_runtime(runtime)
    await _refuse_if_a_member(services, source, "renamed")
    await copy_profile(source, target, runtime=services)
    await asyncio.to_thread(services.profile_manager.delete, source)
    await _profile_moved(services, source, target)
    return f"Profile '{source}' renamed to '{target}'"


async def _refuse_if_a_member(services: RuntimeServices, name: str, action: str) -> None:
    """A member of a load balancer stays (as llxprt-code keeps it): the balancer needs it."""
    entries = await asyncio.to_thread(services.profile_manager.list_profiles)
    users = [
        e.name
        for e in entries
        if isinstance(e.profile, LoadBalancerProfile) and name in e.profile.profiles
    ]
    if users:
        raise ProfileError(
            name,
            f"Profile '{name}' is a member of load balancer {', '.join(repr(u) for u in users)}; "
            f"it cannot be {action} while a load balancer uses it.",
        )


async def _profile_moved(services: RuntimeServices, name: str, new_name: str | None) -> bool:
    """Profile `name` is now `new_name` (None: gone). The runtime's current profile name and
    the default profile follow; True when `name` was the default."""
    if services.settings_service.current_profile_name == name:
        services.settings_service.set_current_profile_name(new_name)
    settings = await asyncio.to_thread(_load_user_settings_lenient)
    if settings.default_profile != name:
        return False
    await asyncio.to_thread(_write_default, settings, new_name)
    return True


async def list_saved_profiles(*, runtime: RuntimeRef = None) -> list[ProfileEntry]:
    services = resolve_runtime(runtime)
    return await asyncio.to_thread(services.profile_manager.list_profiles)


async def set_default_profile_name(name: str | None, *, runtime: RuntimeRef = None) -> str:
    """Make `name` load in every new tab (stored in tui.toml); `None` or `none` clears it."""
    services = resolve_runtime(runtime)
    settings = await asyncio.to_thread(load_user_settings)
    if name is None or name.strip().lower() in ("", "none"):
        await asyncio.to_thread(_write_default, settings, None)
        return "Default profile cleared; new tabs start from the command-line flags."
    if not await asyncio.to_thread(services.profile_manager.exists, name):
        raise ProfileError(
            name, f"Profile '{name}' not found. Use /profile list to see saved ones."
        )
    await asyncio.to_thread(_write_default, settings, name)
    return f"Profile '{name}' set as default. It will be loaded automatically on startup."


def _load_user_settings_lenient() -> UserSettings:
    try:
        return load_user_settings()
    except LlxprtError:
        return UserSettings()


def _write_default(settings: UserSettings, name: str | None) -> None:
    save_user_settings(
        UserSettings(name, settings.theme, dict(settings.keymap), dict(settings.extra))
    )
