"""A conversation as a document: Markdown for people, IContent JSON for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence

from llxprt_runtime.providers.content import IContent
from llxprt_runtime.store.codec import content_to_json

_HEADINGS = {"human": "You", "ai": "Assistant", "tool": "Tool"}


def conversation_markdown(title: str, contents: Sequence[IContent]) -> str:
    lines = [f"# {title or 'Conversation'}", ""]
    for content in contents:
        lines += [f"## {_HEADINGS[content.speaker]}", "", content.text(), ""]
    return "\n".join(lines)


def conversation_json(
    title: str, contents: Sequence[IContent], system_prompt: str | None = None
) -> str:
    payload = {
        "title": title,
        "systemPrompt": system_prompt,
        "messages": [content_to_json(content) for content in contents],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)
