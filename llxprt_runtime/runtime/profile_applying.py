"""What applying either kind of profile shares (a plain one in snapshot.py, a load balancer
in lb_snapshot.py): the results, the checks made before anything changes, and writing a
profile's values into a SettingsService."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from llxprt_runtime.auth.keyfile import read_keyfile
from llxprt_runtime.auth.oauth_tokens import oauth_buckets
from llxprt_runtime.errors import (
    KeyfileError,
    LlxprtError,
    ProfileError,
)
from llxprt_runtime.profiles.model import AnyProfile, Profile
from llxprt_runtime.runtime.registry import RuntimeServices
from llxprt_runtime.settings.service import SettingsService

# Provider-scoped settings that the helpers mirror into the global map.
_MIRRORED_PROVIDER_KEYS = ("base-url", "auth-keyfile", "auth-key")


@dataclass(frozen=True, slots=True)
class ProfileLoadResult:
    profile_name: str | None
    provider_name: str
    model_name: str
    provider_changed: bool
    base_url: str | None
    info_messages: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProfileSaveResult:
    profile_name: str
    path: Path
    profile: AnyProfile
    message: str
    left_out: tuple[str, ...] = ()  # what a file must not hold, named (never the values)


async def preflight_profile(
    services: RuntimeServices, profile: Profile, profile_name: str | None
) -> list[str]:
    """Check a profile before anything changes: its provider is available and its keyring
    key is there (ProfileError otherwise). Returns warnings (an unreadable keyfile)."""
    label = profile_name or "(unsaved)"
    manager = services.provider_manager
    if not manager.has_provider(profile.provider):
        raise ProfileError(
            label,
            f"{manager.unavailable(profile.provider)} Profile not applied.",
        )
    try:
        oauth_buckets(profile.auth)
    except LlxprtError as exc:
        raise ProfileError(label, f"Profile '{label}': {exc} Profile not applied.") from None
    warnings: list[str] = []
    key_name = profile.ephemeral_settings.get("auth-key-name")
    if isinstance(key_name, str) and key_name:
        try:
            found = await services.secret_store.get(key_name)
        except LlxprtError as exc:
            raise ProfileError(
                label,
                f"Profile '{label}' uses keyring key '{key_name}': {exc} Profile not applied.",
            ) from None
        if found is None:
            raise ProfileError(
                label,
                f"Profile '{label}' uses keyring key '{key_name}', which is not in the keyring. "
                f"Save it with /key save {key_name} <key>, then load the profile again. "
                "Profile not applied.",
            )
    keyfile = profile.ephemeral_settings.get("auth-keyfile")
    if isinstance(keyfile, str) and keyfile and not key_name:
        try:
            read = await asyncio.to_thread(read_keyfile, keyfile)
            services.auth.remember_keyfile(keyfile, read.key)
            warnings.extend(read.warnings)
        except KeyfileError as exc:
            warnings.append(f"{exc} Requests will fail until it is fixed or another key is set.")
    return warnings


def write_profile_settings(
    settings: SettingsService, profile: Profile, profile_name: str | None
) -> None:
    """Write a profile's model, params and settings into `settings`, whose active provider
    is already the profile's (a runtime's, or a load-balancer member's own)."""
    settings.set_provider_setting(profile.provider, "model", profile.model)
    for name, value in profile.model_params.items():
        settings.set_provider_setting(profile.provider, name, value)
    for key, value in profile.ephemeral_settings.items():
        if key == "model":
            continue
        settings.set_passthrough(key, value)
        if key in _MIRRORED_PROVIDER_KEYS:
            settings.set_provider_setting(profile.provider, key, value)
    settings.set_current_profile_name(profile_name)
