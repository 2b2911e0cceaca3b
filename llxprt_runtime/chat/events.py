"""What `ChatSession.send()` yields while a reply streams: plain frozen records."""

from __future__ import annotations

from dataclasses import dataclass

from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.providers.content import FinishReason, IContent, ToolCallBlock, Usage


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ThinkingDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    call: ToolCallBlock


@dataclass(frozen=True, slots=True)
class UsageReported:
    """Token counts as the provider reports them (usually once, near the end)."""

    usage: Usage


@dataclass(frozen=True, slots=True)
class Finished:
    """The reply is complete and is now the last entry of the session's history."""

    reason: FinishReason | None
    reply: IContent
    first_token_seconds: float | None
    duration_seconds: float


@dataclass(frozen=True, slots=True)
class Failed:
    """The provider failed. `partial` is what arrived first (kept in the history), or None
    when nothing did (then the prompt is taken back out of the history)."""

    error: LlxprtError
    partial: IContent | None


ReplyEvent = TextDelta | ThinkingDelta | ToolCall | UsageReported | Finished | Failed
