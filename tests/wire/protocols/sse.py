"""Server-sent-event framing shared by the protocols."""

from __future__ import annotations

import json
from typing import Any


def data(payload: Any) -> str:
    """A `data:` line alone (OpenAI Chat, Gemini)."""
    return f"data: {json.dumps(payload)}\n\n"


def event(name: str, payload: Any) -> str:
    """A named event (Anthropic, OpenAI Responses)."""
    return f"event: {name}\ndata: {json.dumps(payload)}\n\n"


def malformed(event_name: str | None = None) -> str:
    """A `data:` line that is not JSON, optionally under a named event."""
    prefix = f"event: {event_name}\n" if event_name else ""
    return prefix + "data: {this is not json\n\n"
