"""SettingsService: one runtime's settings, held in memory.

There is no module-level instance: every runtime (tab, subagent) constructs its own
(REQ-SP-002). Global ("ephemeral") settings are what `/set` writes; provider settings are
per provider (model, key, base URL, model params). Secrets are redacted in every event and
in `repr`.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from llxprt_runtime.settings.registry import (
    SettingValue,
    get_spec,
    resolve_alias,
    shown_setting_value,
    validate_model_param,
    validate_setting,
)

_log = logging.getLogger(__name__)


EventKind = Literal["change", "provider-change", "cleared"]


@dataclass(frozen=True, slots=True)
class SettingsEvent:
    """A change notification. Values of sensitive keys are already redacted."""

    kind: EventKind
    key: str | None = None
    provider: str | None = None
    old_value: object = None
    new_value: object = None


Listener = Callable[[SettingsEvent], None]

#: Keys of the internal bookkeeping that ride on `change` events.
ACTIVE_PROVIDER_KEY = "activeProvider"
CURRENT_PROFILE_KEY = "currentProfile"


@dataclass(slots=True)
class SettingsState:
    """A deep copy of a SettingsService's data, used to roll back a failed transaction."""

    global_settings: dict[str, SettingValue] = field(default_factory=dict)
    providers: dict[str, dict[str, SettingValue]] = field(default_factory=dict)
    active_provider: str | None = None
    current_profile: str | None = None
    # The profile whose file held the key now in use in plain text (`auth-key`), so saving
    # can offer to move it into the keyring; any change of that key forgets it.
    plaintext_key_profile: str | None = None
    # What each provider had when the tab switched away from it (its own settings, and the
    # globals the switch cleared), kept out of every lookup until the tab switches back.
    parked: dict[str, ParkedProvider] = field(default_factory=dict)


@dataclass(slots=True)
class ParkedProvider:
    provider_settings: dict[str, SettingValue] = field(default_factory=dict)
    global_settings: dict[str, SettingValue] = field(default_factory=dict)


class SettingsService:
    """Holds one runtime's global settings, provider settings, active provider and profile."""

    def __init__(self) -> None:
        self._state = SettingsState()
        self._listeners: list[Listener] = []

    # --- global (ephemeral) settings ------------------------------------------------------

    def get(self, key: str) -> SettingValue:
        return self._state.global_settings.get(resolve_alias(key))

    def set(self, key: str, value: object) -> SettingValue:
        """Validate and store a global setting; `None` unsets it. Returns the stored value."""
        if value is None:
            self.unset(key)
            return None
        canonical, normalized = validate_setting(key, value)
        old = self._state.global_settings.get(canonical)
        self._state.global_settings[canonical] = normalized
        self._key_changed(canonical)
        if old != normalized:
            self._emit(SettingsEvent("change", canonical, None, old, normalized))
        return normalized

    def set_passthrough(self, key: str, value: SettingValue) -> None:
        """Store a global setting the registry does not know (a profile from a newer
        llxprt-code), so it survives a load/save round trip. Registered keys are validated."""
        if get_spec(key) is not None:
            self.set(key, value)
            return
        old = self._state.global_settings.get(key)
        self._state.global_settings[key] = value
        if old != value:
            self._emit(SettingsEvent("change", key, None, old, value))

    def unset(self, key: str) -> None:
        canonical = resolve_alias(key)
        if canonical in self._state.global_settings:
            old = self._state.global_settings.pop(canonical)
            self._key_changed(canonical)
            self._emit(SettingsEvent("change", canonical, None, old, None))

    def get_all_global_settings(self) -> dict[str, SettingValue]:
        return copy.deepcopy(self._state.global_settings)

    # --- provider settings ----------------------------------------------------------------

    def get_provider_settings(self, provider: str) -> dict[str, SettingValue]:
        return copy.deepcopy(self._state.providers.get(provider, {}))

    def get_provider_setting(self, provider: str, key: str) -> SettingValue:
        return self._state.providers.get(provider, {}).get(resolve_alias(key))

    def set_provider_setting(self, provider: str, key: str, value: object) -> SettingValue:
        """Validate and store a provider setting or model param; `None` removes it."""
        canonical = resolve_alias(key)
        if value is None:
            normalized: SettingValue = None
        elif get_spec(key) is not None:
            canonical, normalized = validate_setting(key, value)
        else:
            canonical, normalized = validate_model_param(key, value)
        bucket = self._state.providers.setdefault(provider, {})
        old = bucket.get(canonical)
        self._key_changed(canonical)
        if normalized is None:
            bucket.pop(canonical, None)
        else:
            bucket[canonical] = normalized
        if old != normalized:
            self._emit(SettingsEvent("provider-change", canonical, provider, old, normalized))
        return normalized

    def clear_provider_settings(self, provider: str) -> None:
        for key in list(self._state.providers.get(provider, {})):
            self.set_provider_setting(provider, key, None)

    def configured_providers(self) -> list[str]:
        return sorted(p for p, values in self._state.providers.items() if values)

    def park_provider(
        self,
        provider: str,
        provider_settings: Mapping[str, SettingValue],
        global_settings: Mapping[str, SettingValue],
    ) -> None:
        """Keep what `provider` had, for when the tab switches back to it."""
        self._state.parked[provider] = ParkedProvider(
            copy.deepcopy(dict(provider_settings)), copy.deepcopy(dict(global_settings))
        )

    def take_parked(self, provider: str) -> ParkedProvider | None:
        return self._state.parked.pop(provider, None)

    def forget_parked(self) -> None:
        self._state.parked.clear()

    # --- active provider and profile --------------------------------------------------------

    @property
    def active_provider(self) -> str | None:
        return self._state.active_provider

    def switch_provider(self, name: str | None) -> None:
        old = self._state.active_provider
        self._state.active_provider = name or None
        if old != self._state.active_provider:
            self._emit(SettingsEvent("change", ACTIVE_PROVIDER_KEY, None, old, name))

    @property
    def current_profile_name(self) -> str | None:
        return self._state.current_profile

    def set_current_profile_name(self, name: str | None) -> None:
        old = self._state.current_profile
        self._state.current_profile = name or None
        if old != self._state.current_profile:
            self._emit(SettingsEvent("change", CURRENT_PROFILE_KEY, None, old, name))

    @property
    def plaintext_key_profile(self) -> str | None:
        """The profile whose file held this runtime's key in plain text, while in use."""
        return self._state.plaintext_key_profile

    def mark_plaintext_key_profile(self, name: str) -> None:
        self._state.plaintext_key_profile = name

    def _key_changed(self, canonical: str) -> None:
        if canonical == "auth-key":
            self._state.plaintext_key_profile = None

    # --- whole-state operations ---------------------------------------------------------------

    def clear(self) -> None:
        self._state = SettingsState()
        self._emit(SettingsEvent("cleared"))

    def export_state(self) -> SettingsState:
        return copy.deepcopy(self._state)

    def restore_state(self, state: SettingsState) -> None:
        """Put back an exported state (a rollback). Listeners see it as a `cleared` event."""
        self._state = copy.deepcopy(state)
        self._emit(SettingsEvent("cleared"))

    # --- events ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on every change; returns a function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, event: SettingsEvent) -> None:
        if event.key is not None:
            event = SettingsEvent(
                event.kind,
                event.key,
                event.provider,
                shown_setting_value(event.key, event.old_value),
                shown_setting_value(event.key, event.new_value),
            )
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not break the settings write
                _log.exception("settings listener failed on %s", event.kind)

    # --- diagnostics --------------------------------------------------------------------------

    def diagnostics(self) -> dict[str, object]:
        """A redacted dump, safe to show or log."""
        return {
            "activeProvider": self._state.active_provider,
            "currentProfile": self._state.current_profile,
            "global": _shown(self._state.global_settings),
            "providers": {p: _shown(v) for p, v in self._state.providers.items()},
            "parked": {
                p: {
                    "provider": _shown(v.provider_settings),
                    "global": _shown(v.global_settings),
                }
                for p, v in self._state.parked.items()
            },
        }

    def __repr__(self) -> str:
        return f"SettingsService({self.diagnostics()!r})"


def _shown(values: Mapping[str, object]) -> dict[str, object]:
    """`values` as they may be shown (the registry decides what is secret)."""
    return {key: shown_setting_value(key, value) for key, value in values.items()}
