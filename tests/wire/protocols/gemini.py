"""Gemini (`POST /{v1,v1beta}/models/M:streamGenerateContent?alt=sse`, `:generateContent`) and
the Gemini model list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.wire.protocols import openai_chat, sse, turns
from tests.wire.server import RecordedRequest, Reply

FINISH = {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP"}

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def wants_stream(request: RecordedRequest) -> bool:
    return ":streamGenerateContent" in request.path


def model_of(request: RecordedRequest) -> str:
    return request.path.rsplit("/", 1)[-1].split(":", 1)[0]


def last_user_text(request: RecordedRequest) -> str:
    return turns.last_user_text(turns.body_of(request).get("contents") or [])


def _usage(reply: Reply) -> dict[str, Any]:
    return {
        "promptTokenCount": reply.prompt_tokens,
        "candidatesTokenCount": reply.output_tokens,
        "totalTokenCount": reply.prompt_tokens + reply.output_tokens + reply.reasoning_tokens,
        "cachedContentTokenCount": reply.cached_tokens,
        "thoughtsTokenCount": reply.reasoning_tokens,
    }


def _chunk(parts: list[dict[str, Any]], model: str, **extra: Any) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if "finishReason" in extra:
        candidate["finishReason"] = extra.pop("finishReason")
    return {"candidates": [candidate], "modelVersion": model, **extra}


def _calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {"functionCall": {"name": c.name, "args": c.arguments, "id": c.id}}
        for c in reply.tool_calls
    ]


def stream_events(request: RecordedRequest, reply: Reply) -> Iterator[str]:
    model = model_of(request)
    for thought in reply.thinking:
        yield sse.data(_chunk([{"text": thought, "thought": True}], model))
    for text in reply.text:
        yield sse.data(_chunk([{"text": text}], model))
    yield sse.data(
        _chunk(
            _calls(reply) or [{"text": ""}],
            model,
            finishReason=FINISH[reply.finish],
            usageMetadata=_usage(reply),
        )
    )


def full_response(request: RecordedRequest, reply: Reply) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"text": t, "thought": True} for t in reply.thinking]
    parts.append({"text": "".join(reply.text)})
    parts += _calls(reply)
    return _chunk(
        parts,
        model_of(request),
        finishReason=FINISH[reply.finish],
        usageMetadata=_usage(reply),
    )


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}}


# A failure mid-stream is an error object in a `data:` line, as in OpenAI Chat.
error_event = openai_chat.error_event


def malformed_event() -> str:
    return sse.malformed()


def model_list(models: tuple[str, ...]) -> dict[str, Any]:
    return {
        "models": [
            {
                "name": f"models/{m}",
                "displayName": m.upper(),
                "supportedGenerationMethods": ["generateContent"],
            }
            for m in models
        ]
    }
