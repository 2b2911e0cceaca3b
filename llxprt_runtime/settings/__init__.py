"""Settings: the per-runtime SettingsService and the registry of setting keys."""

from llxprt_runtime.errors import REDACTED
from llxprt_runtime.settings.registry import (
    SETTING_SPECS,
    SettingCategory,
    SettingSpec,
    SettingType,
    SettingValue,
    get_spec,
    parse_setting_text,
    resolve_alias,
    validate_model_param,
    validate_setting,
)
from llxprt_runtime.settings.service import SettingsEvent, SettingsService, SettingsState

__all__ = [
    "REDACTED",
    "SETTING_SPECS",
    "SettingCategory",
    "SettingSpec",
    "SettingType",
    "SettingValue",
    "SettingsEvent",
    "SettingsService",
    "SettingsState",
    "get_spec",
    "parse_setting_text",
    "resolve_alias",
    "validate_model_param",
    "validate_setting",
]
