from __future__ import annotations

import asyncio
import logging

import pytest

from llxprt_runtime import (
    LEGACY_RUNTIME_ID,
    Config,
    MissingProviderRuntimeError,
    SettingsService,
    clear_active_provider_runtime_context,
    create_provider_runtime_context,
    get_active_provider_runtime_context,
    peek_active_provider_runtime_context,
    set_active_provider_runtime_context,
)
from llxprt_runtime import runtime_context as context_module


def test_get_active_raises_when_none_and_peek_returns_none() -> None:
    assert peek_active_provider_runtime_context() is None
    with pytest.raises(MissingProviderRuntimeError) as info:
        get_active_provider_runtime_context()
    assert "activate_isolated_runtime_context()" in str(info.value)
    assert info.value.missing_fields == ("runtime",)


def test_create_builds_a_bound_pair_and_set_makes_it_active() -> None:
    settings = SettingsService()
    context = create_provider_runtime_context(settings, runtime_id="tab-1", metadata={"a": 1})
    assert context.config.settings_service is settings
    assert context.metadata["a"] == 1
    token = set_active_provider_runtime_context(context)
    try:
        assert get_active_provider_runtime_context() is context
    finally:
        context_module.reset_active_provider_runtime_context(token)
    assert peek_active_provider_runtime_context() is None


def test_config_must_share_the_settings_service() -> None:
    with pytest.raises(ValueError, match="same SettingsService"):
        create_provider_runtime_context(SettingsService(), Config(SettingsService()), "x")


def test_blank_runtime_id_is_rejected() -> None:
    with pytest.raises(ValueError, match="Invalid runtime_id"):
        create_provider_runtime_context(runtime_id="  ")


def test_missing_runtime_id_falls_back_to_legacy_singleton_with_one_debug_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    context_module._warn_legacy_runtime_once.cache_clear()
    with caplog.at_level(logging.DEBUG, logger="llxprt_runtime.runtime_context"):
        first = create_provider_runtime_context()
        second = create_provider_runtime_context()
    assert first.runtime_id == second.runtime_id == LEGACY_RUNTIME_ID
    warnings = [r for r in caplog.records if LEGACY_RUNTIME_ID in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.DEBUG
    assert first.settings_service is not second.settings_service


async def test_each_task_sees_its_own_active_context() -> None:
    contexts = [create_provider_runtime_context(runtime_id=f"task-{i}") for i in range(10)]
    barrier = asyncio.Barrier(len(contexts))

    async def run(index: int) -> str:
        set_active_provider_runtime_context(contexts[index])
        await barrier.wait()  # every task has set its own before anyone reads
        await asyncio.sleep(0)
        return get_active_provider_runtime_context().runtime_id

    results = await asyncio.gather(*(run(i) for i in range(len(contexts))))
    assert results == [f"task-{i}" for i in range(10)]
    assert peek_active_provider_runtime_context() is None  # the parent task never changed


def test_clear_active() -> None:
    set_active_provider_runtime_context(create_provider_runtime_context(runtime_id="r"))
    clear_active_provider_runtime_context()
    assert peek_active_provider_runtime_context() is None
