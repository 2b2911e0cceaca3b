"""Provider switches lose nothing and send nothing by surprise: switching away keeps the
reference's clearing (nothing of one provider reaches another), switching back restores
that provider's base URL, model, params and key source from earlier in this tab."""

from __future__ import annotations

from pathlib import Path

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.providers.content import IContent
from tests.providers.conftest import collect, runtime_for, sent_key
from tests.tui.conftest import SIZE, active, errors, make_app, notices, send_and_wait
from tests.wire.server import WireServer


async def test_switching_back_restores_the_providers_settings(
    tmp_path: Path, wire: WireServer
) -> None:
    keyfile = tmp_path / "key"
    keyfile.write_text("key-from-file-7\n")
    keyfile.chmod(0o600)
    runtime = await runtime_for("openai", wire, key=None)
    await rs.update_active_provider_keyfile(str(keyfile))
    await rs.set_active_model("model-kept")
    await rs.set_active_model_param("temperature", 0.25)

    away = await rs.switch_active_provider("anthropic")
    settings = runtime.settings_service
    assert settings.get("base-url") is None and settings.get("auth-keyfile") is None
    assert (await runtime.auth.resolve("anthropic", environ={})).token is None
    assert any("https://api.anthropic.com" in m for m in away.info_messages)

    back = await rs.switch_active_provider("openai")
    assert any(f"{wire.url}/v1" in m for m in back.info_messages), back.info_messages
    assert runtime.config.get_model() == "model-kept"
    await collect(runtime, IContent.human("hi"))
    [request] = wire.chat_requests()
    assert sent_key(request) == "key-from-file-7"
    assert request.body["model"] == "model-kept" and request.body["temperature"] == 0.25


async def test_each_provider_keeps_its_own_settings_across_several_switches(
    wire: WireServer,
) -> None:
    with WireServer() as other:
        runtime = await runtime_for("openai", wire, key="key-openai-1")
        await rs.switch_active_provider("anthropic")
        await rs.update_active_provider_base_url(other.url)
        await rs.update_active_provider_api_key("key-anthropic-2")
        await rs.switch_active_provider("openai")
        await collect(runtime, IContent.human("to openai"))
        await rs.switch_active_provider("anthropic")
        await collect(runtime, IContent.human("to anthropic"))
        assert [sent_key(r) for r in wire.chat_requests()] == ["key-openai-1"]
        assert [sent_key(r) for r in other.chat_requests()] == ["key-anthropic-2"]
        assert other.chat_requests()[0].protocol == "anthropic"


async def test_loading_a_profile_forgets_what_earlier_providers_had(wire: WireServer) -> None:
    runtime = await runtime_for("openai", wire, key="key-openai-3")
    await rs.save_profile_snapshot("plain")
    await rs.switch_active_provider("anthropic")
    await rs.switch_active_provider("gemini")
    await rs.load_profile_by_name("plain")  # a profile is a whole new state
    await rs.switch_active_provider("anthropic")
    assert runtime.settings_service.get("base-url") is None
    assert (await runtime.auth.resolve("anthropic", environ={})).token is None


async def test_in_the_app_the_message_after_switching_back_goes_to_the_loopback_server(
    wire: WireServer,
) -> None:
    app = make_app()  # the steps, all typed: provider, key and base URL
    async with app.run_test(size=SIZE) as pilot:
        for line in ("/provider openai", "/key key-tui-4", f"/baseurl {wire.url}/v1"):
            await send_and_wait(pilot, line)
        await send_and_wait(pilot, "/provider anthropic")
        await send_and_wait(pilot, "/provider openai")
        shown = notices(app)
        assert "https://api.anthropic.com" in shown and f"{wire.url}/v1" in shown
        tab = await send_and_wait(pilot, "after switching back")
        assert errors(app) == ""
        [request] = wire.chat_requests()
        assert request.last_user_text() == "after switching back"
        assert sent_key(request) == "key-tui-4"
        assert tab is active(pilot)
