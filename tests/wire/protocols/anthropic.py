"""Anthropic Messages (`POST /v1/messages`) and the Anthropic model list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.wire.protocols import openai_chat, sse
from tests.wire.server import RecordedRequest, Reply

FINISH = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

# The body names the model and asks for a stream as OpenAI's does.
wants_stream = openai_chat.wants_stream
model_of = openai_chat.model_of
last_user_text = openai_chat.last_user_text


def stream_events(request: RecordedRequest, reply: Reply) -> Iterator[str]:
    yield sse.event(
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "msg_wire",
                "type": "message",
                "role": "assistant",
                "model": model_of(request),
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": reply.prompt_tokens,
                    "output_tokens": 1,
                    "cache_read_input_tokens": reply.cached_tokens,
                },
            },
        },
    )
    index = 0
    if reply.thinking:
        yield sse.event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            },
        )
        for thought in reply.thinking:
            yield _delta(index, {"type": "thinking_delta", "thinking": thought})
        yield _delta(index, {"type": "signature_delta", "signature": reply.signature})
        yield sse.event("content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    yield sse.event(
        "content_block_start",
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        },
    )
    yield sse.event("ping", {"type": "ping"})
    for text in reply.text:
        yield _delta(index, {"type": "text_delta", "text": text})
    yield sse.event("content_block_stop", {"type": "content_block_stop", "index": index})
    for call in reply.tool_calls:
        index += 1
        arguments = json.dumps(call.arguments)
        yield sse.event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {
                    "type": "tool_use",
                    "id": call.id,
                    "name": call.name,
                    "input": {},
                },
            },
        )
        for part in (arguments[: len(arguments) // 2], arguments[len(arguments) // 2 :]):
            yield _delta(index, {"type": "input_json_delta", "partial_json": part})
        yield sse.event("content_block_stop", {"type": "content_block_stop", "index": index})
    yield sse.event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": FINISH[reply.finish], "stop_sequence": None},
            "usage": {"output_tokens": reply.output_tokens},
        },
    )
    yield sse.event("message_stop", {"type": "message_stop"})


def _delta(index: int, delta: dict[str, Any]) -> str:
    return sse.event(
        "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
    )


def full_response(request: RecordedRequest, reply: Reply) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.thinking:
        content.append(
            {"type": "thinking", "thinking": "".join(reply.thinking), "signature": reply.signature}
        )
    content.append({"type": "text", "text": "".join(reply.text)})
    content += [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
        for c in reply.tool_calls
    ]
    return {
        "id": "msg_wire",
        "type": "message",
        "role": "assistant",
        "model": model_of(request),
        "content": content,
        "stop_reason": FINISH[reply.finish],
        "stop_sequence": None,
        "usage": {
            "input_tokens": reply.prompt_tokens,
            "output_tokens": reply.output_tokens,
            "cache_read_input_tokens": reply.cached_tokens,
        },
    }


def error_body(status: int, message: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": _ERROR_TYPES.get(status, "api_error"), "message": message},
    }


def error_event(message: str) -> str:
    return sse.event(
        "error", {"type": "error", "error": {"type": "overloaded_error", "message": message}}
    )


def malformed_event() -> str:
    return sse.malformed("content_block_delta")


def model_list(models: tuple[str, ...]) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "model",
                "id": m,
                "display_name": m.upper(),
                "created_at": "2025-01-01T00:00:00Z",
            }
            for m in models
        ],
        "has_more": False,
        "first_id": models[0],
        "last_id": models[-1],
    }
