"""Google Gemini over google-genai: an API key, or Vertex AI when GOOGLE_CLOUD_PROJECT and
GOOGLE_CLOUD_LOCATION are set in the runtime's settings. The SDK is imported inside the call.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from llxprt_runtime.providers.base import (
    BaseProvider,
    GenerateChatOptions,
    ModelInfo,
    ResolvedOptions,
    require_resolved,
)
from llxprt_runtime.providers.clients import guarded_event_hooks, shared_tls_context
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
)
from llxprt_runtime.providers.sdk_errors import sdk_errors_as_ours

if TYPE_CHECKING:
    import ssl

    from google.genai import Client
    from google.genai.types import GenerateContentConfigDict

DEFAULT_API_VERSION = "v1beta"
_PARAM_NAMES = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_tokens": "max_output_tokens",
    "max_output_tokens": "max_output_tokens",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
    "response_mime_type": "response_mime_type",
}
_FINISH: Mapping[str, FinishReason] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
}


def to_gemini_contents(
    contents: Sequence[IContent], include_thinking: bool
) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for content in contents:
        role = "model" if content.speaker == "ai" else "user"
        parts = [p for block in content.blocks if (p := _part(block, include_thinking)) is not None]
        if not parts:
            continue
        if result and result[-1]["role"] == role:
            result[-1]["parts"].extend(parts)
        else:
            result.append({"role": role, "parts": parts})
    return result


def _part(block: ContentBlock, include_thinking: bool) -> dict[str, Any] | None:
    if isinstance(block, TextBlock):
        return {"text": block.text} if block.text else None
    if isinstance(block, MediaBlock):
        if block.encoding == "url":
            return {"file_data": {"file_uri": block.data, "mime_type": block.mime_type}}
        return {"inline_data": {"mime_type": block.mime_type, "data": base64.b64decode(block.data)}}
    if isinstance(block, ToolCallBlock):
        return {
            "function_call": {"name": block.name, "args": dict(block.parameters), "id": block.id}
        }
    if isinstance(block, ToolResponseBlock):
        response: dict[str, Any] = (
            {"error": block.error}
            if block.error
            else {
                "output": block.result if not isinstance(block.result, bytes) else str(block.result)
            }
        )
        return {
            "function_response": {
                "name": block.tool_name,
                "response": response,
                "id": block.call_id,
            }
        }
    if include_thinking and block.thought:
        part: dict[str, Any] = {"text": block.thought, "thought": True}
        if block.signature:
            part["thought_signature"] = base64.b64decode(block.signature)
        return part
    return None


class GeminiProvider(BaseProvider):
    async def get_models(self, options: GenerateChatOptions | None = None) -> list[ModelInfo]:
        if options is None or options.resolved is None:
            return self.fallback_models()
        resolved = options.resolved
        client = _client(resolved, self.name)
        models: list[ModelInfo] = []
        async with sdk_errors_as_ours(self.name, None, resolved.base_url):
            pager = await client.aio.models.list(config={"page_size": 1000})
            async for model in pager:
                name = (model.name or "").removeprefix("models/")
                if name:
                    models.append(ModelInfo(name, self.name, model.display_name))
        return sorted(models, key=lambda m: m.id)

    async def generate_chat_completion(
        self, options: GenerateChatOptions
    ) -> AsyncIterator[IContent]:
        resolved = require_resolved(options, self.name)
        client = _client(resolved, self.name)
        include_thinking = resolved.setting("reasoning.includeInContext") is True
        contents = to_gemini_contents(options.contents, include_thinking)
        config = cast("GenerateContentConfigDict", self._config(options, resolved))
        async with sdk_errors_as_ours(self.name, resolved.model, resolved.base_url):
            if not resolved.streaming:
                response = await client.aio.models.generate_content(
                    model=resolved.model, contents=contents, config=config
                )
                blocks, full_usage, full_finish = _read_response(response)
                meta = ContentMetadata(
                    full_usage, full_finish or "other", resolved.model, self.name
                )
                yield IContent("ai", tuple(blocks), meta)
                return
            stream = await client.aio.models.generate_content_stream(
                model=resolved.model, contents=contents, config=config
            )
            usage: Usage | None = None
            finish: FinishReason | None = None
            called = False
            async for chunk in stream:
                blocks, chunk_usage, chunk_finish = _read_response(chunk)
                usage = chunk_usage or usage
                finish = chunk_finish or finish
                called = called or any(isinstance(b, ToolCallBlock) for b in blocks)
                if blocks:
                    yield IContent("ai", tuple(blocks))
        if called and finish == "stop":
            finish = "tool_calls"  # Gemini reports STOP after a function call
        yield IContent("ai", (), ContentMetadata(usage, finish, resolved.model, self.name))

    def _config(self, options: GenerateChatOptions, resolved: ResolvedOptions) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for name, value in resolved.model_params.items():
            if name in _PARAM_NAMES:
                config[_PARAM_NAMES[name]] = value
            elif name == "stop":
                config["stop_sequences"] = [value] if isinstance(value, str) else value
        if options.system_prompt:
            config["system_instruction"] = options.system_prompt
        if options.tools:
            config["tools"] = [
                {
                    "function_declarations": [
                        {
                            "name": t.name,
                            "description": t.description,
                            "parameters_json_schema": dict(t.parameters),
                        }
                        for t in options.tools
                    ]
                }
            ]
            config["automatic_function_calling"] = {"disable": True}
        if resolved.setting("reasoning.enabled") is not None:
            thinking: dict[str, Any] = {
                "include_thoughts": resolved.setting("reasoning.includeInResponse") is not False
            }
            budget = resolved.setting("reasoning.budgetTokens")
            if resolved.setting("reasoning.enabled") is False:
                thinking = {"thinking_budget": 0}
            elif isinstance(budget, int):
                thinking["thinking_budget"] = budget
            config["thinking_config"] = thinking
        return config


def _read_response(response: Any) -> tuple[list[ContentBlock], Usage | None, FinishReason | None]:
    blocks: list[ContentBlock] = []
    finish: FinishReason | None = None
    for candidate in (response.candidates or [])[:1]:
        parts = candidate.content.parts if candidate.content and candidate.content.parts else []
        for part in parts:
            signature = getattr(part, "thought_signature", None)
            encoded = base64.b64encode(signature).decode() if signature else None
            if part.function_call is not None:
                call = part.function_call
                call_id = call.id or f"call_{call.name}_{len(blocks)}"
                blocks.append(ToolCallBlock(call_id, call.name or "", dict(call.args or {})))
            elif part.text and part.thought:
                blocks.append(ThinkingBlock(part.text, encoded))
            elif part.text:
                blocks.append(TextBlock(part.text))
        if candidate.finish_reason is not None:
            reason = getattr(candidate.finish_reason, "value", str(candidate.finish_reason))
            finish = _FINISH.get(reason, "other")
            if finish == "stop" and any(isinstance(b, ToolCallBlock) for b in blocks):
                finish = "tool_calls"
    meta = response.usage_metadata
    usage = None
    if meta is not None and (meta.prompt_token_count or meta.candidates_token_count):
        usage = Usage(
            prompt_tokens=meta.prompt_token_count or 0,
            completion_tokens=meta.candidates_token_count or 0,
            total_tokens=meta.total_token_count or 0,
            cached_tokens=meta.cached_content_token_count or 0,
            reasoning_tokens=meta.thoughts_token_count or 0,
        )
    return blocks, usage, finish


def _client(resolved: ResolvedOptions, provider: str) -> Client:
    headers = resolved.headers
    project = resolved.setting("GOOGLE_CLOUD_PROJECT")
    location = resolved.setting("GOOGLE_CLOUD_LOCATION")
    vertex = isinstance(project, str) and isinstance(location, str) and not resolved.auth_token
    api_version = resolved.setting("api-version", DEFAULT_API_VERSION)

    def build() -> Client:
        import httpx2
        from google.genai import Client, types

        # The shared TLS context for httpx2 ("verify") and the Live API's websockets ("ssl":
        # unused, but built per client otherwise). Vertex may load the user's client
        # certificate (mTLS) into a context of its own.
        verify: ssl.SSLContext | bool = True if vertex else shared_tls_context()
        tls: dict[str, Any] = {} if vertex else {"verify": verify}
        http_options = types.HttpOptions(
            base_url=resolved.base_url,
            api_version=str(api_version),
            headers=headers or None,
            timeout=int(resolved.timeout_seconds * 1000) if resolved.timeout_seconds else None,
            retry_options=types.HttpRetryOptions(attempts=1),  # our retry policy decides
            # google-genai switches to aiohttp whenever it is importable (the `serve` extra
            # brings it), and aiohttp follows cross-origin redirects with the key; naming an
            # httpx2 transport keeps every install on httpx2, with our redirect guard.
            async_client_args={
                "transport": httpx2.AsyncHTTPTransport(verify=verify),
                "event_hooks": guarded_event_hooks(),
                **tls,
                **({} if vertex else {"ssl": verify}),
            },
            client_args=tls,
        )
        if vertex:
            return Client(
                vertexai=True,
                project=str(project),
                location=str(location),
                http_options=http_options,
            )
        # Always an explicit key: GEMINI_API_KEY/GOOGLE_API_KEY never decide (a keyless local
        # server gets a placeholder it ignores).
        return Client(
            vertexai=False, api_key=resolved.auth_token or "no-key", http_options=http_options
        )

    async def close(client: Client) -> None:
        await client.aio.aclose()

    return resolved.cached_client(
        provider, build, close, variant=json.dumps([vertex, project, location, api_version])
    )
