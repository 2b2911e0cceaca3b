from __future__ import annotations

from pathlib import Path

import pytest

from llxprt_runtime import (
    KeyfileError,
    LlxprtError,
    MissingProviderRuntimeError,
    NamedKeyNotFoundError,
    NoActiveProviderError,
    ProviderNotAvailableError,
    RuntimeRegistry,
    SettingValidationError,
    get_active_provider_runtime_context,
    peek_active_provider_runtime_context,
)
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth.secret_store import KEYRING_SERVICE
from tests.keyrings import MemoryKeyring


async def test_activate_registers_and_makes_active(registry: RuntimeRegistry) -> None:
    runtime = await rs.activate_isolated_runtime_context(metadata={"origin": "test"})
    assert registry.get(runtime.runtime_id) is runtime
    assert get_active_provider_runtime_context() is runtime.context
    assert runtime.metadata["origin"] == "test"
    assert runtime.provider_manager.runtime_id == runtime.runtime_id
    assert runtime.oauth_manager.runtime_id == runtime.runtime_id
    assert runtime.token_cache.runtime_id == runtime.runtime_id
    assert rs.resolve_runtime() is runtime
    assert rs.resolve_runtime(runtime.context) is runtime


async def test_helpers_fail_strictly_without_a_registered_runtime() -> None:
    with pytest.raises(MissingProviderRuntimeError):
        await rs.set_active_model("gpt-5")
    runtime = await rs.activate_isolated_runtime_context()
    await rs.reset_cli_provider_infrastructure(runtime.runtime_id)
    assert peek_active_provider_runtime_context() is None
    with pytest.raises(MissingProviderRuntimeError, match="has been disposed"):
        await rs.set_active_model("gpt-5", runtime=runtime)
    with pytest.raises(MissingProviderRuntimeError, match="no runtime registration"):
        await rs.set_active_model("gpt-5", runtime=runtime.context)


async def test_helpers_need_an_active_provider() -> None:
    await rs.activate_isolated_runtime_context()
    with pytest.raises(NoActiveProviderError, match="Set a provider with /provider first"):
        await rs.update_active_provider_api_key("sk-1")


async def test_switch_provider_follows_the_reference_rules() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    first = await rs.switch_active_provider("openai")
    assert first.changed and first.previous_provider is None
    assert first.default_model == "gpt-5"
    assert "Use /key to set API key if needed." in first.info_messages
    await rs.update_active_provider_api_key("sk-openai-1")
    await rs.update_active_provider_base_url("http://127.0.0.1:9/v1")
    await rs.set_active_model_param("temperature", 0.3)
    for key, value in (("context-limit", 1000), ("max_tokens", 77), ("streaming", "disabled")):
        await rs.set_ephemeral_setting(key, value)
    await rs.set_ephemeral_setting("retries", 2)

    result = await rs.switch_active_provider("anthropic")
    settings = runtime.settings_service
    assert result.changed and result.previous_provider == "openai"
    assert result.info_messages[0] == (
        "Cleared custom base URL for provider 'openai'; default endpoint restored."
    )
    assert "Active model is 'claude-sonnet-5' for provider 'anthropic'." in result.info_messages
    assert settings.get_provider_settings("openai") == {}
    globals_now = settings.get_all_global_settings()
    assert globals_now == {"context-limit": 1000, "max_tokens": 77, "streaming": "disabled"}
    assert runtime.config.get_provider() == "anthropic"
    assert runtime.config.get_model() == "claude-sonnet-5"

    again = await rs.switch_active_provider("anthropic")
    assert not again.changed and again.info_messages == ("Already using provider: anthropic",)


async def test_switch_provider_errors_change_nothing() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("gemini")
    before = runtime.settings_service.export_state()
    with pytest.raises(ProviderNotAvailableError, match="Provider 'nope' is not available"):
        await rs.switch_active_provider("nope")
    with pytest.raises(LlxprtError, match="Provider name is required"):
        await rs.switch_active_provider("  ")
    assert runtime.settings_service.export_state() == before


async def test_api_key_set_and_remove() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    result = await rs.update_active_provider_api_key("sk-abc")
    assert result.changed and "updated" in result.message and "sk-abc" not in result.message
    resolved = await runtime.auth.resolve("openai")
    assert (resolved.token, resolved.method) == ("sk-abc", "command-key")
    removed = await rs.update_active_provider_api_key("none")
    assert removed.changed and removed.message == "API key removed for provider 'openai'"
    assert (await runtime.auth.resolve("openai")).token is None


async def test_base_url_set_clear_and_invalid() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    set_result = await rs.update_active_provider_base_url("http://127.0.0.1:8080/v1")
    assert set_result.message == (
        "Base URL updated to 'http://127.0.0.1:8080/v1' for provider 'openai'."
    )
    with pytest.raises(SettingValidationError, match="base-url must be an http"):
        await rs.update_active_provider_base_url("not a url")
    assert runtime.settings_service.get("base-url") == "http://127.0.0.1:8080/v1"
    cleared = await rs.update_active_provider_base_url("none")
    assert cleared.changed and "default endpoint" in cleared.message
    assert runtime.settings_service.get_provider_setting("openai", "base-url") is None


async def test_keyfile_is_checked_when_set(tmp_path: Path) -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("anthropic")
    empty = tmp_path / "empty.key"
    empty.write_text("\n")
    empty.chmod(0o600)
    with pytest.raises(KeyfileError, match="is empty"):
        await rs.update_active_provider_keyfile(str(empty))
    with pytest.raises(KeyfileError, match="was not found"):
        await rs.update_active_provider_keyfile(str(tmp_path / "missing.key"))
    good = tmp_path / "good.key"
    good.write_text("sk-from-file\n")
    good.chmod(0o600)
    result = await rs.update_active_provider_keyfile(str(good))
    assert result.changed and "sk-from-file" not in result.message
    resolved = await runtime.auth.resolve("anthropic")
    assert (resolved.token, resolved.method) == ("sk-from-file", "keyfile")


async def test_named_key_must_exist(memory_keyring: MemoryKeyring) -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("gemini")
    with pytest.raises(NamedKeyNotFoundError, match="Named key 'work' not found"):
        await rs.use_named_key("work")
    memory_keyring.passwords[(KEYRING_SERVICE, "work")] = "AI-key-1"
    result = await rs.use_named_key("work")
    assert result.message == "Loaded key 'work' — active for this session"
    resolved = await runtime.auth.resolve("gemini")
    assert (resolved.token, resolved.method, resolved.source) == (
        "AI-key-1",
        "named-key",
        "keyring: work",
    )


async def test_model_and_params() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    changed = await rs.set_active_model("gpt-4.1")
    assert (changed.previous_model, changed.next_model) == ("gpt-5", "gpt-4.1")
    assert changed.message == "Switched from gpt-5 to gpt-4.1 in provider 'openai'"
    assert await rs.set_active_model_param("max-tokens", "512") == ("max_tokens", 512)
    assert await rs.set_active_model_param("min_p", 0.05) == ("min_p", 0.05)
    with pytest.raises(SettingValidationError):
        await rs.set_active_model_param("temperature", "hot")
    await rs.set_active_model_param("min_p", None)
    params = runtime.settings_service.get_provider_settings("openai")
    assert params == {"model": "gpt-4.1", "max_tokens": 512}


async def test_set_ephemeral_rejects_unknown_keys_and_bad_values() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    with pytest.raises(SettingValidationError, match="Invalid setting key: colour"):
        await rs.set_ephemeral_setting("colour", "red")
    with pytest.raises(SettingValidationError, match="streaming must be one of"):
        await rs.set_ephemeral_setting("streaming", "loud")
    assert await rs.set_ephemeral_setting("socket-timeout", "3000") == ("socket-timeout", 3000)
    assert runtime.config.get_ephemeral_settings() == {"socket-timeout": 3000}


async def test_reset_flushes_tokens_and_disposes_managers(registry: RuntimeRegistry) -> None:
    runtime = await rs.activate_isolated_runtime_context()
    cache = runtime.token_cache
    cache.put(cache.scope("openai"), "tok", method="oauth-openai", source="OAuth")
    flushed = await rs.reset_cli_provider_infrastructure(runtime.runtime_id)
    assert flushed == 1 and cache.scopes() == []
    assert runtime.provider_manager.disposed and runtime.disposed
    assert registry.get(runtime.runtime_id) is None
    assert await rs.reset_cli_provider_infrastructure(runtime.runtime_id) == 0


async def test_dispose_runtime_disposes_that_runtime_only(registry: RuntimeRegistry) -> None:
    """What the TUI calls when a tab closes: the named runtime goes, the active one stays;
    the seed's name without an id disposes the active one."""
    closing = await rs.activate_isolated_runtime_context()
    staying = await rs.activate_isolated_runtime_context()  # now the active one
    assert await rs.dispose_runtime(closing.runtime_id) == 0
    assert closing.disposed and registry.get(closing.runtime_id) is None
    assert not staying.disposed and registry.get(staying.runtime_id) is staying
    assert await rs.dispose_runtime(closing.runtime_id) == 0  # twice is a no-op
    await rs.reset_cli_provider_infrastructure()
    assert staying.disposed and registry.get(staying.runtime_id) is None
