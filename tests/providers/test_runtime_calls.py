"""Calls through ProviderManager: isolation on the wire, SDK client reuse, env fallbacks,
model listing and the strict runtime checks."""

from __future__ import annotations

import asyncio

import pytest

from llxprt_runtime import (
    MissingProviderRuntimeError,
    ProviderRuntimeNormalizationError,
    create_provider_runtime_context,
)
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.providers.base import GenerateChatOptions, ResolvedOptions
from llxprt_runtime.providers.content import IContent
from tests.providers.conftest import PROVIDERS, base_url, collect, runtime_for, sent_key
from tests.wire.server import Reply, WireServer


async def test_two_runtimes_with_different_keys_and_urls_run_concurrently() -> None:
    """The server sees each request with its own runtime's key, model and base URL."""
    with WireServer() as left, WireServer() as right:
        for server in (left, right):
            server.default_reply = lambda request: Reply(text=("x",) * 20, event_delay=0.002)

        async def agent(index: int) -> None:
            provider = PROVIDERS[index % 4]
            server = left if index % 2 == 0 else right
            runtime = await runtime_for(provider, server, key=f"sk-agent-{index}")
            await rs.set_active_model(f"model-{index}")
            for turn in range(3):
                _, reply = await collect(runtime, IContent.human(f"agent {index} turn {turn}"))
                assert reply.text() == "x" * 20

        await asyncio.gather(*(agent(i) for i in range(8)))
        for server in (left, right):
            requests = server.chat_requests()
            assert len(requests) == 12
            for request in requests:
                index = int(request.last_user_text().split()[1])
                assert sent_key(request) == f"sk-agent-{index}"
                model = (
                    request.path.split("/models/")[1].split(":")[0]
                    if (request.protocol == "gemini")
                    else request.body["model"]
                )
                assert model == f"model-{index}"
                assert (server is left) == (index % 2 == 0)
                assert request.protocol == PROVIDERS[index % 4]


async def test_one_provider_instance_serves_two_runtimes_at_once(wire: WireServer) -> None:
    """REQ-SP-001: no per-call state on the provider instance."""
    wire.default_reply = lambda request: Reply(
        text=tuple(request.last_user_text()), event_delay=0.003
    )
    a = await runtime_for("openai", wire, key="sk-a")
    b = await runtime_for("openai", wire, key="sk-b")
    await rs.set_active_model("model-a", runtime=a)
    await rs.set_active_model("model-b", runtime=b)
    shared = a.provider_manager.get_provider("openai")
    prepared = [
        await r.provider_manager.prepare_stateless_provider_invocation(
            GenerateChatOptions([IContent.human(text)], runtime=r.context)
        )
        for r, text in ((a, "aaaaaaaa"), (b, "bbbbbbbb"))
    ]

    async def run(options: GenerateChatOptions) -> str:
        return "".join([c.text() async for c in shared.generate_chat_completion(options)])

    results = await asyncio.gather(*(run(p) for p in prepared))
    assert results == ["aaaaaaaa", "bbbbbbbb"]
    by_key = {sent_key(r): r.body["model"] for r in wire.chat_requests()}
    assert by_key == {"sk-a": "model-a", "sk-b": "model-b"}


async def test_sdk_clients_are_reused_rebuilt_and_closed_per_runtime(wire: WireServer) -> None:
    runtime = await runtime_for("openai", wire, key="sk-1")
    other = await runtime_for("openai", wire, key="sk-1")
    clients = runtime.provider_manager.clients
    for _ in range(3):
        await collect(runtime, IContent.human("hi"))
    assert clients.created == 1
    await rs.update_active_provider_api_key("sk-2", runtime=runtime)
    await collect(runtime, IContent.human("hi"))
    await rs.set_ephemeral_setting("custom-headers", {"X-A": "1"}, runtime=runtime)
    await collect(runtime, IContent.human("hi"))
    assert clients.created == 3
    await collect(other, IContent.human("hi"))
    assert other.provider_manager.clients is not clients
    assert other.provider_manager.clients.created == 1
    assert len({r.client_port for r in wire.chat_requests()[:3]}) == 1  # one kept-alive connection
    await rs.reset_cli_provider_infrastructure(runtime.runtime_id)
    assert clients.closed and len(clients) == 0


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_sdk_env_fallbacks_never_decide(
    provider: str, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GOOGLE_GEMINI_BASE_URL"):
        monkeypatch.setenv(var, "http://127.0.0.1:9/never")
    for var in ("ANTHROPIC_AUTH_TOKEN", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.setenv(var, "env-value-should-not-be-sent")
    runtime = await runtime_for(provider, wire, key="sk-explicit")
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.setenv(var, "sk-from-env")
    await collect(runtime, IContent.human("hi"))
    request = wire.chat_requests()[-1]
    assert sent_key(request) == "sk-explicit"
    assert "env-value-should-not-be-sent" not in str(request.headers)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_env_keys_enter_through_the_resolver(
    provider: str, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "openai": "OPENAI_API_KEY",
        "openai-responses": "OPENAI_API_KEY",
        "anthropic": "ANTHROPIC_API_KEY",
        "gemini": "GEMINI_API_KEY",
    }[provider]
    monkeypatch.setenv(env, "sk-env-key")
    runtime = await runtime_for(provider, wire, key=None)
    prepared = await runtime.provider_manager.prepare_stateless_provider_invocation(
        GenerateChatOptions([IContent.human("hi")], runtime=runtime.context)
    )
    assert prepared.resolved is not None
    assert prepared.resolved.auth_method == f"env-{env.lower()}"
    await collect(runtime, IContent.human("hi"))
    assert sent_key(wire.chat_requests()[-1]) == "sk-env-key"


@pytest.mark.parametrize("provider", ["openai", "openai-responses", "anthropic"])
async def test_a_local_server_works_without_a_key(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire, key=None)
    _, reply = await collect(runtime, IContent.human("no key here"))
    assert reply.text() == "Echo: no key here"
    request = wire.chat_requests()[-1]
    assert "authorization" not in request.headers and "x-api-key" not in request.headers


async def test_a_remote_url_without_a_key_is_a_normalization_error() -> None:
    runtime = await rs.activate_isolated_runtime_context(runtime_id="tab-7")
    await rs.switch_active_provider("anthropic")
    with pytest.raises(ProviderRuntimeNormalizationError) as info:
        await collect(runtime, IContent.human("hi"))
    text = str(info.value)
    assert "Incomplete runtime resolution (auth_token) for runtime_id=tab-7" in text
    assert "ANTHROPIC_API_KEY" in text and "/key" in text


async def test_requires_auth_false_allows_a_keyless_remote_endpoint(wire: WireServer) -> None:
    runtime = await runtime_for("openai", wire, key=None, requires_auth=False)
    prepared = await runtime.provider_manager.prepare_stateless_provider_invocation(
        GenerateChatOptions([IContent.human("hi")], runtime=runtime.context)
    )
    assert prepared.resolved is not None and prepared.resolved.auth_token is None


async def test_calls_without_runtime_settings_or_config_fail_strictly(wire: WireServer) -> None:
    runtime = await runtime_for("openai", wire)
    manager = runtime.provider_manager
    with pytest.raises(MissingProviderRuntimeError, match=r"\(runtime, settings, config\)"):
        await manager.prepare_stateless_provider_invocation(GenerateChatOptions([]))
    bare = create_provider_runtime_context(runtime_id="bare")
    with pytest.raises(ProviderRuntimeNormalizationError, match="provider"):
        await manager.prepare_stateless_provider_invocation(GenerateChatOptions([], runtime=bare))
    provider = manager.get_provider("openai")
    with pytest.raises(MissingProviderRuntimeError, match="without resolved options"):
        async for _ in provider.generate_chat_completion(GenerateChatOptions([])):
            pass


async def test_resolution_precedence_and_the_global_guard(wire: WireServer) -> None:
    runtime = await runtime_for("openai", wire, key="sk-openai")
    settings = runtime.settings_service
    settings.set("base-url", "http://127.0.0.1:1/global")
    settings.set_provider_setting("openai", "base-url", None)
    manager = runtime.provider_manager
    options = GenerateChatOptions([IContent.human("hi")], runtime=runtime.context)
    prepared = await manager.prepare_stateless_provider_invocation(options)
    assert prepared.resolved is not None
    assert prepared.resolved.base_url == "http://127.0.0.1:1/global"
    # A call targeting another provider never picks up the active provider's globals.
    settings.set_provider_setting("anthropic", "auth-key", "sk-ant")
    other = await manager.prepare_stateless_provider_invocation(options, "anthropic")
    assert other.resolved is not None
    assert other.resolved.base_url == "https://api.anthropic.com"
    assert other.resolved.auth_token == "sk-ant"
    assert other.resolved.model == "claude-sonnet-5"
    # Per-call values win over everything.
    explicit = GenerateChatOptions(
        [IContent.human("hi")],
        runtime=runtime.context,
        resolved=ResolvedOptions("m-call", "http://127.0.0.1:2/v1", "sk-call", runtime.runtime_id),
    )
    call = await manager.prepare_stateless_provider_invocation(explicit)
    assert call.resolved is not None
    assert (call.resolved.model, call.resolved.base_url, call.resolved.auth_token) == (
        "m-call",
        "http://127.0.0.1:2/v1",
        "sk-call",
    )
    assert "sk-call" not in repr(call.resolved)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_models_are_listed_from_the_api_with_a_fallback(
    provider: str, wire: WireServer
) -> None:
    runtime = await runtime_for(provider, wire)
    manager = runtime.provider_manager
    options = GenerateChatOptions([], runtime=runtime.context)
    models = await manager.list_models(options)
    assert [m.id for m in models] == ["model-a", "model-b", "model-c"]
    listing = [r for r in wire.requests if r.method == "GET"][-1]
    assert listing.path.endswith("/models") and sent_key(listing) == "sk-test"
    fallback = await manager.get_provider(provider).get_models()
    assert fallback and fallback[0].provider == provider
    assert base_url(provider, wire)
