"""How a stored conversation looks when a tab restores it: a row of the transcript for each
message (drawn only when the view comes near it, see transcript.py), and the footer of a
stored reply (its usage, and how it ended when it did not finish). In the chat layer because
the tab draws it; persistence.py only supplies the records."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Final

from llxprt_runtime.api import visible_controls
from llxprt_tui.chat.attachments import chips_of
from llxprt_tui.chat.messages import AssistantMessage, usage_line
from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.chat.transcript import MessageEntry, Recipe, estimated_lines

if TYPE_CHECKING:
    from llxprt_runtime.api import MessageNode, MessageRecord
    from llxprt_runtime.providers.content import Usage

_ENDINGS: Final = {
    "interrupted": "interrupted (llxprt stopped while it streamed)",
    "streaming": "interrupted (llxprt stopped while it streamed)",
    "cancelled": "cancelled",
    "partial": "cut off (partial reply)",
    "failed": "cut off (partial reply)",
}


def restored_footer(message: MessageRecord) -> str:
    first = message.first_token_ms / 1000 if message.first_token_ms is not None else None
    seconds = message.duration_ms / 1000 if message.duration_ms is not None else None
    return drawn_footer(message.content.metadata.usage, first, seconds, message.state)


def node_footer(node: MessageNode) -> str:
    """The footer of a reply of the session's tree drawn again (another branch shown)."""
    usage = node.content.metadata.usage
    return drawn_footer(usage, node.first_token_seconds, node.duration_seconds, node.state)


def drawn_footer(
    usage: Usage | None, first: float | None, seconds: float | None, state: str
) -> str:
    line = usage_line(usage, first, seconds)
    mark = _ENDINGS.get(state)
    if mark:
        return mark + (f" · {line}" if line else "")
    return line


def node_rows(nodes: Sequence[MessageNode]) -> list[tuple[Recipe, MessageEntry, int]]:
    """The transcript's rows for messages of the session's tree: how to draw each, what it
    was, its estimated height. Nothing is drawn here (500 messages cost no widget)."""
    rows: list[tuple[Recipe, MessageEntry, int]] = []
    for node in nodes:
        content = node.content
        text = content.text()
        lines = estimated_lines(text)
        if content.speaker == "human":
            text = content.prompt_text()
            chips = chips_of(content)
            entry = MessageEntry(None, "user", text=text, node=node)
            asked = partial(UserMessage, text, chips)
            rows.append((asked, entry, estimated_lines(text) + len(chips)))
            continue
        parent = node.parent
        meta = content.metadata
        state = "interrupted" if node.state == "streaming" else node.state
        shown_state = "done" if state == "complete" else state
        entry = MessageEntry(
            None,
            "assistant",
            text=text,
            prompt=parent.content.prompt_text() if parent is not None else "",
            provider=meta.provider or "",
            model=meta.model or "",
            usage=meta.usage,
            first_token_seconds=node.first_token_seconds,
            seconds=node.duration_seconds,
            state=node.state,
            node=node,
        )
        recipe = partial(
            AssistantMessage.drawn,
            visible_controls(text),
            shown_state,
            node_footer(node),
            visible_controls(content.thinking()),
            tuple(content.tool_calls()),
        )
        rows.append((recipe, entry, lines))
    return rows
