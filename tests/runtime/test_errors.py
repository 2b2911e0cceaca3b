from __future__ import annotations

from llxprt_runtime import MissingProviderRuntimeError, ProviderRuntimeNormalizationError


def test_normalization_error_carries_fields_and_tells_what_to_do() -> None:
    error = ProviderRuntimeNormalizationError(
        "openai",
        ("base_url", "auth_token"),
        runtime_id="tab-2",
        remediation=("Set a key with /key.",),
    )
    text = str(error)
    assert text.startswith(
        "Incomplete runtime resolution (base_url, auth_token) for runtime_id=tab-2 "
        "(provider 'openai')."
    )
    assert "[REQ-SP-003]" in text and "  - Set a key with /key." in text
    assert (error.provider, error.missing_fields, error.requirement) == (
        "openai",
        ("base_url", "auth_token"),
        "REQ-SP-003",
    )


def test_missing_runtime_error_has_default_remediation() -> None:
    error = MissingProviderRuntimeError("anthropic", ("settings", "config"), stage="prepare")
    text = str(error)
    assert text.startswith(
        "Provider anthropic was invoked without required runtime context (settings, config)."
    )
    assert "activate_isolated_runtime_context()" in text
    assert error.stage == "prepare" and error.requirement == "REQ-SP-001"
