"""How a tab draws its session's tree (llxprt_runtime/chat/tree.py): the branch on screen, the
"‹ 2/3 ›" mark of a message with alternatives, and drawing again from where the screen and
the branch part (another alternative shown, a retry, an edit, a restored tab).

The tree holds the conversation; the transcript shows one branch of it. Each drawn message's
MessageEntry names its node, so the screen can be compared with the branch and only what
differs is drawn again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widget import Widget

from llxprt_tui.chat.transcript import MessageEntry, Transcript

if TYPE_CHECKING:
    from llxprt_runtime.api import ConversationTree, MessageNode


def branch_mark(tree: ConversationTree, node: MessageNode) -> str:
    """ "‹ 2/3 ›" for alternative 2 of 3; "" for a message without alternatives."""
    number, count = tree.position(node)
    return f"‹ {number}/{count} ›" if count > 1 else ""


def show_marks(transcript: Transcript, tree: ConversationTree) -> None:
    """Every message says which alternative it is (cheap: a few hundred entries; a message
    not drawn shows it when it is)."""
    for entry in transcript.live_entries():
        if entry.node is not None:
            transcript.show_mark(entry, branch_mark(tree, entry.node))


async def cut_from(transcript: Transcript, start: MessageEntry | Widget | None) -> None:
    """Take `start` and everything after it off the transcript (None: everything)."""
    await transcript.cut(start)


async def cut_after(transcript: Transcript, node: MessageNode) -> None:
    """Everything after `node`'s message leaves the transcript (a retry's old reply)."""
    entries = transcript.live_entries()
    entry = next((e for e in entries if e.node is node), None)
    if entry is None:
        return
    after = entries.index(entry) + 1
    if after < len(entries):
        await cut_from(transcript, entries[after])


def entry_of(transcript: Transcript, node: MessageNode) -> MessageEntry | None:
    return next((e for e in transcript.live_entries() if e.node is node), None)


async def redraw(transcript: Transcript, tree: ConversationTree) -> None:
    """Make the transcript show the tree's branch: keep its messages while they follow the
    branch, and replace them from the first one that does not."""
    path = tree.path()
    index = {id(node): n for n, node in enumerate(path)}
    expected: int | None = None
    cut: MessageEntry | None = None
    for entry in transcript.live_entries():
        at = index.get(id(entry.node)) if entry.node is not None else None
        if at is None or (expected is not None and at != expected):
            cut = entry
            break
        expected = at + 1
    if expected is None:
        await cut_from(transcript, None)  # nothing shown is on the branch: all of it afresh
    elif cut is not None:
        await cut_from(transcript, cut)
    await draw(transcript, path[expected or 0 :])
    show_marks(transcript, tree)


async def draw(transcript: Transcript, nodes: Sequence[MessageNode]) -> None:
    """Stored or earlier messages at the end of the transcript, as rows drawn when the view
    comes near them (its end is shown)."""
    from llxprt_tui.chat.restored import node_rows

    await transcript.add_stored(node_rows(nodes))
    transcript.anchor()
