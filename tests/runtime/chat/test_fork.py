"""copy_runtime: a fork's runtime is set up as its source's (provider, model, parameters,
endpoint, key source; a typed key held in memory only), optionally switched to another
provider and model, and from then on the two never share a setting."""

from __future__ import annotations

import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.chat.fork import copy_runtime
from llxprt_runtime.errors import LlxprtError
from tests.providers.conftest import base_url, collect, runtime_for
from tests.wire.server import WireServer


async def test_a_copy_has_the_settings_and_the_typed_key_in_memory(wire: WireServer) -> None:
    source = await runtime_for("openai", wire, key="fake-typed-key-0002", temperature=0.5)
    await rs.set_active_model("gpt-4.1", runtime=source)
    target = await rs.activate_isolated_runtime_context(make_active=False)
    assert await copy_runtime(source, target) == []
    settings = target.settings_service
    assert settings.active_provider == "openai"
    assert target.config.get_model() == "gpt-4.1"
    assert settings.get("base-url") == base_url("openai", wire)
    assert settings.get_provider_setting("openai", "auth-key") == "fake-typed-key-0002"
    # In memory only: the runtime's snapshot (what a session or profile stores) has no key.
    snapshot = rs.build_runtime_profile_snapshot(runtime=target).to_json()
    assert "fake-typed-key-0002" not in snapshot
    # Separate from now on.
    await rs.set_active_model("gpt-5-mini", runtime=target)
    assert source.config.get_model() == "gpt-4.1"


async def test_a_copy_goes_to_another_provider_and_model(wire: WireServer) -> None:
    source = await runtime_for("openai", wire, key="fake-typed-key-0003")
    target = await rs.activate_isolated_runtime_context(make_active=False)
    said = await copy_runtime(source, target, provider="anthropic", model="claude-other")
    assert target.settings_service.active_provider == "anthropic"
    assert target.config.get_model() == "claude-other"
    assert any("claude-other" in line for line in said)
    # The openai key stays with openai: nothing of one provider reaches the next.
    assert target.settings_service.get("auth-key") is None
    assert source.settings_service.active_provider == "openai"
    with pytest.raises(LlxprtError):
        await copy_runtime(source, target, provider="no-such-provider")


async def test_a_runtime_without_a_provider_copies_to_an_empty_one() -> None:
    source = await rs.activate_isolated_runtime_context(make_active=False)
    target = await rs.activate_isolated_runtime_context(make_active=False)
    assert await copy_runtime(source, target) == []
    assert target.settings_service.active_provider is None
    with pytest.raises(LlxprtError, match="Choose a provider"):
        await copy_runtime(source, target, model="gpt-5")


async def test_a_copy_sends_the_secret_headers_it_holds_in_memory(wire: WireServer) -> None:
    headers = {"Authorization": "Bearer fake-header-token-0004", "X-Team": "blue"}
    source = await runtime_for("openai", wire, key="fake-typed-key-0004")
    await rs.set_ephemeral_setting("custom-headers", headers, runtime=source)
    target = await rs.activate_isolated_runtime_context(make_active=False)
    await copy_runtime(source, target)
    await collect(source)
    await collect(target)
    # The fork talks to the server as its source does, the credential header included (the
    # snapshot a fork starts from leaves it out, as a saved profile must).
    by_source, by_fork = (request.headers for request in wire.requests[-2:])
    assert by_source["x-team"] == by_fork["x-team"] == "blue"
    assert by_source["authorization"] == by_fork["authorization"]
    snapshot = rs.build_runtime_profile_snapshot(runtime=target).to_json()
    assert "fake-header-token-0004" not in snapshot
