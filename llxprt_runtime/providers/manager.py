"""ProviderManager: one per runtime (never global). Knows the providers this runtime may use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from llxprt_runtime.errors import ProviderNotAvailableError
from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS, ProviderInfo
from llxprt_runtime.settings.service import SettingsService


class ProviderManager:
    """Registers providers for one runtime; the active provider name lives in its settings."""

    def __init__(
        self,
        settings_service: SettingsService,
        runtime_id: str,
        providers: Iterable[ProviderInfo] = BUILTIN_PROVIDERS.values(),
    ) -> None:
        self._settings = settings_service
        self.runtime_id = runtime_id
        self._providers: dict[str, ProviderInfo] = {info.name: info for info in providers}
        self.disposed = False

    @property
    def providers(self) -> Mapping[str, ProviderInfo]:
        return dict(self._providers)

    def register_provider(self, info: ProviderInfo) -> None:
        self._providers[info.name] = info

    def list_providers(self) -> list[str]:
        return sorted(self._providers)

    def has_provider(self, name: str) -> bool:
        return name in self._providers

    def get_provider_info(self, name: str) -> ProviderInfo:
        try:
            return self._providers[name]
        except KeyError:
            raise ProviderNotAvailableError(name, self.list_providers()) from None

    def get_active_provider_name(self) -> str | None:
        return self._settings.active_provider

    def set_active_provider(self, name: str) -> None:
        self.get_provider_info(name)
        self._settings.switch_provider(name)

    async def dispose(self) -> None:
        """Release what this runtime's providers hold (SDK clients, once providers exist)."""
        self.disposed = True
