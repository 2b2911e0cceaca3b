"""The four vendors' wire formats: SSE events, full responses, error bodies, model lists."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.wire.server import RecordedRequest, Reply

_FINISH = {
    "openai": {"stop": "stop", "length": "length", "tool_calls": "tool_calls"},
    "anthropic": {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"},
    "gemini": {"stop": "STOP", "length": "MAX_TOKENS", "tool_calls": "STOP"},
}


def _data(payload: Any) -> str:
    return f"data: {json.dumps(payload)}\n\n"


def _event(name: str, payload: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(payload)}\n\n"


def wants_stream(request: RecordedRequest) -> bool:
    if request.protocol == "gemini":
        return ":streamGenerateContent" in request.path
    return isinstance(request.body, dict) and bool(request.body.get("stream"))


def model_of(request: RecordedRequest) -> str:
    if request.protocol == "gemini":
        return request.path.rsplit("/", 1)[-1].split(":", 1)[0]
    body = request.body if isinstance(request.body, dict) else {}
    return str(body.get("model", "unknown"))


def last_user_text(request: RecordedRequest) -> str:
    """The text of the last user turn, whatever the protocol."""
    body = request.body if isinstance(request.body, dict) else {}
    turns: list[Any] = body.get("messages") or body.get("contents") or []
    if request.protocol == "openai-responses":
        raw = body.get("input")
        turns = [{"role": "user", "content": raw}] if isinstance(raw, str) else raw or []
    for turn in reversed(turns):
        if turn.get("role") != "user":
            continue
        content = turn.get("content", turn.get("parts"))
        if isinstance(content, str):
            return content
        texts = [
            part.get("text", "")
            for part in content or []
            if isinstance(part, dict)
            and part.get("type") in (None, "text", "input_text")
            and "text" in part
        ]
        if texts:
            return "".join(texts)
    return ""


# --- streams ------------------------------------------------------------------------------


def stream_events(protocol: str, request: RecordedRequest, reply: Reply) -> Iterator[str]:
    model = model_of(request)
    if protocol == "openai":
        return _openai_stream(request, reply, model)
    if protocol == "openai-responses":
        return _responses_stream(reply, model)
    if protocol == "anthropic":
        return _anthropic_stream(reply, model)
    return _gemini_stream(reply, model)


def _openai_usage(reply: Reply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.prompt_tokens + reply.output_tokens,
        "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
        "completion_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
    }


def _openai_stream(request: RecordedRequest, reply: Reply, model: str) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        return _data(
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
    yield chunk({}, _FINISH["openai"][reply.finish])
    body = request.body if isinstance(request.body, dict) else {}
    if (body.get("stream_options") or {}).get("include_usage"):
        yield _data(
            {
                "id": "chatcmpl-wire",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [],
                "usage": _openai_usage(reply),
            }
        )
    yield "data: [DONE]\n\n"


def _responses_output(reply: Reply) -> list[dict[str, Any]]:
    output: list[dict[str, Any]] = []
    if reply.thinking:
        output.append(
            {
                "type": "reasoning",
                "id": "rs_1",
                "summary": [{"type": "summary_text", "text": "".join(reply.thinking)}],
                "encrypted_content": reply.signature,
            }
        )
    if reply.text:
        output.append(
            {
                "type": "message",
                "id": "msg_1",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {"type": "output_text", "text": "".join(reply.text), "annotations": []}
                ],
            }
        )
    for index, call in enumerate(reply.tool_calls):
        output.append(
            {
                "type": "function_call",
                "id": f"fc_{index}",
                "call_id": call.id,
                "name": call.name,
                "arguments": json.dumps(call.arguments),
                "status": "completed",
            }
        )
    return output


def _response_object(reply: Reply, model: str, status: str) -> dict[str, Any]:
    return {
        "id": "resp_wire",
        "object": "response",
        "created_at": 0,
        "status": status,
        "model": model,
        "output": _responses_output(reply) if status == "completed" else [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": reply.prompt_tokens,
            "input_tokens_details": {"cached_tokens": reply.cached_tokens},
            "output_tokens": reply.output_tokens,
            "output_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
            "total_tokens": reply.prompt_tokens + reply.output_tokens,
        },
        "incomplete_details": {"reason": "max_output_tokens"} if reply.finish == "length" else None,
    }


def _responses_stream(reply: Reply, model: str) -> Iterator[str]:
    seq = iter(range(10_000))
    yield _event(
        "response.created",
        {
            "type": "response.created",
            "sequence_number": next(seq),
            "response": _response_object(reply, model, "in_progress"),
        },
    )
    if reply.thinking:
        for thought in reply.thinking:
            yield _event(
                "response.reasoning_summary_text.delta",
                {
                    "type": "response.reasoning_summary_text.delta",
                    "item_id": "rs_1",
                    "output_index": 0,
                    "summary_index": 0,
                    "delta": thought,
                    "sequence_number": next(seq),
                },
            )
    for text in reply.text:
        yield _event(
            "response.output_text.delta",
            {
                "type": "response.output_text.delta",
                "item_id": "msg_1",
                "output_index": 0,
                "content_index": 0,
                "delta": text,
                "logprobs": [],
                "sequence_number": next(seq),
            },
        )
    for index, item in enumerate(
        o for o in _responses_output(reply) if o["type"] == "function_call"
    ):
        added = dict(item, arguments="", status="in_progress")
        yield _event(
            "response.output_item.added",
            {
                "type": "response.output_item.added",
                "output_index": index + 1,
                "item": added,
                "sequence_number": next(seq),
            },
        )
        yield _event(
            "response.function_call_arguments.delta",
            {
                "type": "response.function_call_arguments.delta",
                "item_id": item["id"],
                "output_index": index + 1,
                "delta": item["arguments"],
                "sequence_number": next(seq),
            },
        )
        yield _event(
            "response.output_item.done",
            {
                "type": "response.output_item.done",
                "output_index": index + 1,
                "item": item,
                "sequence_number": next(seq),
            },
        )
    final = "incomplete" if reply.finish == "length" else "completed"
    obj = _response_object(reply, model, "completed")
    obj["status"] = final
    yield _event(
        f"response.{final}",
        {"type": f"response.{final}", "sequence_number": next(seq), "response": obj},
    )


def _anthropic_stream(reply: Reply, model: str) -> Iterator[str]:
    yield _event(
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "msg_wire",
                "type": "message",
                "role": "assistant",
                "model": model,
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
        yield _event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            },
        )
        for thought in reply.thinking:
            yield _event(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "thinking_delta", "thinking": thought},
                },
            )
        yield _event(
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "signature_delta", "signature": reply.signature},
            },
        )
        yield _event("content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    yield _event(
        "content_block_start",
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        },
    )
    yield _event("ping", {"type": "ping"})
    for text in reply.text:
        yield _event(
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "text_delta", "text": text},
            },
        )
    yield _event("content_block_stop", {"type": "content_block_stop", "index": index})
    for call in reply.tool_calls:
        index += 1
        arguments = json.dumps(call.arguments)
        yield _event(
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
            yield _event(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": part},
                },
            )
        yield _event("content_block_stop", {"type": "content_block_stop", "index": index})
    yield _event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": _FINISH["anthropic"][reply.finish], "stop_sequence": None},
            "usage": {"output_tokens": reply.output_tokens},
        },
    )
    yield _event("message_stop", {"type": "message_stop"})


def _gemini_usage(reply: Reply) -> dict[str, Any]:
    return {
        "promptTokenCount": reply.prompt_tokens,
        "candidatesTokenCount": reply.output_tokens,
        "totalTokenCount": reply.prompt_tokens + reply.output_tokens + reply.reasoning_tokens,
        "cachedContentTokenCount": reply.cached_tokens,
        "thoughtsTokenCount": reply.reasoning_tokens,
    }


def _gemini_chunk(parts: list[dict[str, Any]], model: str, **extra: Any) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if "finishReason" in extra:
        candidate["finishReason"] = extra.pop("finishReason")
    return {"candidates": [candidate], "modelVersion": model, **extra}


def _gemini_stream(reply: Reply, model: str) -> Iterator[str]:
    for thought in reply.thinking:
        yield _data(_gemini_chunk([{"text": thought, "thought": True}], model))
    for text in reply.text:
        yield _data(_gemini_chunk([{"text": text}], model))
    calls = [
        {"functionCall": {"name": c.name, "args": c.arguments, "id": c.id}}
        for c in reply.tool_calls
    ]
    yield _data(
        _gemini_chunk(
            calls or [{"text": ""}],
            model,
            finishReason=_FINISH["gemini"][reply.finish],
            usageMetadata=_gemini_usage(reply),
        )
    )


# --- non-streamed responses -------------------------------------------------------------------


def full_response(protocol: str, request: RecordedRequest, reply: Reply) -> dict[str, Any]:
    model = model_of(request)
    text = "".join(reply.text)
    if protocol == "openai":
        message: dict[str, Any] = {"role": "assistant", "content": text}
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
            "model": model,
            "choices": [
                {"index": 0, "message": message, "finish_reason": _FINISH["openai"][reply.finish]}
            ],
            "usage": _openai_usage(reply),
        }
    if protocol == "openai-responses":
        return _response_object(reply, model, "completed")
    if protocol == "anthropic":
        content: list[dict[str, Any]] = []
        if reply.thinking:
            content.append(
                {
                    "type": "thinking",
                    "thinking": "".join(reply.thinking),
                    "signature": reply.signature,
                }
            )
        content.append({"type": "text", "text": text})
        content += [
            {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments}
            for c in reply.tool_calls
        ]
        return {
            "id": "msg_wire",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": _FINISH["anthropic"][reply.finish],
            "stop_sequence": None,
            "usage": {
                "input_tokens": reply.prompt_tokens,
                "output_tokens": reply.output_tokens,
                "cache_read_input_tokens": reply.cached_tokens,
            },
        }
    parts: list[dict[str, Any]] = [{"text": t, "thought": True} for t in reply.thinking]
    parts.append({"text": text})
    parts += [
        {"functionCall": {"name": c.name, "args": c.arguments, "id": c.id}}
        for c in reply.tool_calls
    ]
    return _gemini_chunk(
        parts,
        model,
        finishReason=_FINISH["gemini"][reply.finish],
        usageMetadata=_gemini_usage(reply),
    )


# --- errors and faults -------------------------------------------------------------------------

_OPENAI_ERROR_TYPES = {
    401: "invalid_request_error",
    403: "permission_error",
    404: "not_found",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
}
_ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def error_body(protocol: str, status: int, message: str) -> dict[str, Any]:
    if protocol.startswith("anthropic"):
        return {
            "type": "error",
            "error": {"type": _ANTHROPIC_ERROR_TYPES.get(status, "api_error"), "message": message},
        }
    if protocol.startswith("gemini"):
        return {
            "error": {
                "code": status,
                "message": message,
                "status": _GOOGLE_STATUS.get(status, "UNKNOWN"),
            }
        }
    return {
        "error": {
            "message": message,
            "type": _OPENAI_ERROR_TYPES.get(status, "api_error"),
            "param": None,
            "code": None,
        }
    }


def error_event(protocol: str, message: str) -> str:
    if protocol == "anthropic":
        return _event(
            "error", {"type": "error", "error": {"type": "overloaded_error", "message": message}}
        )
    if protocol == "openai-responses":
        return _event(
            "error",
            {
                "type": "error",
                "code": "server_error",
                "message": message,
                "param": None,
                "sequence_number": 9999,
            },
        )
    return _data({"error": {"message": message, "type": "server_error", "code": 500}})


def malformed_event(protocol: str) -> str:
    prefix = "event: content_block_delta\n" if protocol == "anthropic" else ""
    return prefix + "data: {this is not json\n\n"


def model_list(protocol: str, models: tuple[str, ...]) -> dict[str, Any]:
    if protocol == "anthropic-models":
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
    if protocol == "gemini-models":
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
    return {
        "object": "list",
        "data": [{"id": m, "object": "model", "created": 0, "owned_by": "wire"} for m in models],
    }
