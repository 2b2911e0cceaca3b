from __future__ import annotations

import pytest

from llxprt_runtime import SettingsEvent, SettingsService, SettingValidationError
from llxprt_runtime.settings import REDACTED, get_spec, parse_setting_text, validate_setting
from llxprt_runtime.settings.registry import (
    PRESERVED_ON_PROVIDER_SWITCH,
    SettingCategory,
    SettingSpec,
    SettingType,
    setting_specs,
    validate_model_param,
)

REQUIRED_KEYS = [
    "auth-key",
    "auth-keyfile",
    "auth-key-name",
    "base-url",
    "model",
    "streaming",
    "context-limit",
    "custom-headers",
    "user-agent",
    "requires-auth",
    "socket-timeout",
    "retries",
    "retrywait",
    "tool-format",
    "api-version",
    "reasoning.enabled",
    "reasoning.effort",
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "seed",
    "stop",
    "presence_penalty",
    "frequency_penalty",
]


def test_registry_declares_every_required_key() -> None:
    for key in REQUIRED_KEYS:
        assert get_spec(key) is not None, key
    auth_key = get_spec("auth-key")
    assert auth_key is not None
    assert auth_key.runtime_only and auth_key.sensitive and not auth_key.persist_to_profile
    assert all(spec.description for spec in setting_specs())


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("streaming", "enabled", "enabled"),
        ("streaming", "TRUE", "enabled"),
        ("streaming", False, "disabled"),
        ("context-limit", "100000", 100000),
        ("temperature", "0.5", 0.5),
        ("max-tokens", 4096, 4096),  # alias
        ("apiKey", " sk-x ", "sk-x"),  # alias, trimmed
        ("requires-auth", "false", False),
        ("custom-headers", '{"X-Team": "a"}', {"X-Team": "a"}),
        ("stop", '["a", "b"]', ["a", "b"]),
        ("reasoning.effort", "HIGH", "high"),
    ],
)
def test_values_are_normalized(key: str, raw: object, expected: object) -> None:
    assert validate_setting(key, raw)[1] == expected


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("streaming", "sometimes", "streaming must be one of: enabled, disabled"),
        ("context-limit", "-5", "context-limit must be a positive integer (e.g., 100000)"),
        ("context-limit", "lots", "context-limit must be a positive integer"),
        ("temperature", "3", "temperature must be between 0 and 2 (got 3"),
        ("temperature", "warm", "temperature must be a number"),
        ("requires-auth", "maybe", "requires-auth must be either 'true' or 'false'"),
        ("retries", "-1", "retries must be"),
        ("base-url", "ftp://x", "base-url must be an http:// or https:// URL"),
        ("auth-key-name", "bad name!", "key name 'bad name!' is invalid"),
        ("custom-headers", '{"Bad Header": "x"}', "'Bad Header' is not a valid header name"),
        ("custom-headers", "[1]", "custom-headers must be a JSON object"),
        ("tool-format", "smoke", "tool-format must be one of: auto, openai"),
    ],
)
def test_bad_values_name_the_key_and_what_is_accepted(key: str, raw: object, message: str) -> None:
    with pytest.raises(SettingValidationError) as info:
        validate_setting(key, raw)
    assert message in str(info.value)
    assert info.value.key == key


def test_unknown_setting_key_names_the_close_matches_only() -> None:
    with pytest.raises(SettingValidationError) as info:
        validate_setting("streamng", "enabled")
    assert str(info.value) == "Invalid setting key: streamng. Did you mean: streaming?"
    with pytest.raises(SettingValidationError, match=r"bogus\. No setting has a similar name\.$"):
        validate_setting("bogus", 1)


def test_unregistered_model_params_pass_through_but_registered_ones_validate() -> None:
    assert validate_model_param("min_p", 0.1) == ("min_p", 0.1)
    assert validate_model_param("maxTokens", "10") == ("max_tokens", 10)
    with pytest.raises(SettingValidationError, match="top_p must be between 0 and 1"):
        validate_model_param("top_p", 7)
    with pytest.raises(SettingValidationError, match="is a setting, not a model parameter"):
        validate_model_param("base-url", "http://x")


def test_parse_setting_text() -> None:
    assert parse_setting_text("42") == 42
    assert parse_setting_text("0.25") == 0.25
    assert parse_setting_text("true") is True
    assert parse_setting_text('{"a": "b"}') == {"a": "b"}
    assert parse_setting_text("gpt-5") == "gpt-5"
    assert parse_setting_text("{not json") == "{not json"


def test_settings_service_stores_and_emits_redacted_events() -> None:
    service = SettingsService()
    events: list[SettingsEvent] = []
    unsubscribe = service.subscribe(events.append)
    service.set("auth-key", "sk-secret-value")
    service.set_provider_setting("openai", "auth-key", "sk-secret-value")
    service.set("custom-headers", {"Authorization": "Bearer sk-secret-value", "X-Team": "t"})
    service.set("context-limit", 1000)
    service.unset("context-limit")
    service.clear()
    assert [e.kind for e in events] == [
        "change",
        "provider-change",
        "change",
        "change",
        "change",
        "cleared",
    ]
    assert events[0].new_value == REDACTED
    assert events[1].provider == "openai" and events[1].new_value == REDACTED
    assert events[2].new_value == {"Authorization": REDACTED, "X-Team": "t"}
    assert (events[3].new_value, events[4].old_value, events[4].new_value) == (1000, 1000, None)
    assert "sk-secret-value" not in repr(events)
    unsubscribe()
    service.set("context-limit", 5)
    assert len(events) == 6


def test_repr_and_diagnostics_never_show_secrets() -> None:
    service = SettingsService()
    service.set("auth-key", "sk-hidden-123")
    service.set_provider_setting("anthropic", "api-key", "sk-hidden-123")
    service.set("custom-headers", {"x-api-key": "sk-hidden-123"})
    assert "sk-hidden-123" not in repr(service)
    assert "sk-hidden-123" not in str(service.diagnostics())
    assert service.get("auth-key") == "sk-hidden-123"  # the value itself is kept in memory


def test_no_event_when_value_is_unchanged_and_broken_listener_is_isolated() -> None:
    service = SettingsService()
    seen: list[SettingsEvent] = []

    def broken(_event: SettingsEvent) -> None:
        raise RuntimeError("listener bug")

    service.subscribe(broken)
    service.subscribe(seen.append)
    service.set("streaming", "enabled")
    service.set("streaming", "enabled")
    assert len(seen) == 1
    assert service.get("streaming") == "enabled"


def test_invalid_value_changes_nothing() -> None:
    service = SettingsService()
    service.set("context-limit", 500)
    with pytest.raises(SettingValidationError):
        service.set("context-limit", "zero")
    with pytest.raises(SettingValidationError):
        service.set_provider_setting("openai", "temperature", 9)
    assert service.get("context-limit") == 500
    assert service.get_provider_settings("openai") == {}


def test_export_and_restore_state_round_trip() -> None:
    service = SettingsService()
    service.switch_provider("openai")
    service.set_provider_setting("openai", "model", "gpt-5")
    snapshot = service.export_state()
    service.switch_provider("gemini")
    service.set("context-limit", 9)
    service.restore_state(snapshot)
    assert service.active_provider == "openai"
    assert service.get("context-limit") is None
    assert service.get_provider_setting("openai", "model") == "gpt-5"


def test_special_cases_are_fields_of_the_spec_not_key_names() -> None:
    mode = SettingSpec(
        "x-mode",
        SettingType.ENUM,
        SettingCategory.CLI_BEHAVIOR,
        "A made-up enum that takes true/false as streaming does.",
        enum_values=("on", "off"),
        boolean_values=("on", "off"),
    )
    assert mode.validate(True) == "on" and mode.validate("FALSE") == "off"
    with pytest.raises(SettingValidationError, match=r"reasoning\.effort must be one of"):
        validate_setting("reasoning.effort", "true")  # no boolean values: true is not a choice
    count = SettingSpec(
        "x-count", SettingType.INTEGER, SettingCategory.CLI_BEHAVIOR, "", positive=True, example="7"
    )
    with pytest.raises(
        SettingValidationError, match=r"x-count must be a positive integer \(e.g., 7\)"
    ):
        count.validate(0)
    with pytest.raises(SettingValidationError, match=r"\(e.g., 4096\)"):
        validate_setting("socket-timeout", 0)  # the default example
    assert {"context-limit", "max_tokens", "streaming"} == PRESERVED_ON_PROVIDER_SWITCH
