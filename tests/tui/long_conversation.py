"""A generated long conversation (prose, lists and code), as the session store hands it out:
for the long-conversation tests and bench/conversation.py."""

from __future__ import annotations

from llxprt_runtime.api import ConversationTree
from llxprt_runtime.providers.content import ContentMetadata, IContent, TextBlock
from llxprt_runtime.store.records import MessageRecord

PROSE = (
    "Here is a **reply** with a list:\n\n- one item\n- another item with `code`\n\n"
    "and a paragraph that runs on for a while to fill more than one line of the view, "
    "so that wrapping is part of what a long conversation costs to lay out.\n"
)
LINES = "".join(f"value_{n} = compute({n})\n" for n in range(12))
CODE = f"Like this:\n\n```python\n{LINES}```\n"


def question(n: int) -> str:
    return f"question {n}"


def answer(n: int) -> str:
    return (CODE if n % 3 == 0 else PROSE) + f"\nanswer {n}"


def records(messages: int, session_id: str = "long") -> list[MessageRecord]:
    """`messages` messages: question n, then its answer (every third one with code)."""
    meta = ContentMetadata(model="gpt-5", provider="openai")
    made: list[MessageRecord] = []
    for index in range(messages):
        n = index // 2
        if index % 2 == 0:
            content = IContent.human(question(n))
        else:
            content = IContent("ai", (TextBlock(answer(n)),), meta)
        made.append(
            MessageRecord(
                id=index + 1,
                session_id=session_id,
                parent_id=index or None,
                content=content,
                state="complete",
                created_at=float(index),
                provider="openai",
                model="gpt-5",
            )
        )
    return made


def tree(messages: int) -> ConversationTree:
    """The conversation of `records(messages)` as a restored tab gets it."""
    made = records(messages)
    return ConversationTree.from_stored(made, made[-1].id)
