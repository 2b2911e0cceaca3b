"""How a stored conversation looks when a tab restores it: how many of its last messages are
drawn at first, and the footer of a stored reply (its usage, and how it ended when it did not
finish). In the chat layer because the tab draws it; persistence.py only supplies the rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from llxprt_tui.chat.messages import usage_line

if TYPE_CHECKING:
    from llxprt_runtime.api import MessageNode, MessageRecord
    from llxprt_runtime.providers.content import Usage

SHOWN_ON_RESTORE: Final = 40  # messages rendered when a restored tab is first shown

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
