"""A fork's runtime: a new runtime set up as another one is, so a conversation can go on
elsewhere ("ask the same thing elsewhere"): provider, model, parameters, base URL, profile,
load balancer, and where the key comes from (keyring name, keyfile, environment, login).
A key typed into the source runtime, and a credential header, are copied in memory only, as
they were held there: a fork never writes a key anywhere. Then, optionally, another
provider and model."""

from __future__ import annotations

from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.profiles.model import AnyProfile
from llxprt_runtime.runtime.lb_snapshot import build_load_balancer_snapshot
from llxprt_runtime.runtime.registry import RuntimeServices
from llxprt_runtime.runtime_settings import (
    apply_profile_snapshot,
    build_runtime_profile_snapshot,
    set_active_model,
    switch_active_provider,
    update_active_provider_api_key,
)
from llxprt_runtime.settings.registry import secret_headers

HEADERS = "custom-headers"


async def copy_runtime(
    source: RuntimeServices,
    target: RuntimeServices,
    *,
    provider: str | None = None,
    model: str | None = None,
) -> list[str]:
    """Set `target` up as `source` is, then switch it to `provider` and `model` when given;
    what changed, to be said. Raises LlxprtError (an unknown provider, say): `target` may
    then hold the copy without the switch."""
    settings = source.settings_service
    lines: list[str] = []
    active = settings.active_provider
    if active:
        profile: AnyProfile
        if source.provider_manager.active_load_balancer() is not None:
            profile = build_load_balancer_snapshot(source)
        else:
            profile = build_runtime_profile_snapshot(runtime=source)
        await apply_profile_snapshot(
            profile, profile_name=settings.current_profile_name, runtime=target
        )
        typed = settings.get_provider_setting(active, "auth-key") or settings.get("auth-key")
        if isinstance(typed, str) and typed:
            # Held in memory by the source only: the fork holds it the same way.
            await update_active_provider_api_key(typed, runtime=target)
        _copy_secret_headers(source, target, active)
    if provider is not None and provider != target.settings_service.active_provider:
        lines += (await switch_active_provider(provider, runtime=target)).info_messages
    if model is not None:
        if not target.settings_service.active_provider:
            raise LlxprtError("Choose a provider to fork onto: /fork PROVIDER [MODEL].")
        lines.append((await set_active_model(model, runtime=target)).message)
    return lines


def _copy_secret_headers(source: RuntimeServices, target: RuntimeServices, provider: str) -> None:
    """Headers holding a credential are left out of the snapshot (it is what a profile or a
    session stores): the fork gets them as the source holds them, in memory."""
    mine, theirs = source.settings_service, target.settings_service
    held = mine.get(HEADERS)
    if secret_headers(HEADERS, held):
        theirs.set(HEADERS, held)
    held = mine.get_provider_setting(provider, HEADERS)
    if secret_headers(HEADERS, held):
        theirs.set_provider_setting(provider, HEADERS, held)
