"""The four vendors' wire formats, one module each (SSE events, full responses, error bodies,
model lists); this module picks the module for a request's route (`route_protocol`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from tests.wire.protocols import anthropic, gemini, openai_chat, openai_responses
from tests.wire.server import RecordedRequest, Reply


class WireProtocol(Protocol):
    """What each protocol module provides."""

    def wants_stream(self, request: RecordedRequest) -> bool: ...
    def model_of(self, request: RecordedRequest) -> str: ...
    def last_user_text(self, request: RecordedRequest) -> str: ...
    def stream_events(self, request: RecordedRequest, reply: Reply) -> Iterator[str]: ...
    def full_response(self, request: RecordedRequest, reply: Reply) -> dict[str, Any]: ...
    def error_body(self, status: int, message: str) -> dict[str, Any]: ...
    def error_event(self, message: str) -> str: ...
    def malformed_event(self) -> str: ...
    def model_list(self, models: tuple[str, ...]) -> dict[str, Any]: ...


_BY_ROUTE: dict[str, WireProtocol] = {
    "openai": openai_chat,
    "openai-models": openai_chat,
    "openai-responses": openai_responses,
    "anthropic": anthropic,
    "anthropic-models": anthropic,
    "gemini": gemini,
    "gemini-models": gemini,
}


def for_route(protocol: str) -> WireProtocol:
    """The module speaking `protocol` (OpenAI's format for a route no vendor claims)."""
    return _BY_ROUTE.get(protocol, openai_chat)


def last_user_text(request: RecordedRequest) -> str:
    """The text of the last user turn, whatever the protocol."""
    return for_route(request.protocol).last_user_text(request)
