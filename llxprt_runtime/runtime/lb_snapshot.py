"""Load-balancer profiles in a runtime: resolve the members, apply, build and save.

Applying checks every member first (it exists, it is a standard profile, its provider is
available, its keyring key is there); any problem is a ProfileError naming the member, and
the runtime is left as it was. Each member is applied to a SettingsService of its own, so
it keeps its provider, model, base URL, params and key source.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from llxprt_runtime.auth.resolver import AuthPrecedenceResolver
from llxprt_runtime.auth.token_cache import RuntimeTokenCache
from llxprt_runtime.config import Config
from llxprt_runtime.errors import ProfileError, ProfileNotFoundError
from llxprt_runtime.profiles.manager import validate_profile_name
from llxprt_runtime.profiles.model import (
    LOAD_BALANCER_POLICIES,
    LoadBalancerProfile,
    Profile,
)
from llxprt_runtime.providers.load_balancer import LOAD_BALANCER_PROVIDER, LoadBalancer, Member
from llxprt_runtime.runtime.lifecycle import RuntimeRef, resolve_runtime
from llxprt_runtime.runtime.profile_applying import (
    ProfileLoadResult,
    ProfileSaveResult,
    preflight_profile,
    write_profile_settings,
)
from llxprt_runtime.runtime.registry import RuntimeServices
from llxprt_runtime.settings.registry import SettingValue, get_spec, is_provider_config_key
from llxprt_runtime.settings.service import SettingsService

#: The settings that configure the balancer itself (never passed on to the members).
LOAD_BALANCER_KEYS = frozenset(
    {
        "failover_retry_count",
        "failover_retry_delay_ms",
        "failover_on_network_errors",
        "failover_status_codes",
        "timeout_ms",
        "tpm_threshold",
        "circuit_breaker_enabled",
        "circuit_breaker_failure_threshold",
        "circuit_breaker_failure_window_ms",
        "circuit_breaker_recovery_timeout_ms",
    }
)


async def _load_member(services: RuntimeServices, lb_name: str, member: str) -> Profile:
    label = f"Load balancer '{lb_name}'"
    if member == lb_name:
        raise ProfileError(lb_name, f"{label} lists itself as a member.")
    try:
        profile = await asyncio.to_thread(services.profile_manager.load, member)
    except ProfileNotFoundError:
        raise ProfileError(
            lb_name,
            f"{label}: member profile '{member}' not found. Save it with /profile save "
            f"{member}, or remove it from the load balancer.",
        ) from None
    except ProfileError as exc:
        raise ProfileError(lb_name, f"{label}: member profile '{member}': {exc}") from None
    if isinstance(profile, LoadBalancerProfile):
        raise ProfileError(
            lb_name,
            f"{label}: member profile '{member}' is itself a load balancer; members must be "
            "standard profiles.",
        )
    return profile


async def resolve_members(
    services: RuntimeServices, lb: LoadBalancerProfile, lb_name: str
) -> tuple[list[Member], list[str]]:
    """The members, each checked and applied to its own settings, plus warnings."""
    if len(set(lb.profiles)) != len(lb.profiles):
        twice = next(name for name in lb.profiles if lb.profiles.count(name) > 1)
        raise ProfileError(lb_name, f"Load balancer '{lb_name}' lists '{twice}' twice.")
    members: list[Member] = []
    warnings: list[str] = []
    for name in lb.profiles:
        profile = await _load_member(services, lb_name, name)
        try:
            found = await preflight_profile(services, profile, name)
        except ProfileError as exc:
            raise ProfileError(lb_name, f"Load balancer '{lb_name}': {exc}") from None
        warnings += [f"Member '{name}': {w}" for w in found]
        members.append(_build_member(services, name, profile, lb))
    return members, warnings


def _build_member(
    services: RuntimeServices, name: str, profile: Profile, lb: LoadBalancerProfile
) -> Member:
    settings = SettingsService()
    settings.switch_provider(profile.provider)
    write_profile_settings(settings, profile, name)
    # The balancer's own behaviour settings (streaming, context-limit...) apply to every
    # member, as llxprt-code merges them; endpoints, keys and models stay the member's.
    for key, value in lb.ephemeral_settings.items():
        if key not in LOAD_BALANCER_KEYS and get_spec(key) and not is_provider_config_key(key):
            settings.set(key, value)
    cache = RuntimeTokenCache(services.runtime_id, settings)
    auth = AuthPrecedenceResolver(settings, cache, services.secret_store, services.oauth_manager)
    return Member(name, profile, settings, Config(settings), auth, cache)


async def apply_load_balancer_profile(
    lb: LoadBalancerProfile, profile_name: str | None, services: RuntimeServices
) -> ProfileLoadResult:
    """Make the runtime's calls go through a load balancer over `lb`'s members (a fresh
    state: round-robin position, stickiness and breakers start over)."""
    name = profile_name or "(unsaved)"
    members, warnings = await resolve_members(services, lb, name)
    manager = services.provider_manager
    balancer = LoadBalancer(
        name, lb.policy, members, clock=manager.clock, sleep=manager.sleep, source=lb
    )
    settings = services.settings_service
    previous_provider = settings.active_provider
    backup = settings.export_state()
    previous_balancer = manager.load_balancer
    try:
        for key in settings.get_all_global_settings():
            settings.unset(key)
        if previous_provider:
            settings.clear_provider_settings(previous_provider)
        manager.install_load_balancer(balancer)
        manager.set_active_provider(LOAD_BALANCER_PROVIDER)
        for key, value in lb.ephemeral_settings.items():
            settings.set_passthrough(key, value)
        if lb.context_limit is not None:
            settings.set("context-limit", lb.context_limit)
        settings.set_current_profile_name(profile_name)
    except Exception:
        settings.restore_state(backup)
        manager.load_balancer = previous_balancer
        raise
    messages = [f"Load balancer '{name}' ({lb.policy}) over {len(members)} members:"]
    messages += [f"member {m.name}: {m.provider} {m.model}" for m in members]
    return ProfileLoadResult(
        profile_name=profile_name,
        provider_name=LOAD_BALANCER_PROVIDER,
        model_name=members[0].model,
        provider_changed=previous_provider != LOAD_BALANCER_PROVIDER,
        base_url=None,
        info_messages=tuple(messages),
        warnings=tuple(warnings),
    )


def build_load_balancer_snapshot(services: RuntimeServices) -> LoadBalancerProfile:
    """The active load balancer as a profile: its policy, members and current settings."""
    balancer = services.provider_manager.active_load_balancer()
    if balancer is None:
        raise ProfileError("(unsaved)", "No load balancer is active in this tab.")
    source = balancer.source
    ephemerals: dict[str, SettingValue] = {}
    for key, value in services.settings_service.get_all_global_settings().items():
        spec = get_spec(key)
        if value is not None and (
            spec is None or (spec.persist_to_profile and not spec.runtime_only)
        ):
            ephemerals[key] = value
    return LoadBalancerProfile(
        policy=balancer.policy,
        profiles=tuple(m.name for m in balancer.members),
        model_params=dict(source.model_params) if source else {},
        ephemeral_settings=ephemerals,
        context_limit=source.context_limit if source else None,
        extra=dict(source.extra) if source else {},
    )


async def save_load_balancer_profile(
    name: str, policy: str, members: Sequence[str], *, runtime: RuntimeRef = None
) -> ProfileSaveResult:
    """`/profile save loadbalancer NAME POLICY MEMBER...`: check the members (each an existing
    standard profile, at least two) and save. The balancer settings of this runtime
    (failover_*, circuit_breaker_*, timeout_ms) are saved with it."""
    services = resolve_runtime(runtime)
    validate_profile_name(name)
    if policy not in LOAD_BALANCER_POLICIES:
        raise ProfileError(name, f"Invalid policy '{policy}'. Use roundrobin or failover.")
    if len(members) < 2:
        raise ProfileError(name, "Load balancer profile requires at least 2 profiles.")
    lb = LoadBalancerProfile(
        policy="roundrobin" if policy == "roundrobin" else "failover",
        profiles=tuple(members),
        ephemeral_settings={
            key: value
            for key, value in services.settings_service.get_all_global_settings().items()
            if key in LOAD_BALANCER_KEYS and value is not None
        },
    )
    if len(set(lb.profiles)) != len(lb.profiles):
        raise ProfileError(name, f"Load balancer '{name}' lists a member twice.")
    for member in lb.profiles:
        await _load_member(services, name, member)
    path = await asyncio.to_thread(services.profile_manager.save, name, lb)
    listed = ", ".join(lb.profiles)
    return ProfileSaveResult(
        name, path, lb, f"Load balancer profile '{name}' saved ({lb.policy}: {listed})"
    )
