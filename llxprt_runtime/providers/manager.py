"""ProviderManager: one per runtime (never global).

It registers the providers a runtime may use, keeps the active provider name in the
runtime's settings, owns the runtime's SDK client cache, and prepares every call
(prepare_stateless_provider_invocation) before a provider sees it. While a load-balancer
profile is loaded, the active provider is `load-balancer` and each call goes through the
runtime's LoadBalancer, which picks a member and prepares the call with that member's view.
"""

from __future__ import annotations

import asyncio
import importlib
import ipaddress
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, cast
from urllib.parse import urlparse

from llxprt_runtime.errors import (
    MissingProviderRuntimeError,
    ProviderError,
    ProviderNotAvailableError,
    ProviderRuntimeNormalizationError,
    RuntimeDisposedError,
)
from llxprt_runtime.providers.base import GenerateChatOptions, IProvider, ModelInfo, ResolvedOptions
from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS, REFUSED_PROVIDERS, ProviderInfo
from llxprt_runtime.providers.clients import SdkClientCache
from llxprt_runtime.providers.content import IContent, MediaBlock, valid_unicode
from llxprt_runtime.providers.load_balancer import (
    LOAD_BALANCER_PROVIDER,
    Clock,
    LoadBalancer,
    Sleep,
)
from llxprt_runtime.providers.retry import (
    DEFAULT_RETRIES,
    DEFAULT_RETRY_WAIT_MS,
    RetryEvent,
    RetryPolicy,
    stream_with_retries,
)
from llxprt_runtime.settings.registry import SettingValue, get_spec
from llxprt_runtime.settings.service import SettingsService
from llxprt_runtime.urls import display_url

_log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from llxprt_runtime.auth.resolver import AuthPrecedenceResolver


def _modules(info: ProviderInfo | None) -> tuple[str, ...]:
    return info.modules if info is not None else ()


def _fully_imported(module_name: str) -> bool:
    # A module another thread is still importing is in sys.modules already; using it here
    # would wait for that thread on the import lock.
    module = sys.modules.get(module_name)
    spec = getattr(module, "__spec__", None)
    return module is not None and not getattr(spec, "_initializing", False)


def provider_modules_imported(info: ProviderInfo | None) -> bool:
    return all(_fully_imported(m) for m in _modules(info))


def import_provider_modules(info: ProviderInfo | None) -> None:
    """Import the provider's module and SDK (blocking: call it in a worker thread)."""
    for module in _modules(info):
        importlib.import_module(module)


def is_loopback_url(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ProviderManager:
    """Registers providers for one runtime and prepares every call it makes."""

    def __init__(
        self,
        settings_service: SettingsService,
        runtime_id: str,
        auth: AuthPrecedenceResolver | None = None,
        providers: Iterable[ProviderInfo] = BUILTIN_PROVIDERS.values(),
        catalog_problems: Iterable[str] = (),
    ) -> None:
        self._settings = settings_service
        self.runtime_id = runtime_id
        self.auth = auth
        self._infos: dict[str, ProviderInfo] = {info.name: info for info in providers}
        #: Why entries of the user's providers.toml were not added (shown once at start).
        self.catalog_problems = tuple(catalog_problems)
        self._instances: dict[str, IProvider] = {}
        self.clients = SdkClientCache(runtime_id)
        self.disposed = False
        self.load_balancer: LoadBalancer | None = None
        # Given to each LoadBalancer built for this runtime (tests inject fakes).
        self.clock: Clock = time.monotonic
        self.sleep: Sleep = asyncio.sleep

    # --- registration ---------------------------------------------------------------------

    @property
    def providers(self) -> Mapping[str, ProviderInfo]:
        return dict(self._infos)

    def register_provider(self, info: ProviderInfo, instance: IProvider | None = None) -> None:
        self._infos[info.name] = info
        if instance is not None:
            self._instances[info.name] = instance

    def list_providers(self) -> list[str]:
        return sorted(self._infos)

    def has_provider(self, name: str) -> bool:
        return name in self._infos or (
            name == LOAD_BALANCER_PROVIDER and self.load_balancer is not None
        )

    def unavailable(
        self, name: str, available: Sequence[str] | None = None, problems: Sequence[str] = ()
    ) -> ProviderNotAvailableError:
        """The error for `name`, which is not here: a provider left out on purpose says why."""
        refusal = REFUSED_PROVIDERS.get(name.strip().lower())
        listed = self.list_providers() if available is None else available
        return ProviderNotAvailableError(name, listed, problems, refusal)

    def get_provider_info(self, name: str) -> ProviderInfo:
        if name == LOAD_BALANCER_PROVIDER and self.load_balancer is not None:
            return self.load_balancer.info
        try:
            return self._infos[name]
        except KeyError:
            raise self.unavailable(name, problems=self._problems_naming(name)) from None

    def _problems_naming(self, name: str) -> tuple[str, ...]:
        return tuple(p for p in self.catalog_problems if f"provider {name!r}" in p)

    def get_provider(self, name: str) -> IProvider:
        instance = self._instances.get(name)
        if instance is None:
            info = self.get_provider_info(name)
            module_name, _, class_name = info.class_path.partition(":")
            if not module_name:
                raise self.unavailable(name, list(self._instances))
            provider_class = getattr(importlib.import_module(module_name), class_name)
            instance = cast(IProvider, provider_class(info))
            self._instances[name] = instance
        return instance

    async def import_provider(self, name: str) -> None:
        """Import provider `name`'s module and vendor SDK in a worker thread, unless done:
        an SDK takes 0.5-2 s to import, which on the event loop freezes the UI."""
        info = self._infos.get(name)
        if not provider_modules_imported(info):
            await asyncio.to_thread(import_provider_modules, info)

    def get_active_provider_name(self) -> str | None:
        return self._settings.active_provider

    def set_active_provider(self, name: str) -> None:
        self.get_provider_info(name)
        self._settings.switch_provider(name)

    def install_load_balancer(self, balancer: LoadBalancer) -> None:
        """Make `balancer` this runtime's load balancer (a fresh state); the previous one's
        member caches are flushed. It serves calls while `load-balancer` is active."""
        if self.load_balancer is not None:
            self.load_balancer.dispose()
        self.load_balancer = balancer

    def active_load_balancer(self) -> LoadBalancer | None:
        """The load balancer, when this runtime's active provider is `load-balancer`."""
        if self._settings.active_provider == LOAD_BALANCER_PROVIDER:
            return self.load_balancer
        return None

    # --- calls ----------------------------------------------------------------------------

    async def prepare_stateless_provider_invocation(
        self,
        options: GenerateChatOptions,
        provider_name: str | None = None,
        *,
        auth: AuthPrecedenceResolver | None = None,
    ) -> GenerateChatOptions:
        """Check the runtime pieces and resolve model, base URL, credential and params.

        `auth` resolves the key instead of the runtime's resolver (a load-balancer member
        resolves through its own settings)."""
        stage = "ProviderManager.prepare_stateless_provider_invocation"
        runtime = options.runtime
        settings = options.settings or (runtime.settings_service if runtime else None)
        config = options.config or (runtime.config if runtime else None)
        missing = [
            name
            for name, value in (("runtime", runtime), ("settings", settings), ("config", config))
            if value is None
        ]
        if runtime is None or settings is None or config is None:
            raise MissingProviderRuntimeError(provider_name, missing, stage=stage)
        runtime_id = runtime.runtime_id
        target = provider_name or settings.active_provider
        if not target:
            raise ProviderRuntimeNormalizationError(
                None,
                ("provider",),
                runtime_id=runtime_id,
                remediation=("Choose a provider with /provider or --provider.",),
            )
        info = self.get_provider_info(target)
        incoming = options.resolved
        active = settings.active_provider
        apply_globals = config.settings_service is settings and active in (None, target)

        def pick(key: str) -> SettingValue:
            value = settings.get_provider_setting(target, key)
            if value is None and apply_globals:
                value = settings.get(key)
            return value

        model = (incoming.model if incoming else None) or _str(
            settings.get_provider_setting(target, "model")
        )
        if not model and apply_globals:
            model = config.get_model()
        model = model or self.get_provider(target).get_default_model()
        base_url = (incoming.base_url if incoming else None) or _str(pick("base-url"))
        base_url = (base_url or info.default_base_url).rstrip("/")

        effective = _effective_settings(settings, target, apply_globals)
        token = incoming.auth_token if incoming else None
        method, source = ("per-call", "per-call key") if token else (None, "none")
        auth_headers: Mapping[str, str] = incoming.auth_headers if incoming else {}
        resolver = auth or self.auth
        if token is None and resolver is not None:
            resolved_auth = await resolver.resolve(target, info.env_key_names, include_oauth=True)
            token, method, source = resolved_auth.token, resolved_auth.method, resolved_auth.source
            auth_headers = resolved_auth.headers
        if token is None and _needs_key(info, base_url, effective):
            raise ProviderRuntimeNormalizationError(
                target,
                ("auth_token",),
                runtime_id=runtime_id,
                remediation=(
                    "Set a key with /key, /keyfile or /key load NAME "
                    "(or --key, --keyfile, --key-name).",
                    f"Or export {' / '.join(info.env_key_names)}.",
                    "For a local server without keys: /set requires-auth false.",
                ),
            )
        resolved = ResolvedOptions(
            model=model,
            base_url=base_url,
            auth_token=token,
            runtime_id=runtime_id,
            auth_method=method,
            auth_source=source,
            model_params=MappingProxyType(_model_params(settings, target, apply_globals)),
            settings=MappingProxyType(effective),
            clients=self.clients,
            auth_headers=MappingProxyType(dict(auth_headers)),
            oauth=resolver.oauth_manager if resolver is not None else None,
        )
        return replace(options, settings=settings, config=config, resolved=resolved)

    async def generate_chat_completion(
        self, options: GenerateChatOptions, provider_name: str | None = None
    ) -> AsyncIterator[IContent]:
        """Prepare the call, then stream the reply with our retry policy."""
        if self.disposed:
            raise RuntimeDisposedError(self.runtime_id)
        balancer = self.active_load_balancer()
        if balancer is not None and provider_name in (None, LOAD_BALANCER_PROVIDER):
            try:
                async for item in balancer.generate(options, self, self._settings):
                    yield valid_unicode(item)  # the one door for a server's text, as below
            except ProviderError as exc:
                if self.disposed:
                    raise RuntimeDisposedError(self.runtime_id, mid_stream=True) from exc
                raise
            return
        prepared = await self.prepare_stateless_provider_invocation(options, provider_name)
        assert prepared.resolved is not None and prepared.settings is not None
        name = provider_name or prepared.settings.active_provider or ""
        await self.import_provider(name)
        provider = self.get_provider(name)
        policy = _retry_policy(prepared.resolved)
        resolved = prepared.resolved
        info = self.get_provider_info(name)
        if not info.images and _has_media(options.contents):
            raise ProviderError(
                f"{info.display_name} takes no images, and this conversation has one",
                provider=name,
                model=resolved.model,
                url=resolved.base_url,
                hint="Send it to a provider that takes images (/provider), or start a new tab.",
            )
        _log.debug(
            "runtime %s: %s model %s at %s (key from %s)",
            self.runtime_id,
            provider.name,
            resolved.model,
            display_url(resolved.base_url),
            resolved.auth_source,
        )
        try:
            empty = True
            listener = options.on_retry
            async for item in stream_with_retries(
                lambda: provider.generate_chat_completion(prepared),
                policy,
                on_retry=None
                if listener is None
                else lambda attempt, error, wait: listener(
                    RetryEvent.of(attempt, error, wait, policy)
                ),
            ):
                # The one door for a server's text: valid Unicode from here on.
                empty = empty and not item.blocks and item.metadata.finish_reason is None
                yield valid_unicode(item)
            if empty:
                raise ProviderError(
                    "Empty reply: the server returned an empty reply "
                    "(no content, no finish reason)",
                    provider=provider.name,
                    model=resolved.model,
                    url=resolved.base_url,
                    hint="Check the model (/model) and base URL (/baseurl); /retry asks again.",
                )
        except ProviderError as exc:
            exc.scrub(resolved.auth_token)
            _log.debug("runtime %s: call failed: %s", self.runtime_id, exc)
            if self.disposed:  # our clients were closed under the stream, not a network fault
                raise RuntimeDisposedError(self.runtime_id, mid_stream=True) from exc
            raise

    async def list_models(
        self, options: GenerateChatOptions, provider_name: str | None = None
    ) -> list[ModelInfo]:
        """The provider's models from its API, or its built-in list when listing fails.
        For a load balancer: its members' models."""
        balancer = self.active_load_balancer()
        if balancer is not None and provider_name in (None, LOAD_BALANCER_PROVIDER):
            return balancer.models()
        prepared = await self.prepare_stateless_provider_invocation(options, provider_name)
        assert prepared.settings is not None
        name = provider_name or prepared.settings.active_provider or ""
        await self.import_provider(name)
        provider = self.get_provider(name)
        try:
            return await provider.get_models(prepared)
        except ProviderError as exc:
            exc.scrub(prepared.resolved.auth_token if prepared.resolved else None)
            raise

    async def dispose(self) -> None:
        """Close this runtime's SDK clients."""
        self.disposed = True
        if self.load_balancer is not None:
            self.load_balancer.dispose()
        await self.clients.aclose()


def _str(value: SettingValue) -> str | None:
    return value if isinstance(value, str) and value else None


def _needs_key(info: ProviderInfo, base_url: str, settings: Mapping[str, SettingValue]) -> bool:
    required = settings.get("requires-auth")
    if required is False:
        return False
    if info.keyless_with_setting and settings.get(info.keyless_with_setting):
        return False  # e.g. Vertex AI with application default credentials
    if required is True or info.loopback_needs_key:
        return True
    return not is_loopback_url(base_url)


def _effective_settings(
    settings: SettingsService, provider: str, apply_globals: bool
) -> dict[str, SettingValue]:
    """Registered non-param settings: provider scope wins, globals only for the active one."""
    merged: dict[str, SettingValue] = {}
    if apply_globals:
        for key, value in settings.get_all_global_settings().items():
            spec = get_spec(key)
            if spec is not None and not spec.is_model_param and not spec.runtime_only:
                merged[key] = value
    for key, value in settings.get_provider_settings(provider).items():
        spec = get_spec(key)
        if spec is not None and not spec.is_model_param and not spec.runtime_only:
            merged[key] = value
    merged.pop("auth-keyfile", None)
    merged.pop("auth-key-name", None)
    return merged


def _model_params(
    settings: SettingsService, provider: str, apply_globals: bool
) -> dict[str, SettingValue]:
    params: dict[str, SettingValue] = {}
    if apply_globals:
        for key, value in settings.get_all_global_settings().items():
            spec = get_spec(key)
            if spec is not None and spec.is_model_param:
                params[key] = value
    for key, value in settings.get_provider_settings(provider).items():
        spec = get_spec(key)
        if spec is None or spec.is_model_param:
            params[key] = value
    return params


def _retry_policy(resolved: ResolvedOptions) -> RetryPolicy:
    retries = resolved.setting("retries", DEFAULT_RETRIES)
    wait = resolved.setting("retrywait", DEFAULT_RETRY_WAIT_MS)
    return RetryPolicy(
        retries=retries if isinstance(retries, int) else DEFAULT_RETRIES,
        initial_delay=(wait if isinstance(wait, int | float) else DEFAULT_RETRY_WAIT_MS) / 1000,
    )


def _has_media(contents: Sequence[IContent]) -> bool:
    return any(isinstance(b, MediaBlock) for c in contents for b in c.blocks)
