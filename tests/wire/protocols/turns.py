"""The last user turn's text in a request body: each protocol names its turns differently."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.wire.server import RecordedRequest


def body_of(request: RecordedRequest) -> dict[str, Any]:
    return request.body if isinstance(request.body, dict) else {}


def last_user_text(turns: Iterable[Any]) -> str:
    """The text of the last user turn among `turns` ({role, content|parts} each)."""
    for turn in reversed(list(turns)):
        if turn.get("role") != "user":
            continue
        content = turn.get("content", turn.get("parts"))
        if isinstance(content, str):
            return content
        texts = [
            part.get("text", "")
            for part in content or []
            if isinstance(part, dict)
            and part.get("type") in (None, "text", "input_text")
            and "text" in part
        ]
        if texts:
            return "".join(texts)
    return ""
