"""OpenAI Chat Completions (`POST /v1/chat/completions`) and the OpenAI model list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.wire.protocols import sse, turns
from tests.wire.server import RecordedRequest, Reply

FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls"}

_ERROR_TYPES = {
    401: "invalid_request_error",
    403: "permission_error",
    404: "not_found",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
}


def wants_stream(request: RecordedRequest) -> bool:
    return bool(turns.body_of(request).get("stream"))


def model_of(request: RecordedRequest) -> str:
    return str(turns.body_of(request).get("model", "unknown"))


def last_user_text(request: RecordedRequest) -> str:
    return turns.last_user_text(turns.body_of(request).get("messages") or [])


def usage(reply: Reply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.prompt_tokens + reply.output_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
    }


def stream_events(request: RecordedRequest, reply: Reply) -> Iterator[str]:
    model = model_of(request)

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        return sse.data(
            {
                "id": "chatcmpl-wire",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
        )

    yield chunk({"role": "assistant", "content": ""})
    for thought in reply.thinking:
        yield chunk({"reasoning_content": thought})
    for text in reply.text:
        yield chunk({"content": text})
    for index, call in enumerate(reply.tool_calls):
        arguments = json.dumps(call.arguments)
        half = len(arguments) // 2
        yield chunk(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": arguments[:half]},
                    }
                ]
            }
        )
        yield chunk({"tool_calls": [{"index": index, "function": {"arguments": arguments[half:]}}]})
    yield chunk({}, FINISH[reply.finish])
    if (turns.body_of(request).get("stream_options") or {}).get("include_usage"):
        yield sse.data(
            {
                "id": "chatcmpl-wire",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [],
                "usage": usage(reply),
            }
        )
    yield "data: [DONE]\n\n"


def full_response(request: RecordedRequest, reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "".join(reply.text)}
    if reply.thinking:
        message["reasoning_content"] = "".join(reply.thinking)
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
            }
            for c in reply.tool_calls
        ]
    return {
        "id": "chatcmpl-wire",
        "object": "chat.completion",
        "created": 0,
        "model": model_of(request),
        "choices": [{"index": 0, "message": message, "finish_reason": FINISH[reply.finish]}],
        "usage": usage(reply),
    }


def error_body(status: int, message: str) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": _ERROR_TYPES.get(status, "api_error"),
            "param": None,
            "code": None,
        }
    }


def error_event(message: str) -> str:
    return sse.data({"error": {"message": message, "type": "server_error", "code": 500}})


def malformed_event() -> str:
    return sse.malformed()


def model_list(models: tuple[str, ...]) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": m, "object": "model", "created": 0, "owned_by": "wire"} for m in models],
    }
