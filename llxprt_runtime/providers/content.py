"""IContent: the provider-neutral conversation format.

A conversation is a list of IContent (speaker human | ai | tool) made of blocks. Providers
map it to their wire format and back; streaming replies arrive as small IContent deltas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Speaker = Literal["human", "ai", "tool"]


@dataclass(frozen=True, slots=True)
class AttachedFile:
    """The file a block was attached from (/attach, @path): what its chip shows."""

    name: str
    size: int  # bytes
    path: str = ""


@dataclass(frozen=True, slots=True)
class TextBlock:
    text: str
    type: Literal["text"] = "text"
    file: AttachedFile | None = None  # an attached text file (its text fenced, named)


@dataclass(frozen=True, slots=True)
class ToolCallBlock:
    id: str
    name: str
    parameters: Mapping[str, Any]
    type: Literal["tool_call"] = "tool_call"


@dataclass(frozen=True, slots=True)
class ToolResponseBlock:
    call_id: str
    tool_name: str
    result: Any
    error: str | None = None
    type: Literal["tool_response"] = "tool_response"


@dataclass(frozen=True, slots=True)
class ThinkingBlock:
    thought: str
    signature: str | None = None
    type: Literal["thinking"] = "thinking"


@dataclass(frozen=True, slots=True)
class MediaBlock:
    mime_type: str
    data: str  # base64 data, or a URL when encoding == "url"
    encoding: Literal["base64", "url"] = "base64"
    type: Literal["media"] = "media"
    file: AttachedFile | None = None  # an attached image


ContentBlock = TextBlock | ToolCallBlock | ToolResponseBlock | ThinkingBlock | MediaBlock


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.total_tokens + other.total_tokens,
            self.cached_tokens + other.cached_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
        )


FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "error", "other"]


@dataclass(frozen=True, slots=True)
class ContentMetadata:
    usage: Usage | None = None
    finish_reason: FinishReason | None = None
    model: str | None = None
    provider: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class IContent:
    speaker: Speaker
    blocks: tuple[ContentBlock, ...] = ()
    metadata: ContentMetadata = field(default_factory=ContentMetadata)

    @staticmethod
    def human(text: str, *attached: MediaBlock | TextBlock) -> IContent:
        return IContent("human", (TextBlock(text), *attached))

    @staticmethod
    def ai(text: str) -> IContent:
        return IContent("ai", (TextBlock(text),))

    def text(self) -> str:
        return "".join(b.text for b in self.blocks if isinstance(b, TextBlock))

    def prompt_text(self) -> str:
        """The text typed, without the text of attached files (what a prompt shows)."""
        return "".join(b.text for b in self.blocks if isinstance(b, TextBlock) and b.file is None)

    def attached(self) -> list[AttachedFile]:
        """The files attached to this message, in order."""
        return [b.file for b in self.blocks if isinstance(b, TextBlock | MediaBlock) and b.file]

    def thinking(self) -> str:
        return "".join(b.thought for b in self.blocks if isinstance(b, ThinkingBlock))

    def tool_calls(self) -> list[ToolCallBlock]:
        return [b for b in self.blocks if isinstance(b, ToolCallBlock)]


def merge_stream(chunks: Sequence[IContent]) -> IContent:
    """Fold streamed deltas into one ai message: text and thinking joined, usage summed."""
    text: list[str] = []
    thinking: list[str] = []
    signature: str | None = None
    others: list[ContentBlock] = []
    usage: Usage | None = None
    finish: FinishReason | None = None
    model = provider = message_id = None
    for chunk in chunks:
        for block in chunk.blocks:
            if isinstance(block, TextBlock):
                text.append(block.text)
            elif isinstance(block, ThinkingBlock):
                thinking.append(block.thought)
                signature = block.signature or signature
            else:
                others.append(block)
        meta = chunk.metadata
        if meta.usage is not None:
            usage = meta.usage if usage is None else usage + meta.usage
        finish = meta.finish_reason or finish
        model = meta.model or model
        provider = meta.provider or provider
        message_id = meta.id or message_id
    blocks: list[ContentBlock] = []
    if thinking:
        blocks.append(ThinkingBlock("".join(thinking), signature))
    if text:
        blocks.append(TextBlock("".join(text)))
    blocks.extend(others)
    return IContent(
        "ai", tuple(blocks), ContentMetadata(usage, finish, model, provider, message_id)
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """`text` as valid Unicode: a lone surrogate (JSON allows "\\ud800") becomes U+FFFD.

    Python keeps a lone surrogate in a str, but it cannot be encoded, so one in a reply
    would fail every later request, export and copy of that conversation."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _valid_value(value: Any) -> Any:
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, Mapping):
        return {valid_text(str(k)): _valid_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_valid_value(v) for v in value]
    return value


def _valid_block(block: ContentBlock) -> ContentBlock:
    if isinstance(block, TextBlock):
        text = valid_text(block.text)
        return block if text is block.text else TextBlock(text)
    if isinstance(block, ThinkingBlock):
        thought = valid_text(block.thought)
        return block if thought is block.thought else replace(block, thought=thought)
    if isinstance(block, ToolCallBlock):
        return replace(
            block,
            id=valid_text(block.id),
            name=valid_text(block.name),
            parameters=_valid_value(block.parameters),
        )
    return block


def valid_unicode(content: IContent) -> IContent:
    """`content` (as a provider produced it from a server's reply) with every string valid
    Unicode; the same object when it already was, which is nearly always."""
    blocks = tuple(_valid_block(b) for b in content.blocks)
    meta = content.metadata
    model = valid_text(meta.model) if meta.model else meta.model
    message_id = valid_text(meta.id) if meta.id else meta.id
    if (
        all(a is b for a, b in zip(blocks, content.blocks, strict=True))
        and model is meta.model
        and message_id is meta.id
    ):
        return content
    return IContent(content.speaker, blocks, replace(meta, model=model, id=message_id))


def tool_result_text(block: ToolResponseBlock) -> str:
    if block.error:
        return json.dumps({"error": block.error})
    return block.result if isinstance(block.result, str) else json.dumps(block.result)


def parse_arguments(raw: str) -> Mapping[str, Any]:
    """Tool-call arguments as an object; text that is not a JSON object is kept under _raw."""
    try:
        value = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError:
        return {"_raw": raw}
    return value if isinstance(value, dict) else {"_raw": raw}
