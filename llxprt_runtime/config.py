"""Config: the per-runtime view that commands and providers use, bound to one SettingsService."""

from __future__ import annotations

from llxprt_runtime.settings.registry import SettingValue
from llxprt_runtime.settings.service import SettingsService


class Config:
    """Runtime configuration bound to exactly one SettingsService (never a global one)."""

    def __init__(self, settings_service: SettingsService, *, user_memory: str = "") -> None:
        self._settings = settings_service
        self.user_memory = user_memory

    @property
    def settings_service(self) -> SettingsService:
        return self._settings

    def get_provider(self) -> str | None:
        return self._settings.active_provider

    def get_model(self) -> str | None:
        """The active provider's model, else the global `model` setting."""
        provider = self._settings.active_provider
        if provider:
            model = self._settings.get_provider_setting(provider, "model")
            if isinstance(model, str) and model:
                return model
        model = self._settings.get("model")
        return model if isinstance(model, str) and model else None

    def set_ephemeral_setting(self, key: str, value: object) -> SettingValue:
        """Validate and store a global setting (`None` unsets). Raises SettingValidationError."""
        return self._settings.set(key, value)

    def get_ephemeral_settings(self) -> dict[str, SettingValue]:
        return self._settings.get_all_global_settings()

    def __repr__(self) -> str:
        return f"Config(provider={self.get_provider()!r}, model={self.get_model()!r})"
