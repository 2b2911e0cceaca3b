from __future__ import annotations

from llxprt_runtime import get_core_system_prompt
from llxprt_runtime import runtime_settings as rs


def test_prompt_depends_only_on_its_arguments() -> None:
    openai = get_core_system_prompt("openai", "gpt-5")
    anthropic = get_core_system_prompt("anthropic", "claude-sonnet-4-5", "Answer in French.")
    assert "model 'gpt-5' via provider 'openai'" in openai
    assert "model 'claude-sonnet-4-5' via provider 'anthropic'" in anthropic
    assert anthropic.endswith("Answer in French.")
    assert get_core_system_prompt("openai", "gpt-5") == openai


async def test_prompt_ignores_the_active_runtime() -> None:
    baseline = get_core_system_prompt("gemini", "gemini-2.5-pro")
    await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("anthropic")
    await rs.set_active_model("claude-opus-4-1")
    assert get_core_system_prompt("gemini", "gemini-2.5-pro") == baseline
