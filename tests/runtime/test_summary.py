"""describe(): one runtime's provider, model, profile, key source, endpoint and streaming
setting, read without touching any secret."""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend

from llxprt_runtime import api
from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.summary import BalancerSummary, RuntimeSummary
from tests.conftest import Dirs
from tests.providers.conftest import collect
from tests.providers.lb_fixtures import servers, write_lb, write_members
from tests.wire.server import WireServer

__all__ = ["servers"]  # the fixture, imported for this module's tests


async def test_a_runtime_without_a_provider_says_so() -> None:
    runtime = await api.activate_isolated_runtime_context()
    assert api.describe(runtime) == RuntimeSummary(provider=None)


async def test_a_provider_with_its_defaults() -> None:
    runtime = await api.activate_isolated_runtime_context()
    await api.switch_active_provider("anthropic", runtime=runtime)
    summary = api.describe(runtime)
    assert summary.provider == "anthropic"
    assert summary.model == runtime.provider_manager.get_provider_info("anthropic").default_model
    assert summary.profile is None
    assert summary.key_source == "none"
    assert summary.endpoint == "https://api.anthropic.com"
    assert summary.endpoint_is_default
    assert summary.streaming


async def test_model_key_endpoint_and_streaming_as_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-env-key")
    runtime = await api.activate_isolated_runtime_context()
    await api.switch_active_provider("openai", runtime=runtime)
    assert api.describe(runtime).key_source == "env: OPENAI_API_KEY"
    await api.set_active_model("gpt-test", runtime=runtime)
    await api.update_active_provider_api_key("test-typed-key", runtime=runtime)
    await api.update_active_provider_base_url(
        "http://user:hunter2-pass@127.0.0.1:9/v1", runtime=runtime
    )
    await api.set_ephemeral_setting("streaming", "disabled", runtime=runtime)
    summary = api.describe(runtime)
    assert summary.model == "gpt-test"
    assert summary.key_source is not None and summary.key_source != "none"
    assert "test-typed-key" not in repr(summary)
    assert "hunter2-pass" not in repr(summary)  # the URL's password is masked
    assert summary.endpoint is not None and summary.endpoint.endswith("@127.0.0.1:9/v1")
    assert not summary.endpoint_is_default
    assert not summary.streaming


async def test_the_profile_name_and_a_keyring_key(
    dirs: Dirs, memory_keyring: KeyringBackend
) -> None:
    runtime = await api.activate_isolated_runtime_context()
    await api.switch_active_provider("gemini", runtime=runtime)
    await api.save_active_provider_key("test-keyring-key", name="work", runtime=runtime)
    await api.use_named_key("work", runtime=runtime)
    await api.save_profile_snapshot("daily", runtime=runtime)
    await api.load_profile_by_name("daily", runtime=runtime)
    summary = api.describe(runtime)
    assert (summary.provider, summary.profile) == ("gemini", "daily")
    assert summary.key_source == "keyring: work"


async def test_the_key_source_checked_by_reading_the_key() -> None:
    runtime = await api.activate_isolated_runtime_context()
    await api.switch_active_provider("openai", runtime=runtime)
    assert await api.resolved_key_source(runtime, "openai") is None
    await api.save_active_provider_key("test-keyring-key", name="work", runtime=runtime)
    await api.use_named_key("work", runtime=runtime)
    assert await api.resolved_key_source(runtime, "openai") == "keyring: work"
    # A key named but not in the keyring: describe() reads nothing, the check says why.
    other = await api.activate_isolated_runtime_context()
    await api.switch_active_provider("openai", runtime=other)
    await api.set_ephemeral_setting("auth-key-name", "absent", runtime=other)
    assert api.describe(other).key_source == "keyring: absent"
    with pytest.raises(LlxprtError, match="absent"):
        await api.resolved_key_source(other, "openai")


async def test_each_runtime_describes_only_itself() -> None:
    first = await api.activate_isolated_runtime_context()
    second = await api.activate_isolated_runtime_context()
    await api.switch_active_provider("openai", runtime=first)
    await api.update_active_provider_base_url("http://127.0.0.1:1/v1", runtime=first)
    await api.switch_active_provider("anthropic", runtime=second)
    assert api.describe(first).endpoint == "http://127.0.0.1:1/v1"
    assert api.describe(second).endpoint == "https://api.anthropic.com"
    # Without `runtime=`, the active runtime of this task: the last one activated.
    assert api.describe() == api.describe(second)


async def test_a_load_balancer_names_itself_and_the_member_that_served(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "pool", "roundrobin")
    runtime = await api.activate_isolated_runtime_context()
    await api.load_profile_by_name("pool", runtime=runtime)
    summary = api.describe(runtime)
    assert summary.balancer == BalancerSummary("pool", "roundrobin", None)
    assert (summary.model, summary.key_source, summary.endpoint) == (None, None, None)
    await collect(runtime, IContent.human("hello"))
    served = api.describe(runtime).balancer
    assert served is not None and served.last_member == "lb-one (openai model-one)"
