"""Anthropic Messages API. The `anthropic` SDK (~1 s to import) is imported inside the call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llxprt_runtime.providers.base import (
    BaseProvider,
    GenerateChatOptions,
    ModelInfo,
    ResolvedOptions,
    require_resolved,
)
from llxprt_runtime.providers.clients import guarded_http_client
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
from llxprt_runtime.providers.sdk_errors import sdk_errors_as_ours

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

DEFAULT_MAX_TOKENS = 8192
DEFAULT_THINKING_BUDGET = 4096
# Sampling params (temperature, top_p, top_k) are no longer SDK arguments; they travel in
# extra_body, like any other param the API accepts.
_TOP_LEVEL_PARAMS = frozenset({"tool_choice"})
_FINISH: Mapping[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def to_anthropic_messages(
    contents: Sequence[IContent], include_thinking: bool
) -> list[dict[str, Any]]:
    """Map the history; consecutive turns of one role are merged, as the API requires."""
    messages: list[dict[str, Any]] = []
    for content in contents:
        role = "assistant" if content.speaker == "ai" else "user"
        blocks = [
            part
            for block in content.blocks
            if (part := _block(block, include_thinking)) is not None
        ]
        if not blocks:
            continue
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": blocks})
    return messages


def _block(block: ContentBlock, include_thinking: bool) -> dict[str, Any] | None:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": block.text} if block.text else None
    if isinstance(block, MediaBlock):
        if block.encoding == "url":
            return {"type": "image", "source": {"type": "url", "url": block.data}}
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": block.mime_type, "data": block.data},
        }
    if isinstance(block, ToolCallBlock):
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.parameters}
    if isinstance(block, ToolResponseBlock):
        return {
            "type": "tool_result",
            "tool_use_id": block.call_id,
            "content": tool_result_text(block),
            "is_error": block.error is not None,
        }
    # Thinking goes back only when signed, as the API rejects unsigned thinking blocks.
    if include_thinking and block.signature:
        return {"type": "thinking", "thinking": block.thought, "signature": block.signature}
    return None


class AnthropicProvider(BaseProvider):
    async def get_models(self, options: GenerateChatOptions | None = None) -> list[ModelInfo]:
        if options is None or options.resolved is None:
            return self.fallback_models()
        resolved = options.resolved
        client = _client(resolved, self.name)
        async with sdk_errors_as_ours(self.name, None, resolved.base_url):
            page = await client.models.list(limit=1000)
            return sorted(
                (ModelInfo(m.id, self.name, m.display_name) for m in page.data), key=lambda m: m.id
            )

    async def generate_chat_completion(
        self, options: GenerateChatOptions
    ) -> AsyncIterator[IContent]:
        resolved = require_resolved(options, self.name)
        client = _client(resolved, self.name)
        request = self._request(options, resolved)
        async with sdk_errors_as_ours(self.name, resolved.model, resolved.base_url):
            if not resolved.streaming:
                message = await client.messages.create(**request, stream=False)
                yield self._from_message(message, resolved)
                return
            async for item in self._stream(client, request, resolved):
                yield item

    def _request(self, options: GenerateChatOptions, resolved: ResolvedOptions) -> dict[str, Any]:
        params = dict(resolved.model_params)
        request: dict[str, Any] = {
            "model": resolved.model,
            "messages": to_anthropic_messages(
                options.contents, resolved.setting("reasoning.includeInContext") is not False
            ),
            "max_tokens": params.pop("max_tokens", None) or DEFAULT_MAX_TOKENS,
        }
        stop = params.pop("stop", None)
        if stop is not None:
            request["stop_sequences"] = [stop] if isinstance(stop, str) else stop
        request.update({k: params.pop(k) for k in list(params) if k in _TOP_LEVEL_PARAMS})
        if options.system_prompt:
            request["system"] = options.system_prompt
        if options.tools:
            request["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": dict(t.parameters)}
                for t in options.tools
            ]
        if resolved.setting("reasoning.enabled") is True:
            budget = resolved.setting("reasoning.budgetTokens", DEFAULT_THINKING_BUDGET)
            request["thinking"] = {"type": "enabled", "budget_tokens": budget}
        if params:
            request["extra_body"] = params
        if not resolved.auth_token:
            from anthropic import Omit

            # A keyless local server: send no credential header at all.
            request["extra_headers"] = {"Authorization": Omit(), "X-Api-Key": Omit()}
        return request

    async def _stream(
        self, client: AsyncAnthropic, request: dict[str, Any], resolved: ResolvedOptions
    ) -> AsyncIterator[IContent]:
        stream = await client.messages.create(**request, stream=True)
        tool_calls: dict[int, dict[str, str]] = {}
        input_tokens = cached = output_tokens = 0
        finish: FinishReason | None = None
        message_id: str | None = None
        async with stream:
            async for event in stream:
                kind = event.type
                if kind == "message_start":
                    message_id = event.message.id
                    usage = event.message.usage
                    input_tokens = usage.input_tokens or 0
                    cached = getattr(usage, "cache_read_input_tokens", None) or 0
                elif kind == "content_block_start":
                    block = event.content_block
                    if block.type == "tool_use":
                        tool_calls[event.index] = {"id": block.id, "name": block.name, "json": ""}
                elif kind == "content_block_delta":
                    delta = event.delta
                    if delta.type == "text_delta":
                        yield IContent("ai", (TextBlock(delta.text),))
                    elif delta.type == "thinking_delta":
                        yield IContent("ai", (ThinkingBlock(delta.thinking),))
                    elif delta.type == "signature_delta":
                        yield IContent("ai", (ThinkingBlock("", delta.signature),))
                    elif delta.type == "input_json_delta" and event.index in tool_calls:
                        tool_calls[event.index]["json"] += delta.partial_json
                elif kind == "content_block_stop" and event.index in tool_calls:
                    call = tool_calls.pop(event.index)
                    yield IContent(
                        "ai",
                        (ToolCallBlock(call["id"], call["name"], parse_arguments(call["json"])),),
                    )
                elif kind == "message_delta":
                    output_tokens = event.usage.output_tokens or output_tokens
                    if event.delta.stop_reason:
                        finish = _FINISH.get(event.delta.stop_reason, "other")
        usage = Usage(input_tokens, output_tokens, input_tokens + output_tokens, cached)
        yield IContent(
            "ai", (), ContentMetadata(usage, finish, resolved.model, self.name, message_id)
        )

    def _from_message(self, message: Any, resolved: ResolvedOptions) -> IContent:
        blocks: list[ContentBlock] = []
        for block in message.content:
            if block.type == "text":
                blocks.append(TextBlock(block.text))
            elif block.type == "thinking":
                blocks.append(ThinkingBlock(block.thinking, block.signature))
            elif block.type == "tool_use":
                arguments = block.input if isinstance(block.input, dict) else {}
                blocks.append(ToolCallBlock(block.id, block.name, arguments))
        raw = message.usage
        cached = getattr(raw, "cache_read_input_tokens", None) or 0
        usage = Usage(
            raw.input_tokens, raw.output_tokens, raw.input_tokens + raw.output_tokens, cached
        )
        finish = _FINISH.get(message.stop_reason or "", "other")
        meta = ContentMetadata(
            usage, finish, message.model or resolved.model, self.name, message.id
        )
        return IContent("ai", tuple(blocks), meta)


def _client(resolved: ResolvedOptions, provider: str) -> AsyncAnthropic:
    headers = resolved.headers

    def build() -> AsyncAnthropic:
        from anthropic import AsyncAnthropic, DefaultAsyncHttpxClient

        # An explicit api_key (even "") means the SDK consults no credential env vars.
        return AsyncAnthropic(
            api_key=resolved.auth_token or "",
            base_url=resolved.base_url,
            max_retries=0,
            timeout=resolved.timeout_seconds or 600.0,
            default_headers=headers or None,
            webhook_key="",
            http_client=guarded_http_client(DefaultAsyncHttpxClient),
        )

    async def close(client: AsyncAnthropic) -> None:
        await client.close()

    return resolved.cached_client(provider, build, close)
