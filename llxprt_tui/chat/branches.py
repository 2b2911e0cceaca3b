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

from llxprt_runtime.api import visible_controls
from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.chat.transcript import MessageEntry, Transcript

if TYPE_CHECKING:
    from llxprt_runtime.api import ConversationTree, MessageNode


def branch_mark(tree: ConversationTree, node: MessageNode) -> str:
    """ "‹ 2/3 ›" for alternative 2 of 3; "" for a message without alternatives."""
    number, count = tree.position(node)
    return f"‹ {number}/{count} ›" if count > 1 else ""


def show_marks(transcript: Transcript, tree: ConversationTree) -> None:
    """Every drawn message says which alternative it is (cheap: a few hundred entries)."""
    for entry in transcript.live_entries():
        show = getattr(entry.widget, "show_branch", None)
        if entry.node is not None and show is not None:
            show(branch_mark(tree, entry.node))


async def cut_from(transcript: Transcript, widget: Widget | None) -> None:
    """Take `widget` and everything drawn after it off the screen (None: everything)."""
    children = list(transcript.children)
    start = children.index(widget) if widget in children else 0 if widget is None else None
    if start is None:
        return
    gone = children[start:]
    transcript.entries[:] = [e for e in transcript.entries if e.widget not in gone]
    if transcript.selected is not None and transcript.selected.widget in gone:
        transcript.selected = None
    if gone:
        await transcript.remove_children(gone)


async def cut_after(transcript: Transcript, node: MessageNode) -> None:
    """Everything drawn after `node`'s message leaves the screen (a retry's old reply)."""
    children = list(transcript.children)
    entry = next((e for e in transcript.live_entries() if e.node is node), None)
    if entry is None:
        return
    index = children.index(entry.widget)
    if index + 1 < len(children):
        await cut_from(transcript, children[index + 1])


def entry_of(transcript: Transcript, node: MessageNode) -> MessageEntry | None:
    return next((e for e in transcript.live_entries() if e.node is node), None)


async def redraw(transcript: Transcript, tree: ConversationTree, shown: int) -> None:
    """Make the screen show the tree's branch: keep what is drawn while it follows the branch,
    draw again from the first message that does not (at most the last `shown` messages
    when nothing on screen is on the branch)."""
    path = tree.path()
    index = {id(node): n for n, node in enumerate(path)}
    expected: int | None = None
    cut: Widget | None = None
    for entry in transcript.live_entries():
        at = index.get(id(entry.node)) if entry.node is not None else None
        if at is None or (expected is not None and at != expected):
            cut = entry.widget
            break
        expected = at + 1
    start = expected if expected is not None else max(0, len(path) - shown)
    if expected is None:
        cut = None  # nothing drawn is on the branch: draw its end afresh
        await cut_from(transcript, None)
    elif cut is not None:
        await cut_from(transcript, cut)
    await draw(transcript, path[start:])
    show_marks(transcript, tree)


async def draw(transcript: Transcript, nodes: Sequence[MessageNode]) -> None:
    """Draw stored or earlier messages at the end of the transcript."""
    from llxprt_tui.chat.messages import AssistantMessage
    from llxprt_tui.chat.restored import node_footer

    for node in nodes:
        content = node.content
        if content.speaker == "human":
            text = content.text()
            question = UserMessage(text)
            await transcript.mount(question)
            transcript.track(MessageEntry(question, "user", text=text, node=node))
            continue
        parent = node.parent
        prompt = parent.content.text() if parent is not None else ""
        meta = content.metadata
        answer = AssistantMessage()
        await transcript.mount(answer)
        transcript.track(
            MessageEntry(
                answer,
                "assistant",
                text=content.text(),
                prompt=prompt,
                provider=meta.provider or "",
                model=meta.model or "",
                usage=meta.usage,
                first_token_seconds=node.first_token_seconds,
                state=node.state,
                node=node,
            )
        )
        if content.thinking():
            await answer.append_thinking(visible_controls(content.thinking()))
        for call in content.tool_calls():
            await answer.add_tool_call(call)
        await answer.append_text(visible_controls(content.text()))
        state = "interrupted" if node.state == "streaming" else node.state
        await answer.finish("done" if state == "complete" else state, node_footer(node))
    transcript.anchor()
