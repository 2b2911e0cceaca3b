"""Apply start-up flags (--provider, --model, --key, --profile-load, --set ...) to a runtime.

Used by `llxprt -p` and by every new tab. Precedence follows the reference: flags beat the
profile; for the key, `--key` > `--key-name` > the profile's key name > `--keyfile`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field

from llxprt_runtime.errors import (
    LlxprtError,
    NoProviderChosenError,
    SettingValidationError,
    StartupProblemsError,
)
from llxprt_runtime.overrides import CliOverrides
from llxprt_runtime.profiles.user_settings import resolve_default_profile_name
from llxprt_runtime.runtime.lifecycle import RuntimeRef, resolve_runtime
from llxprt_runtime.runtime_settings import (
    load_profile_by_name,
    set_active_model,
    set_active_model_param,
    set_ephemeral_setting,
    switch_active_provider,
    update_active_provider_api_key,
    update_active_provider_base_url,
    update_active_provider_keyfile,
    use_named_key,
)
from llxprt_runtime.settings.registry import parse_setting_text

__all__ = ["BootstrapResult", "CliOverrides", "apply_cli_overrides", "parse_set_arguments"]


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    profile_name: str | None
    messages: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def parse_set_arguments(entries: Sequence[str]) -> list[tuple[bool, str, object]]:
    """`--set` entries as (is_model_param, name, value); raises SettingValidationError."""
    parsed: list[tuple[bool, str, object]] = []
    for entry in entries:
        name, sep, raw = entry.partition("=")
        name = name.strip()
        if not sep or not name:
            raise SettingValidationError(
                entry, f"Invalid --set format: {entry!r}. Expected key=value"
            )
        if name == "modelparam":
            raise SettingValidationError(
                entry, "Invalid --set format: use modelparam.NAME=value for model parameters"
            )
        if name.startswith("modelparam."):
            parsed.append((True, name.removeprefix("modelparam."), parse_setting_text(raw)))
        else:
            parsed.append((False, name, parse_setting_text(raw)))
    return parsed


async def apply_cli_overrides(
    overrides: CliOverrides, *, runtime: RuntimeRef = None, use_default_profile: bool = True
) -> BootstrapResult:
    """Bring a fresh runtime to the state the flags describe. Raises LlxprtError subclasses
    with a message for the user; nothing secret is ever in them."""
    services = resolve_runtime(runtime)
    set_entries = parse_set_arguments(overrides.settings)  # fail before changing anything
    messages: list[str] = []
    warnings: list[str] = []
    profile_name = overrides.profile
    if profile_name is None and use_default_profile and overrides.provider is None:
        profile_name = resolve_default_profile_name()
    profile_key_name = False
    if profile_name:
        loaded = await load_profile_by_name(profile_name, runtime=services)
        messages.append(f"Profile '{profile_name}' loaded")
        warnings.extend(loaded.warnings)
        profile_key_name = bool(services.settings_service.get("auth-key-name"))
    if overrides.provider:
        await switch_active_provider(overrides.provider, runtime=services)
    elif services.settings_service.active_provider is None:
        names = ", ".join(services.provider_manager.providers)  # built-ins first
        raise NoProviderChosenError(
            f"No provider chosen: pass --provider NAME ({names}) or --profile-load NAME."
        )
    # The rest are independent: one bad flag (say an unreadable keyfile) must not leave the
    # model or base URL unapplied, so every step runs and the problems are reported together.
    problems: list[str] = []

    async def step(action: Awaitable[object]) -> None:
        try:
            await action
        except LlxprtError as exc:
            problems.append(str(exc))

    if overrides.model:
        await step(set_active_model(overrides.model, runtime=services))
    if overrides.key:
        await step(update_active_provider_api_key(overrides.key, runtime=services))
    elif overrides.key_name:
        await step(use_named_key(overrides.key_name, runtime=services))
    elif overrides.keyfile_key and not profile_key_name:  # a pipe, read once at start-up
        await step(update_active_provider_api_key(overrides.keyfile_key, runtime=services))
    elif overrides.keyfile and not profile_key_name:
        await step(update_active_provider_keyfile(overrides.keyfile, runtime=services))
    for is_param, name, value in set_entries:
        if is_param:
            await step(set_active_model_param(name, value, runtime=services))
        else:
            await step(set_ephemeral_setting(name, value, runtime=services))
    if overrides.base_url:
        await step(update_active_provider_base_url(overrides.base_url, runtime=services))
    if problems:
        raise StartupProblemsError(problems)
    return BootstrapResult(profile_name, tuple(messages), tuple(warnings))
