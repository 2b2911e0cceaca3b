"""ConversationTree: a conversation as a tree of messages, one branch of it on screen.

A retried reply is a new child of the same prompt (a sibling of the old reply); an edited
prompt is a new child of the edited prompt's parent. Nothing is replaced, so every branch
stays reachable. The branch on screen (the *active path*) runs from the first message down
to `head`; it is what the model is sent and what an export holds. Each message remembers
which of its children was last on screen (`chosen`), so switching to a sibling brings back
the conversation that followed it, as chat web apps do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from llxprt_runtime.providers.content import IContent
from llxprt_runtime.store.records import MessageRecord, MessageState


@dataclass(eq=False, slots=True)
class MessageNode:
    """One message of the tree. `stored_id` is its row in the session store, once written."""

    content: IContent
    parent: MessageNode | None = field(default=None, repr=False)
    state: MessageState = "complete"  # as the store says it: partial, cancelled, interrupted…
    stored_id: int | None = None
    first_token_seconds: float | None = None
    duration_seconds: float | None = None
    children: list[MessageNode] = field(default_factory=list, repr=False)
    chosen: MessageNode | None = field(default=None, repr=False)


class ConversationTree:
    def __init__(self) -> None:
        # Above the first messages, never shown: first prompts can be siblings too (an
        # edited first prompt), and every real message has a parent node.
        self._top = MessageNode(IContent.human(""))
        self.head: MessageNode = self._top

    # --- reading ------------------------------------------------------------------------------

    @property
    def empty(self) -> bool:
        return not self._top.children

    @property
    def last(self) -> MessageNode | None:
        """The last message on screen (None: nothing shown)."""
        return None if self.head is self._top else self.head

    def path(self, upto: MessageNode | None = None) -> list[MessageNode]:
        """The active path from the first message to `upto` (default: the head)."""
        node: MessageNode | None = self.head if upto is None else upto
        nodes: list[MessageNode] = []
        while node is not None and node is not self._top:
            nodes.append(node)
            node = node.parent
        nodes.reverse()
        return nodes

    def contents(self) -> tuple[IContent, ...]:
        return tuple(node.content for node in self.path())

    def parent_of(self, node: MessageNode) -> MessageNode | None:
        """The message before `node` (None for a first message)."""
        return None if node.parent is self._top else node.parent

    def siblings(self, node: MessageNode) -> list[MessageNode]:
        """`node` and its alternatives (children of the same parent), oldest first."""
        return list(node.parent.children) if node.parent is not None else [node]

    def position(self, node: MessageNode) -> tuple[int, int]:
        """(n, count): `node` is alternative n of count (1-based), shown as "n/count"."""
        siblings = self.siblings(node)
        return siblings.index(node) + 1, len(siblings)

    def nodes(self) -> list[MessageNode]:
        """Every message, parents before children."""
        found: list[MessageNode] = []
        stack = list(reversed(self._top.children))
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(node.children))
        return found

    def find(self, stored_id: int) -> MessageNode | None:
        return next((n for n in self.nodes() if n.stored_id == stored_id), None)

    # --- changing -----------------------------------------------------------------------------

    def add(
        self,
        content: IContent,
        parent: MessageNode | None,
        *,
        state: MessageState = "complete",
        stored_id: int | None = None,
        first_token_seconds: float | None = None,
        duration_seconds: float | None = None,
    ) -> MessageNode:
        """A new message after `parent` (None: a first message); it becomes the head."""
        above = self._top if parent is None else parent
        node = MessageNode(content, above, state, stored_id, first_token_seconds, duration_seconds)
        above.children.append(node)
        self.show(node)
        return node

    def append(
        self,
        content: IContent,
        *,
        state: MessageState = "complete",
        first_token_seconds: float | None = None,
        duration_seconds: float | None = None,
    ) -> MessageNode:
        """A new message at the end of the active path."""
        return self.add(
            content,
            self.last,
            state=state,
            first_token_seconds=first_token_seconds,
            duration_seconds=duration_seconds,
        )

    def show(self, node: MessageNode | None) -> None:
        """Make the path to `node` the active one, ending at `node` (None: an empty path)."""
        target = self._top if node is None else node
        self.head = target
        child = target
        while child.parent is not None:
            child.parent.chosen = child
            child = child.parent

    def switch(self, node: MessageNode, step: int) -> MessageNode | None:
        """Show the sibling `step` away from `node` and the conversation that followed it
        when it was last shown; None when there is none that way."""
        siblings = self.siblings(node)
        index = siblings.index(node) + step
        if not 0 <= index < len(siblings):
            return None
        target = siblings[index]
        leaf = target
        while leaf.children:
            leaf = leaf.chosen if leaf.chosen in leaf.children else leaf.children[-1]
        self.show(leaf)
        return target

    def remove(self, node: MessageNode) -> None:
        """Take `node` and what follows it out; the head moves back to its parent if it was
        among them."""
        parent = node.parent
        if parent is None:
            return
        on_path = any(n is node for n in self.path())
        parent.children.remove(node)
        if parent.chosen is node:
            parent.chosen = parent.children[-1] if parent.children else None
        if on_path:
            self.show(None if parent is self._top else parent)

    def clear(self) -> None:
        self._top.children.clear()
        self._top.chosen = None
        self.head = self._top

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def linear(cls, contents: Iterable[IContent]) -> ConversationTree:
        tree = cls()
        for content in contents:
            tree.append(content)
        return tree

    @classmethod
    def from_stored(
        cls, messages: Sequence[MessageRecord], head_id: int | None
    ) -> ConversationTree:
        """A stored session's tree (messages in any order with their parent ids), showing
        the branch ending at `head_id` (else the newest message). A message whose parent
        is missing starts a branch of its own rather than being lost."""
        tree = cls()
        by_id: dict[int, MessageNode] = {}
        for message in sorted(messages, key=lambda m: m.id):
            parent = by_id.get(message.parent_id) if message.parent_id is not None else None
            by_id[message.id] = tree.add(
                message.content,
                parent,
                state=message.state,
                stored_id=message.id,
                first_token_seconds=_seconds(message.first_token_ms),
                duration_seconds=_seconds(message.duration_ms),
            )
        head = by_id.get(head_id) if head_id is not None else None
        if head is None and by_id:
            head = by_id[max(by_id)]
        tree.show(head)
        return tree

    def copy_path(self, upto: MessageNode | None) -> ConversationTree:
        """A new tree holding only the path to `upto` (a fork): copies of its messages,
        not yet stored anywhere."""
        fork = ConversationTree()
        for node in self.path(upto) if upto is not None else []:
            fork.append(
                node.content,
                state=node.state,
                first_token_seconds=node.first_token_seconds,
                duration_seconds=node.duration_seconds,
            )
        return fork


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000.0
