"""Creating, finding and disposing runtimes."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping

from llxprt_runtime import paths
from llxprt_runtime.auth.codex_oauth import CodexOAuth
from llxprt_runtime.auth.oauth import OAuthManager
from llxprt_runtime.auth.resolver import AuthPrecedenceResolver
from llxprt_runtime.auth.secret_store import SecretStore
from llxprt_runtime.auth.token_cache import RuntimeTokenCache
from llxprt_runtime.config import Config
from llxprt_runtime.errors import MissingProviderRuntimeError
from llxprt_runtime.profiles.manager import ProfileManager
from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS
from llxprt_runtime.providers.manager import ProviderManager
from llxprt_runtime.providers.user_file import read_user_providers
from llxprt_runtime.runtime.registry import (
    RuntimeRegistry,
    RuntimeServices,
    current_runtime_registry,
)
from llxprt_runtime.runtime_context import (
    ProviderRuntimeContext,
    clear_active_provider_runtime_context,
    create_provider_runtime_context,
    get_active_provider_runtime_context,
    peek_active_provider_runtime_context,
    set_active_provider_runtime_context,
)
from llxprt_runtime.settings.service import SettingsService

RuntimeRef = RuntimeServices | ProviderRuntimeContext | None

_log = logging.getLogger(__name__)


def new_runtime_id(prefix: str = "cli-isolated") -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


async def activate_isolated_runtime_context(
    runtime_id: str | None = None,
    metadata: Mapping[str, object] | None = None,
    *,
    registry: RuntimeRegistry | None = None,
    make_active: bool = True,
) -> RuntimeServices:
    """Create a fresh runtime (settings, config, managers), register it and make it active
    in the current context (task). Returns its services; pass them as `runtime=` anywhere."""
    runtime_id = runtime_id if runtime_id is not None else new_runtime_id()
    if not runtime_id.strip():
        raise ValueError(
            f"Invalid runtime_id: expected a non-empty string but received {runtime_id!r}"
        )
    settings = SettingsService()
    context = create_provider_runtime_context(
        settings,
        Config(settings),
        runtime_id,
        {"source": "activate_isolated_runtime_context", **(metadata or {})},
    )
    token_cache = RuntimeTokenCache(runtime_id, settings)
    oauth_manager = OAuthManager(runtime_id, token_cache, context.metadata)
    oauth_manager.register_provider(CodexOAuth())  # one per runtime: its bucket, its memory
    secret_store = SecretStore(paths.data_dir() / "provider-key-names.json")
    auth = AuthPrecedenceResolver(settings, token_cache, secret_store, oauth_manager)
    # Read for each runtime (off the event loop): a new tab sees an edited providers.toml.
    user = await asyncio.to_thread(read_user_providers)
    manager = ProviderManager(
        settings,
        runtime_id,
        auth,
        (*BUILTIN_PROVIDERS.values(), *user.providers),
        user.problems,
    )
    services = RuntimeServices(
        context=context,
        provider_manager=manager,
        oauth_manager=oauth_manager,
        profile_manager=ProfileManager(paths.profiles_dir(), (paths.legacy_profiles_dir(),)),
        token_cache=token_cache,
        secret_store=secret_store,
        auth=auth,
    )
    (registry or current_runtime_registry()).register(services)
    _log.debug("runtime %s created (%s)", runtime_id, dict(context.metadata))
    if make_active:
        set_active_provider_runtime_context(context)
    return services


def resolve_runtime(runtime: RuntimeRef = None) -> RuntimeServices:
    """The services of `runtime`, or of the active runtime of this task.

    Raises MissingProviderRuntimeError when there is none, or it was never registered or
    has been disposed.
    """
    if isinstance(runtime, RuntimeServices):
        if runtime.disposed:
            raise MissingProviderRuntimeError(
                None,
                ("registration",),
                requirement="REQ-SP-003",
                message=f"Runtime '{runtime.runtime_id}' has been disposed.",
                remediation=("Activate a new runtime with activate_isolated_runtime_context().",),
            )
        return runtime
    context = runtime if runtime is not None else get_active_provider_runtime_context()
    services = current_runtime_registry().require(context.runtime_id)
    if services.context is not context and runtime is not None:
        raise MissingProviderRuntimeError(
            None,
            ("registration",),
            message=f"The context given for runtime '{context.runtime_id}' is not the one "
            "registered under that id.",
        )
    return services


async def reset_cli_provider_infrastructure(
    runtime_id: str | None = None, *, registry: RuntimeRegistry | None = None
) -> int:
    """The seed's name for `dispose_runtime()`; without an id, the active runtime."""
    if runtime_id is None:
        active = peek_active_provider_runtime_context()
        if active is None:
            return 0
        runtime_id = active.runtime_id
    return await dispose_runtime(runtime_id, registry=registry)


async def dispose_runtime(runtime_id: str, *, registry: RuntimeRegistry | None = None) -> int:
    """Dispose a runtime: flush its cached tokens, close its managers, unregister it.

    Returns how many cached tokens were flushed. A runtime that is not registered is a no-op.
    """
    reg = registry or current_runtime_registry()
    services = reg.remove(runtime_id)
    if services is None:
        return 0
    services.disposed = True
    flushed = services.token_cache.flush("runtime-dispose")
    await services.provider_manager.dispose()
    await services.oauth_manager.dispose()
    _log.debug("runtime %s disposed", runtime_id)
    active = peek_active_provider_runtime_context()
    if active is not None and active.runtime_id == runtime_id:
        clear_active_provider_runtime_context()
    return flushed
