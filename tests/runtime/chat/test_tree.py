"""The branch rules of ConversationTree (no provider, no app): the tree, the active path,
siblings and their positions, switching (the conversation that followed comes back), taking
a failed prompt out, building from stored rows, and the copy a fork starts from."""

from __future__ import annotations

from llxprt_runtime.chat.tree import ConversationTree, MessageNode
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.store.records import MessageRecord


def row(
    id: int, parent: int | None, content: IContent, state: str = "complete", **timings: float
) -> MessageRecord:
    return MessageRecord(id, "s", parent, content, state, 0.0, **timings)  # type: ignore[arg-type]


def texts(tree: ConversationTree) -> list[str]:
    return [c.text() for c in tree.contents()]


def ask(tree: ConversationTree, prompt: str, reply: str) -> tuple[MessageNode, MessageNode]:
    question = tree.append(IContent.human(prompt))
    return question, tree.append(IContent.ai(reply))


def test_appending_grows_the_active_path() -> None:
    tree = ConversationTree()
    assert tree.empty and tree.last is None and texts(tree) == []
    q1, a1 = ask(tree, "q1", "a1")
    ask(tree, "q2", "a2")
    assert texts(tree) == ["q1", "a1", "q2", "a2"]
    assert tree.parent_of(q1) is None and tree.parent_of(a1) is q1
    assert tree.position(a1) == (1, 1)


def test_a_second_reply_to_a_prompt_is_a_sibling_and_the_old_one_stays() -> None:
    tree = ConversationTree()
    q1, a1 = ask(tree, "q1", "a1")
    tree.show(q1)
    assert texts(tree) == ["q1"]  # a retry's context: up to its prompt
    a1b = tree.add(IContent.ai("a1 again"), q1)
    assert texts(tree) == ["q1", "a1 again"]
    assert tree.siblings(a1b) == [a1, a1b]
    assert tree.position(a1b) == (2, 2) and tree.position(a1) == (1, 2)


def test_switching_siblings_brings_back_what_followed_each() -> None:
    tree = ConversationTree()
    q1, a1 = ask(tree, "q1", "a1")
    ask(tree, "q2", "a2")  # said after a1
    a1b = tree.add(IContent.ai("a1b"), q1)
    ask(tree, "q3", "a3")  # said after a1b
    assert texts(tree) == ["q1", "a1b", "q3", "a3"]
    assert tree.switch(a1b, -1) is a1
    assert texts(tree) == ["q1", "a1", "q2", "a2"]
    assert tree.switch(a1, +1) is a1b
    assert texts(tree) == ["q1", "a1b", "q3", "a3"]
    # Past either end nothing moves.
    assert tree.switch(a1b, +1) is None and texts(tree) == ["q1", "a1b", "q3", "a3"]
    assert tree.switch(a1b, -5) is None


def test_first_prompts_can_be_siblings_too() -> None:
    tree = ConversationTree()
    q1, _ = ask(tree, "q1", "a1")
    edited = tree.add(IContent.human("q1 edited"), tree.parent_of(q1))
    tree.append(IContent.ai("a1 edited"))
    assert texts(tree) == ["q1 edited", "a1 edited"]
    assert tree.position(edited) == (2, 2)
    tree.switch(edited, -1)
    assert texts(tree) == ["q1", "a1"]


def test_removing_a_message_takes_what_follows_and_moves_the_head_back() -> None:
    tree = ConversationTree()
    q1, a1 = ask(tree, "q1", "a1")
    q2 = tree.append(IContent.human("q2"))
    tree.remove(q2)
    assert texts(tree) == ["q1", "a1"] and a1.children == []
    tree.remove(q1)
    assert tree.empty and texts(tree) == []


def test_removing_a_branch_not_shown_keeps_the_head() -> None:
    tree = ConversationTree()
    q1, a1 = ask(tree, "q1", "a1")
    a1b = tree.add(IContent.ai("a1b"), q1)
    tree.switch(a1b, -1)
    tree.remove(a1b)
    assert texts(tree) == ["q1", "a1"] and tree.position(a1) == (1, 1)


def test_a_stored_tree_comes_back_on_the_branch_that_was_shown() -> None:
    rows = [
        row(1, None, IContent.human("q1")),
        row(2, 1, IContent.ai("a1")),
        row(3, 2, IContent.human("q2")),
        row(4, 3, IContent.ai("a2"), state="partial", first_token_ms=250.0),
        row(5, 1, IContent.ai("a1b")),
        row(6, 5, IContent.human("q3")),
    ]
    tree = ConversationTree.from_stored(list(reversed(rows)), head_id=4)
    assert texts(tree) == ["q1", "a1", "q2", "a2"]
    a2 = tree.path()[-1]
    assert (a2.stored_id, a2.state, a2.first_token_seconds) == (4, "partial", 0.25)
    a1 = tree.path()[1]
    assert tree.position(a1) == (1, 2)
    tree.switch(a1, 1)
    assert texts(tree) == ["q1", "a1b", "q3"]
    # No head stored: the newest message's branch.
    assert texts(ConversationTree.from_stored(rows, None)) == ["q1", "a1b", "q3"]
    # A row whose parent is gone starts a branch of its own, it is not lost.
    orphan = ConversationTree.from_stored([row(9, 7, IContent.human("x"))], 9)
    assert texts(orphan) == ["x"]


def test_a_fork_copies_the_path_only_and_shares_no_node() -> None:
    tree = ConversationTree()
    q1, _ = ask(tree, "q1", "a1")
    tree.add(IContent.ai("a1b"), q1)
    ask(tree, "q2", "a2")
    a1b = tree.path()[1]
    fork = tree.copy_path(a1b)
    assert texts(fork) == ["q1", "a1b"]
    assert all(n.stored_id is None for n in fork.nodes())
    assert not {id(n) for n in fork.nodes()} & {id(n) for n in tree.nodes()}
    assert [len(n.children) for n in fork.nodes()] == [1, 0]  # no siblings came along
    fork.append(IContent.human("elsewhere"))
    assert texts(tree) == ["q1", "a1b", "q2", "a2"]  # the original is untouched
    assert texts(tree.copy_path(None)) == []
