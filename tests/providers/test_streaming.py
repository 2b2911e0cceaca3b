"""Every provider streams text, thinking, tool calls and usage through its real SDK."""

from __future__ import annotations

import base64

import pytest

from llxprt_runtime.providers.base import ToolDeclaration
from llxprt_runtime.providers.content import (
    IContent,
    MediaBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResponseBlock,
)
from tests.providers.conftest import PROVIDERS, collect, runtime_for, sent_key
from tests.wire.server import Reply, ToolCall, WireServer

AUTH_HEADER = {
    "openai": "authorization",
    "openai-responses": "authorization",
    "anthropic": "authorization",
    "gemini": "x-goog-api-key",
}
PATHS = {
    "openai": "/v1/chat/completions",
    "openai-responses": "/v1/responses",
    "anthropic": "/v1/messages",
    "gemini": "/v1beta/models/{model}:streamGenerateContent",
}


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_streams_text_as_deltas_with_usage(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire, key="sk-stream-1")
    wire.enqueue(Reply(text=("Hel", "lo ", "world"), prompt_tokens=9, completion_tokens=3))
    chunks, reply = await collect(runtime, IContent.human("hi"))
    texts = [b.text for c in chunks for b in c.blocks if isinstance(b, TextBlock)]
    assert texts == ["Hel", "lo ", "world"]  # deltas as they arrived, not one blob
    assert reply.text() == "Hello world"
    assert reply.metadata.finish_reason == "stop"
    assert reply.metadata.usage is not None
    assert (reply.metadata.usage.prompt_tokens, reply.metadata.usage.completion_tokens) == (9, 3)
    request = wire.chat_requests()[-1]
    model = runtime.config.get_model()
    assert request.path == PATHS[provider].format(model=model)
    assert sent_key(request) == "sk-stream-1"
    assert AUTH_HEADER[provider] in request.headers


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_system_prompt_history_tools_and_images_reach_the_wire(
    provider: str, wire: WireServer
) -> None:
    runtime = await runtime_for(provider, wire)
    image = base64.b64encode(b"\x89PNG fake").decode()
    history = [
        IContent("human", (TextBlock("look"), MediaBlock("image/png", image))),
        IContent("ai", (TextBlock("calling"), ToolCallBlock("call_9", "lookup", {"q": "x"}))),
        IContent("tool", (ToolResponseBlock("call_9", "lookup", {"answer": 42}),)),
        IContent.human("and now?"),
    ]
    tools = [ToolDeclaration("lookup", "Look things up", {"type": "object", "properties": {}})]
    await collect(runtime, *history, system_prompt="Be brief.", tools=tools)
    body = wire.chat_requests()[-1].body
    text = str(body)
    assert "Be brief." in text
    assert "lookup" in text and "call_9" in text and "42" in text
    assert "and now?" in text and "look" in text
    assert image in text  # every wire format carries the image as base64


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_tool_calls_and_thinking_come_back(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire)
    wire.enqueue(
        Reply(
            text=("Let me check.",),
            thinking=("Need", " data"),
            tool_calls=(ToolCall("call_1", "get_weather", {"city": "Oslo", "days": 2}),),
            finish="tool_calls",
        )
    )
    tools = [ToolDeclaration("get_weather", "Weather", {"type": "object", "properties": {}})]
    chunks, reply = await collect(runtime, IContent.human("weather?"), tools=tools)
    assert reply.thinking() == "Need data"
    assert any(isinstance(b, ThinkingBlock) for c in chunks for b in c.blocks)
    calls = reply.tool_calls()
    assert [(c.name, dict(c.parameters)) for c in calls] == [
        ("get_weather", {"city": "Oslo", "days": 2})
    ]
    assert calls[0].id == "call_1"
    assert reply.metadata.finish_reason == "tool_calls"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_streaming_disabled_gives_one_response(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire, streaming="disabled")
    wire.enqueue(Reply(text=("one ", "piece")))
    chunks, reply = await collect(runtime, IContent.human("hi"))
    assert len(chunks) == 1 and reply.text() == "one piece"
    assert reply.metadata.usage is not None and reply.metadata.finish_reason == "stop"
    request = wire.chat_requests()[-1]
    if provider == "gemini":
        assert request.path.endswith(":generateContent")
    else:
        assert request.body["stream"] is False or "stream" not in request.body


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_model_params_headers_and_user_agent_go_through(
    provider: str, wire: WireServer
) -> None:
    from llxprt_runtime import runtime_settings as rs

    runtime = await runtime_for(provider, wire)
    await rs.set_active_model("model-x")
    await rs.set_active_model_param("temperature", 0.25)
    await rs.set_active_model_param("max_tokens", 321)
    await rs.set_ephemeral_setting("custom-headers", {"X-Team": "platform"})
    await rs.set_ephemeral_setting("user-agent", "llxprt-test/1.0")
    await collect(runtime, IContent.human("hi"))
    request = wire.chat_requests()[-1]
    assert request.headers["x-team"] == "platform"
    # google-genai always puts its own identifier in front of a custom User-Agent.
    assert request.headers["user-agent"].endswith("llxprt-test/1.0")
    text = str(request.body)
    assert "0.25" in text and "321" in text
    if provider == "gemini":
        assert "/models/model-x:" in request.path
    else:
        assert request.body["model"] == "model-x"
