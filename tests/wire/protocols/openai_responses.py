"""OpenAI Responses (`POST /v1/responses`, also the Codex endpoint). Errors and the model
list are OpenAI's, as in Chat Completions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.wire.protocols import openai_chat, sse, turns
from tests.wire.server import RecordedRequest, Reply

wants_stream = openai_chat.wants_stream
model_of = openai_chat.model_of
error_body = openai_chat.error_body
model_list = openai_chat.model_list


def last_user_text(request: RecordedRequest) -> str:
    raw = turns.body_of(request).get("input")
    return turns.last_user_text(
        [{"role": "user", "content": raw}] if isinstance(raw, str) else raw or []
    )


def _output(reply: Reply) -> list[dict[str, Any]]:
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
        "output": _output(reply) if status == "completed" else [],
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


def stream_events(request: RecordedRequest, reply: Reply) -> Iterator[str]:
    model = model_of(request)
    seq = iter(range(10_000))
    yield sse.event(
        "response.created",
        {
            "type": "response.created",
            "sequence_number": next(seq),
            "response": _response_object(reply, model, "in_progress"),
        },
    )
    for thought in reply.thinking:
        yield sse.event(
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
        yield sse.event(
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
    for index, item in enumerate(o for o in _output(reply) if o["type"] == "function_call"):
        added = dict(item, arguments="", status="in_progress")
        yield sse.event(
            "response.output_item.added",
            {
                "type": "response.output_item.added",
                "output_index": index + 1,
                "item": added,
                "sequence_number": next(seq),
            },
        )
        yield sse.event(
            "response.function_call_arguments.delta",
            {
                "type": "response.function_call_arguments.delta",
                "item_id": item["id"],
                "output_index": index + 1,
                "delta": item["arguments"],
                "sequence_number": next(seq),
            },
        )
        yield sse.event(
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
    yield sse.event(
        f"response.{final}",
        {"type": f"response.{final}", "sequence_number": next(seq), "response": obj},
    )


def full_response(request: RecordedRequest, reply: Reply) -> dict[str, Any]:
    return _response_object(reply, model_of(request), "completed")


def error_event(message: str) -> str:
    return sse.event(
        "error",
        {
            "type": "error",
            "code": "server_error",
            "message": message,
            "param": None,
            "sequence_number": 9999,
        },
    )


def malformed_event() -> str:
    return sse.malformed()
