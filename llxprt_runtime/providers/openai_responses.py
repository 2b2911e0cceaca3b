"""OpenAI Responses API (stateless: the whole history is sent as input items each call)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llxprt_runtime.providers.base import (
    BaseProvider,
    GenerateChatOptions,
    ModelInfo,
    ResolvedOptions,
    require_resolved,
)
from llxprt_runtime.providers.content import (
    ContentBlock,
    ContentMetadata,
    FinishReason,
    IContent,
    MediaBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResponseBlock,
    Usage,
    parse_arguments,
    tool_result_text,
)
from llxprt_runtime.providers.openai_chat import OpenAIChatProvider
from llxprt_runtime.providers.openai_common import auth_header_override, openai_client
from llxprt_runtime.providers.sdk_errors import sdk_errors_as_ours
from llxprt_runtime.settings.registry import SettingValue

if TYPE_CHECKING:
    from openai import AsyncOpenAI

_PARAM_NAMES: Mapping[str, str] = {
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_output_tokens",
    "max_output_tokens": "max_output_tokens",
    "tool_choice": "tool_choice",
    "parallel_tool_calls": "parallel_tool_calls",
}


def to_response_input(contents: Sequence[IContent]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for content in contents:
        if content.speaker == "human":
            parts: list[dict[str, Any]] = []
            for block in content.blocks:
                if isinstance(block, TextBlock):
                    parts.append({"type": "input_text", "text": block.text})
                elif isinstance(block, MediaBlock):
                    url = (
                        block.data
                        if block.encoding == "url"
                        else f"data:{block.mime_type};base64,{block.data}"
                    )
                    parts.append({"type": "input_image", "image_url": url, "detail": "auto"})
            if parts:
                items.append({"role": "user", "content": parts})
        elif content.speaker == "ai" and content.text():
            items.append({"role": "assistant", "content": content.text()})
        for block in content.blocks:
            if isinstance(block, ToolCallBlock):
                items.append(
                    {
                        "type": "function_call",
                        "call_id": block.id,
                        "name": block.name,
                        "arguments": json.dumps(block.parameters),
                    }
                )
            elif isinstance(block, ToolResponseBlock):
                items.append(
                    {
                        "type": "function_call_output",
                        "call_id": block.call_id,
                        "output": tool_result_text(block),
                    }
                )
    return items


def _params(params: Mapping[str, SettingValue]) -> tuple[dict[str, Any], dict[str, Any]]:
    top = {_PARAM_NAMES[k]: v for k, v in params.items() if k in _PARAM_NAMES}
    extra = {k: v for k, v in params.items() if k not in _PARAM_NAMES}
    return top, extra


class OpenAIResponsesProvider(BaseProvider):
    async def get_models(self, options: GenerateChatOptions | None = None) -> list[ModelInfo]:
        models = await OpenAIChatProvider(self.info).get_models(options)
        return [ModelInfo(m.id, self.name, m.display_name) for m in models]

    async def generate_chat_completion(
        self, options: GenerateChatOptions
    ) -> AsyncIterator[IContent]:
        resolved = require_resolved(options, self.name)
        client = openai_client(resolved, self.name)
        request = self._request(options, resolved)
        async with sdk_errors_as_ours(self.name, resolved.model, resolved.base_url):
            if not resolved.streaming:
                response = await client.responses.create(**request, stream=False)
                yield self._from_response(response, resolved)
                return
            async for item in self._stream(client, request, resolved):
                yield item

    def _request(self, options: GenerateChatOptions, resolved: ResolvedOptions) -> dict[str, Any]:
        top, extra = _params(resolved.model_params)
        request: dict[str, Any] = {
            "model": resolved.model,
            "input": to_response_input(options.contents),
            "store": False,
            **top,
        }
        if options.system_prompt:
            request["instructions"] = options.system_prompt
        if options.tools:
            request["tools"] = [
                {
                    "type": "function",
                    "name": t.name,
                    "description": t.description,
                    "parameters": dict(t.parameters),
                    "strict": False,
                }
                for t in options.tools
            ]
        reasoning: dict[str, Any] = {}
        effort = resolved.setting("reasoning.effort")
        if isinstance(effort, str) and resolved.setting("reasoning.enabled") is not False:
            reasoning["effort"] = effort
        summary = resolved.setting("reasoning.summary")
        if isinstance(summary, str) and summary != "none":
            reasoning["summary"] = summary
        if reasoning:
            request["reasoning"] = reasoning
        verbosity = resolved.setting("text.verbosity")
        if isinstance(verbosity, str):
            request["text"] = {"verbosity": verbosity}
        if extra:
            request["extra_body"] = extra
        if headers := auth_header_override(resolved):
            request["extra_headers"] = headers
        return request

    async def _stream(
        self, client: AsyncOpenAI, request: dict[str, Any], resolved: ResolvedOptions
    ) -> AsyncIterator[IContent]:
        stream = await client.responses.create(**request, stream=True)
        final: Any = None
        async with stream:
            async for event in stream:
                kind = event.type
                if kind == "response.output_text.delta":
                    yield IContent("ai", (TextBlock(event.delta),))
                elif kind in (
                    "response.reasoning_summary_text.delta",
                    "response.reasoning_text.delta",
                ):
                    yield IContent("ai", (ThinkingBlock(event.delta),))
                elif kind == "response.output_item.done" and event.item.type == "function_call":
                    item = event.item
                    yield IContent(
                        "ai",
                        (ToolCallBlock(item.call_id, item.name, parse_arguments(item.arguments)),),
                    )
                elif kind in ("response.completed", "response.incomplete"):
                    final = event.response
                elif kind in ("response.failed", "error"):
                    message = getattr(event, "message", None) or _failure(event)
                    raise _ResponseStreamError(message)
        usage, finish = _usage_and_finish(final)
        yield IContent("ai", (), ContentMetadata(usage, finish, resolved.model, self.name))

    def _from_response(self, response: Any, resolved: ResolvedOptions) -> IContent:
        blocks: list[ContentBlock] = []
        for item in response.output or []:
            if item.type == "reasoning":
                text = "".join(part.text for part in item.summary or [])
                if text:
                    blocks.append(ThinkingBlock(text))
            elif item.type == "message":
                text = "".join(
                    part.text for part in item.content if getattr(part, "type", "") == "output_text"
                )
                if text:
                    blocks.append(TextBlock(text))
            elif item.type == "function_call":
                blocks.append(
                    ToolCallBlock(item.call_id, item.name, parse_arguments(item.arguments))
                )
        usage, finish = _usage_and_finish(response)
        return IContent(
            "ai", tuple(blocks), ContentMetadata(usage, finish, resolved.model, self.name)
        )


def _usage_and_finish(response: Any) -> tuple[Usage | None, FinishReason | None]:
    if response is None:
        return None, None
    raw = response.usage
    usage = None
    if raw is not None:
        usage = Usage(
            prompt_tokens=raw.input_tokens or 0,
            completion_tokens=raw.output_tokens or 0,
            total_tokens=raw.total_tokens or 0,
            cached_tokens=getattr(raw.input_tokens_details, "cached_tokens", 0) or 0,
            reasoning_tokens=getattr(raw.output_tokens_details, "reasoning_tokens", 0) or 0,
        )
    finish: FinishReason = "stop"
    if response.status == "incomplete":
        finish = "length"
    elif any(getattr(item, "type", "") == "function_call" for item in response.output or []):
        finish = "tool_calls"
    return usage, finish


def _failure(event: Any) -> str:
    error = getattr(getattr(event, "response", None), "error", None)
    return getattr(error, "message", None) or "the response failed"


class _ResponseStreamError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = 500  # a failure event is the server's, and retryable before output
