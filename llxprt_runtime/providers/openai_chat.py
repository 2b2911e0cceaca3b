"""OpenAI Chat Completions (and every OpenAI-compatible server: Ollama, LM Studio, vLLM...).

The `openai` SDK is imported inside the call, never at module import.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llxprt_runtime.providers.base import (
    BaseProvider,
    GenerateChatOptions,
    ModelInfo,
    ResolvedOptions,
    ToolDeclaration,
    require_resolved,
)
from llxprt_runtime.providers.content import (
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
from llxprt_runtime.providers.openai_common import auth_header_override, openai_client
from llxprt_runtime.providers.sdk_errors import sdk_errors_as_ours
from llxprt_runtime.settings.registry import SettingValue

if TYPE_CHECKING:
    from openai import AsyncOpenAI

# Model params that are top-level Chat Completions arguments; anything else goes in extra_body.
_TOP_LEVEL_PARAMS = frozenset(
    {
        "temperature",
        "max_tokens",
        "max_completion_tokens",
        "top_p",
        "seed",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "response_format",
        "tool_choice",
        "logit_bias",
        "n",
        "user",
        "parallel_tool_calls",
    }
)
_FINISH: Mapping[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


def to_chat_messages(
    contents: Sequence[IContent], system_prompt: str | None, include_thinking: bool
) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if system_prompt:
        messages.append({"role": "system", "content": system_prompt})
    for content in contents:
        if content.speaker == "human":
            messages.append({"role": "user", "content": _user_content(content)})
        elif content.speaker == "ai":
            message: dict[str, Any] = {"role": "assistant", "content": content.text() or None}
            calls = content.tool_calls()
            if calls:
                message["tool_calls"] = [
                    {
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": json.dumps(call.parameters)},
                    }
                    for call in calls
                ]
            if include_thinking and content.thinking():
                message["reasoning_content"] = content.thinking()
            messages.append(message)
        for block in content.blocks:
            if isinstance(block, ToolResponseBlock):
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": block.call_id,
                        "content": tool_result_text(block),
                    }
                )
    return messages


def _user_content(content: IContent) -> str | list[dict[str, Any]]:
    media = [b for b in content.blocks if isinstance(b, MediaBlock)]
    if not media:
        return content.text()
    parts: list[dict[str, Any]] = []
    if content.text():
        parts.append({"type": "text", "text": content.text()})
    for block in media:
        url = (
            block.data if block.encoding == "url" else f"data:{block.mime_type};base64,{block.data}"
        )
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return parts


def to_chat_tools(tools: Sequence[ToolDeclaration] | None) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": dict(tool.parameters),
            },
        }
        for tool in tools or ()
    ]


def split_params(params: Mapping[str, SettingValue]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(top-level arguments, extra_body) for a Chat Completions request."""
    top = {k: v for k, v in params.items() if k in _TOP_LEVEL_PARAMS}
    extra = {k: v for k, v in params.items() if k not in _TOP_LEVEL_PARAMS}
    return top, extra


class OpenAIChatProvider(BaseProvider):
    async def get_models(self, options: GenerateChatOptions | None = None) -> list[ModelInfo]:
        if options is None or options.resolved is None:
            return self.fallback_models()
        resolved = options.resolved
        client = openai_client(resolved, self.name)
        async with sdk_errors_as_ours(self.name, None, resolved.base_url):
            page = await client.models.list(extra_headers=auth_header_override(resolved))
            return sorted(
                (ModelInfo(model.id, self.name) for model in page.data), key=lambda m: m.id
            )

    async def generate_chat_completion(
        self, options: GenerateChatOptions
    ) -> AsyncIterator[IContent]:
        resolved = require_resolved(options, self.name)
        client = openai_client(resolved, self.name)
        request = self._request(options, resolved)
        async with sdk_errors_as_ours(self.name, resolved.model, resolved.base_url):
            if not resolved.streaming:
                completion = await client.chat.completions.create(**request, stream=False)
                for item in self._from_completion(completion, resolved):
                    yield item
                return
            async for item in self._stream(client, request, resolved):
                yield item

    def _request(self, options: GenerateChatOptions, resolved: ResolvedOptions) -> dict[str, Any]:
        include_thinking = resolved.setting("reasoning.includeInContext") is True
        top, extra = split_params(resolved.model_params)
        request: dict[str, Any] = {
            "model": resolved.model,
            "messages": to_chat_messages(options.contents, options.system_prompt, include_thinking),
            **top,
        }
        tools = to_chat_tools(options.tools)
        if tools:
            request["tools"] = tools
        effort = resolved.setting("reasoning.effort")
        if isinstance(effort, str) and resolved.setting("reasoning.enabled") is not False:
            request["reasoning_effort"] = effort
        if extra:
            request["extra_body"] = extra
        if headers := auth_header_override(resolved):
            request["extra_headers"] = headers
        return request

    async def _stream(
        self, client: AsyncOpenAI, request: dict[str, Any], resolved: ResolvedOptions
    ) -> AsyncIterator[IContent]:
        stream = await client.chat.completions.create(
            **request, stream=True, stream_options={"include_usage": True}
        )
        calls: dict[int, dict[str, str]] = {}
        usage: Usage | None = None
        finish: FinishReason | None = None
        async with stream:
            async for chunk in stream:
                if chunk.usage is not None:
                    usage = _usage(chunk.usage)
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                delta = choice.delta
                thought = _reasoning_text(delta)
                if thought:
                    yield IContent("ai", (ThinkingBlock(thought),))
                if delta.content:
                    yield IContent("ai", (TextBlock(delta.content),))
                for call in delta.tool_calls or ():
                    slot = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                    if call.id:
                        slot["id"] = call.id
                    if call.function is not None:
                        slot["name"] += call.function.name or ""
                        slot["arguments"] += call.function.arguments or ""
                if choice.finish_reason:
                    finish = _FINISH.get(choice.finish_reason, "other")
        if calls:
            yield IContent(
                "ai",
                tuple(
                    ToolCallBlock(c["id"], c["name"], parse_arguments(c["arguments"]))
                    for _, c in sorted(calls.items())
                ),
            )
        yield IContent("ai", (), ContentMetadata(usage, finish, resolved.model, self.name))

    def _from_completion(self, completion: Any, resolved: ResolvedOptions) -> list[IContent]:
        blocks: list[Any] = []
        finish: FinishReason | None = None
        if completion.choices:
            choice = completion.choices[0]
            message = choice.message
            thought = _reasoning_text(message)
            if thought:
                blocks.append(ThinkingBlock(thought))
            if message.content:
                blocks.append(TextBlock(message.content))
            for call in message.tool_calls or ():
                function = getattr(call, "function", None)
                if function is not None:
                    blocks.append(
                        ToolCallBlock(call.id, function.name, parse_arguments(function.arguments))
                    )
            finish = _FINISH.get(choice.finish_reason or "", "other")
        usage = _usage(completion.usage) if completion.usage is not None else None
        meta = ContentMetadata(usage, finish, completion.model or resolved.model, self.name)
        return [IContent("ai", tuple(blocks), meta)]


def _reasoning_text(delta: Any) -> str | None:
    # OpenAI-compatible servers put thinking in a non-standard field (DeepSeek, vLLM, llama.cpp).
    extra = getattr(delta, "model_extra", None) or {}
    for name in ("reasoning_content", "reasoning"):
        value = extra.get(name) if isinstance(extra, dict) else None
        value = value if value is not None else getattr(delta, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def _usage(raw: Any) -> Usage:
    prompt_details = getattr(raw, "prompt_tokens_details", None)
    completion_details = getattr(raw, "completion_tokens_details", None)
    return Usage(
        prompt_tokens=raw.prompt_tokens or 0,
        completion_tokens=raw.completion_tokens or 0,
        total_tokens=raw.total_tokens or 0,
        cached_tokens=getattr(prompt_details, "cached_tokens", None) or 0,
        reasoning_tokens=getattr(completion_details, "reasoning_tokens", None) or 0,
    )
