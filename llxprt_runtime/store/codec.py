"""IContent <-> JSON: how a message's blocks are stored and exported.

The JSON is plain data (no class names), so a stored conversation stays readable by other
tools and by later versions of llxprt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llxprt_runtime.providers.content import (
    AttachedFile,
    ContentBlock,
    ContentMetadata,
    IContent,
    MediaBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResponseBlock,
    Usage,
)

#: An attached image up to this size is stored with its message; a larger one only as a
#: reference (name, size, path): the database stays small, and a restored conversation says
#: the image is not there instead of sending nothing.
STORED_IMAGE_LIMIT = 1024 * 1024


class ContentDecodeError(ValueError):
    """Stored JSON that is not a conversation block (a damaged or foreign row)."""


def _file_json(file: AttachedFile) -> dict[str, Any]:
    return {"name": file.name, "size": file.size, "path": file.path}


def _file_from_json(data: object) -> AttachedFile | None:
    if not isinstance(data, Mapping):
        return None
    size = data.get("size")
    return AttachedFile(
        _str(data.get("name", "")),
        size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else 0,
        _str(data.get("path", "")),
    )


def unstored_image_text(file: AttachedFile) -> str:
    """What the model is told in place of an image too large to have been stored."""
    return f"[image {file.name} ({file.size} bytes) was not kept in the session store]"


def block_to_json(block: ContentBlock) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        text: dict[str, Any] = {"type": "text", "text": block.text}
        if block.file is not None:
            text["file"] = _file_json(block.file)
        return text
    if isinstance(block, ThinkingBlock):
        data: dict[str, Any] = {"type": "thinking", "thought": block.thought}
        if block.signature is not None:
            data["signature"] = block.signature
        return data
    if isinstance(block, ToolCallBlock):
        return {
            "type": "tool_call",
            "id": block.id,
            "name": block.name,
            "parameters": dict(block.parameters),
        }
    if isinstance(block, ToolResponseBlock):
        data = {
            "type": "tool_response",
            "callId": block.call_id,
            "toolName": block.tool_name,
            "result": block.result,
        }
        if block.error is not None:
            data["error"] = block.error
        return data
    media: dict[str, Any] = {"type": "media", "mimeType": block.mime_type}
    if block.file is not None:
        media["file"] = _file_json(block.file)
        if block.file.size > STORED_IMAGE_LIMIT:
            media["encoding"] = "reference"  # the name, size and path only
            return media
    media |= {"data": block.data, "encoding": block.encoding}
    return media


def block_from_json(data: object) -> ContentBlock:
    if not isinstance(data, Mapping):
        raise ContentDecodeError("a block must be a JSON object")
    kind = data.get("type")
    try:
        if kind == "text":
            return TextBlock(_str(data["text"]), file=_file_from_json(data.get("file")))
        if kind == "thinking":
            signature = data.get("signature")
            return ThinkingBlock(_str(data["thought"]), _str(signature) if signature else None)
        if kind == "tool_call":
            parameters = data.get("parameters") or {}
            if not isinstance(parameters, Mapping):
                raise ContentDecodeError("tool_call parameters must be an object")
            return ToolCallBlock(_str(data["id"]), _str(data["name"]), dict(parameters))
        if kind == "tool_response":
            error = data.get("error")
            return ToolResponseBlock(
                _str(data["callId"]),
                _str(data["toolName"]),
                data.get("result"),
                _str(error) if error is not None else None,
            )
        if kind == "media":
            encoding = data.get("encoding", "base64")
            file = _file_from_json(data.get("file"))
            if encoding == "reference" and file is not None:
                return TextBlock(unstored_image_text(file), file=file)
            if encoding not in ("base64", "url"):
                raise ContentDecodeError(f"unknown media encoding {encoding!r}")
            return MediaBlock(_str(data["mimeType"]), _str(data["data"]), encoding, file=file)
    except KeyError as exc:
        raise ContentDecodeError(f"a {kind} block has no {exc.args[0]!r}") from None
    raise ContentDecodeError(f"unknown block type {kind!r}")


def blocks_to_json(blocks: Sequence[ContentBlock]) -> list[dict[str, Any]]:
    return [block_to_json(block) for block in blocks]


def blocks_from_json(data: object) -> tuple[ContentBlock, ...]:
    if not isinstance(data, list):
        raise ContentDecodeError("blocks must be a JSON array")
    return tuple(block_from_json(item) for item in data)


def usage_to_json(usage: Usage | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {
        "promptTokens": usage.prompt_tokens,
        "completionTokens": usage.completion_tokens,
        "totalTokens": usage.total_tokens,
        "cachedTokens": usage.cached_tokens,
        "reasoningTokens": usage.reasoning_tokens,
    }


def usage_from_json(data: object) -> Usage | None:
    if not isinstance(data, Mapping):
        return None
    return Usage(
        *(
            _int(data.get(name))
            for name in (
                "promptTokens",
                "completionTokens",
                "totalTokens",
                "cachedTokens",
                "reasoningTokens",
            )
        )
    )


def content_to_json(content: IContent) -> dict[str, Any]:
    """One IContent as JSON (the export format and the stored shape)."""
    data: dict[str, Any] = {"speaker": content.speaker, "blocks": blocks_to_json(content.blocks)}
    meta = content.metadata
    metadata = {
        key: value
        for key, value in (
            ("usage", usage_to_json(meta.usage)),
            ("finishReason", meta.finish_reason),
            ("model", meta.model),
            ("provider", meta.provider),
            ("id", meta.id),
        )
        if value is not None
    }
    if metadata:
        data["metadata"] = metadata
    return data


def content_from_json(data: object) -> IContent:
    if not isinstance(data, Mapping):
        raise ContentDecodeError("a message must be a JSON object")
    speaker = data.get("speaker")
    if speaker not in ("human", "ai", "tool"):
        raise ContentDecodeError(f"unknown speaker {speaker!r}")
    meta = data.get("metadata") or {}
    if not isinstance(meta, Mapping):
        raise ContentDecodeError("metadata must be an object")
    finish = meta.get("finishReason")
    valid_finish = ("stop", "length", "tool_calls", "content_filter", "error", "other")
    metadata = ContentMetadata(
        usage=usage_from_json(meta.get("usage")),
        finish_reason=finish if finish in valid_finish else None,
        model=_opt_str(meta.get("model")),
        provider=_opt_str(meta.get("provider")),
        id=_opt_str(meta.get("id")),
    )
    return IContent(speaker, blocks_from_json(data.get("blocks", [])), metadata)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ContentDecodeError(f"expected text, got {type(value).__name__}")
    return value


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
