"""Mirrors llxprt-code's multi-runtime isolation suite, with many asyncio tasks at once."""

from __future__ import annotations

import asyncio
import random

import pytest

from llxprt_runtime import MissingProviderRuntimeError, RuntimeServices
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.providers.catalog import api_key_providers

PROVIDERS = tuple(info.name for info in api_key_providers())


async def _yield_randomly(rng: random.Random) -> None:
    for _ in range(rng.randint(0, 3)):
        await asyncio.sleep(0)


async def test_concurrent_runtimes_each_see_only_their_own() -> None:
    count = 40
    rng = random.Random(1234)
    start = asyncio.Barrier(count)

    async def agent(index: int) -> tuple[RuntimeServices, dict[str, object]]:
        runtime = await rs.activate_isolated_runtime_context(runtime_id=f"agent-{index}")
        await start.wait()  # every runtime exists before any mutates
        provider = PROVIDERS[index % len(PROVIDERS)]
        secondary = PROVIDERS[(index + 1) % len(PROVIDERS)]
        await rs.switch_active_provider(secondary)
        await _yield_randomly(rng)
        await rs.update_active_provider_api_key(f"sk-secondary-{index}")
        await rs.switch_active_provider(provider)
        await _yield_randomly(rng)
        await rs.set_active_model(f"model-{index}")
        await _yield_randomly(rng)
        await rs.set_active_model_param("temperature", round(index / 40, 3))
        await rs.update_active_provider_base_url(f"http://127.0.0.1:{20000 + index}/v1")
        await _yield_randomly(rng)
        await rs.update_active_provider_api_key(f"sk-key-{index}")
        await rs.set_ephemeral_setting("context-limit", 1000 + index)
        await _yield_randomly(rng)
        # Read back through the active runtime of this task, after everyone has written.
        active = rs.resolve_runtime()
        resolved = await active.auth.resolve(provider)
        snapshot = rs.build_runtime_profile_snapshot()
        return runtime, {
            "active": active,
            "provider": active.config.get_provider(),
            "model": active.config.get_model(),
            "token": resolved.token,
            "snapshot": snapshot,
        }

    results = await asyncio.gather(*(agent(i) for i in range(count)))
    runtime_ids = {runtime.runtime_id for runtime, _ in results}
    assert len(runtime_ids) == count
    for index, (runtime, seen) in enumerate(results):
        provider = PROVIDERS[index % len(PROVIDERS)]
        assert seen["active"] is runtime
        assert seen["provider"] == provider
        assert seen["model"] == f"model-{index}"
        assert seen["token"] == f"sk-key-{index}"
        snapshot = seen["snapshot"]
        assert snapshot.model_params == {"temperature": round(index / 40, 3)}  # type: ignore[attr-defined]
        assert snapshot.ephemeral_settings == {  # type: ignore[attr-defined]
            "base-url": f"http://127.0.0.1:{20000 + index}/v1",
            "context-limit": 1000 + index,
        }
        settings = runtime.settings_service
        # The secondary provider's key was wiped by the switch, in this runtime only.
        assert settings.get_provider_settings(PROVIDERS[(index + 1) % len(PROVIDERS)]) == {}


async def test_reactivating_runtime_a_gives_back_a_state() -> None:
    """provider-multi-runtime.integration: activate A, B, re-activate A."""
    a = await rs.activate_isolated_runtime_context(runtime_id="runtime-a")
    await rs.switch_active_provider("anthropic")
    b = await rs.activate_isolated_runtime_context(runtime_id="runtime-b")
    await rs.switch_active_provider("gemini")
    rs.resolve_runtime(a)  # explicit reference works while B is active
    from llxprt_runtime import set_active_provider_runtime_context

    set_active_provider_runtime_context(a.context)
    assert rs.resolve_runtime().provider_manager.get_active_provider_name() == "anthropic"
    result = await rs.switch_active_provider("anthropic")
    assert result.next_provider == "anthropic" and not result.changed
    assert b.provider_manager.get_active_provider_name() == "gemini"


async def test_disposing_one_runtime_mid_flight_leaves_the_others_working() -> None:
    ready = asyncio.Event()
    disposed = asyncio.Event()

    async def survivor(index: int) -> str:
        await rs.activate_isolated_runtime_context(runtime_id=f"keep-{index}")
        await rs.switch_active_provider("openai")
        await ready.wait()
        await disposed.wait()
        await rs.set_active_model(f"kept-{index}")
        return rs.resolve_runtime().config.get_model() or ""

    async def victim() -> None:
        runtime = await rs.activate_isolated_runtime_context(runtime_id="doomed")
        await rs.switch_active_provider("anthropic")
        ready.set()
        await rs.reset_cli_provider_infrastructure(runtime.runtime_id)
        disposed.set()
        with pytest.raises(MissingProviderRuntimeError):
            await rs.set_active_model("x")

    results = await asyncio.gather(*(survivor(i) for i in range(5)), victim())
    assert results[:5] == [f"kept-{i}" for i in range(5)]


async def test_cleared_key_and_base_url_do_not_reappear_in_a_snapshot() -> None:
    await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    await rs.update_active_provider_api_key("sk-live-1")
    await rs.update_active_provider_base_url("http://127.0.0.1:1234/v1")
    await rs.update_active_provider_api_key(None)
    await rs.update_active_provider_base_url("NONE")
    snapshot = rs.build_runtime_profile_snapshot()
    for key in ("auth-key", "auth-keyfile", "auth-key-name", "base-url"):
        assert key not in snapshot.ephemeral_settings
    assert snapshot.model_params == {}


async def test_runtimes_in_separate_tasks_do_not_see_each_others_active_context() -> None:
    ids: list[str] = []

    async def tab(name: str) -> None:
        await rs.activate_isolated_runtime_context(runtime_id=name)
        await asyncio.sleep(0)
        ids.append(rs.resolve_runtime().runtime_id)

    await asyncio.gather(tab("tab-1"), tab("tab-2"), tab("tab-3"))
    assert sorted(ids) == ["tab-1", "tab-2", "tab-3"]
    with pytest.raises(MissingProviderRuntimeError):
        rs.resolve_runtime()  # the parent task activated nothing
