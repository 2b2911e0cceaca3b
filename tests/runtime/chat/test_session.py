"""The conversation rules of ChatSession, over the real SDKs against the wire server:
history after a completed, cut, failed, cancelled and retried turn; usage sums; export."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from llxprt_runtime import RuntimeServices
from llxprt_runtime.chat.events import Failed, Finished, ReplyEvent, TextDelta, UsageReported
from llxprt_runtime.chat.session import ChatSession, SessionBusyError
from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.providers.content import Usage
from tests.providers.conftest import runtime_for
from tests.wire.server import Fault, Reply, WireServer


async def drain(events: object) -> list[ReplyEvent]:
    return [event async for event in events]  # type: ignore[attr-defined]


@pytest.fixture
async def session(wire: WireServer) -> ChatSession:
    runtime: RuntimeServices = await runtime_for("openai", wire, retries=0)
    return ChatSession(runtime, system_prompt="Answer in French.")


async def test_a_completed_turn_joins_the_history_and_usage_adds_up(
    session: ChatSession, wire: WireServer
) -> None:
    wire.enqueue(Reply(text=("Bon", "jour"), prompt_tokens=5), Reply(text=("Re",), prompt_tokens=9))
    events = await drain(session.send("hello"))
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Bon", "jour"]
    assert isinstance(events[-1], Finished) and events[-1].reason == "stop"
    assert any(isinstance(e, UsageReported) for e in events)
    await drain(session.send("again"))
    assert [(c.speaker, c.text()) for c in session.history] == [
        ("human", "hello"),
        ("ai", "Bonjour"),
        ("human", "again"),
        ("ai", "Re"),
    ]
    assert session.usage == Usage(14, 3, 17)
    assert session.title == "hello"
    # The system prompt carried the session's own instruction; the context, the history.
    body = wire.requests[-1].body
    assert "Answer in French." in body["messages"][0]["content"]
    assert [m["content"] for m in body["messages"][1:]] == ["hello", "Bonjour", "again"]


async def test_an_error_before_any_output_takes_the_prompt_back(
    session: ChatSession, wire: WireServer
) -> None:
    wire.enqueue(Fault(status=400, message="bad request"))
    events = await drain(session.send("hello"))
    assert isinstance(events[-1], Failed) and events[-1].partial is None
    assert session.history == ()
    assert session.last_turn is not None and session.last_turn.state == "failed"


async def test_a_cut_stream_keeps_the_partial_reply(session: ChatSession, wire: WireServer) -> None:
    wire.enqueue(Fault(reply=Reply.tokens(20), cut_after=6))
    events = await drain(session.send("count"))
    failed = events[-1]
    assert isinstance(failed, Failed) and isinstance(failed.error, LlxprtError)
    assert failed.partial is not None and failed.partial.text().startswith("tok0 ")
    assert [c.speaker for c in session.history] == ["human", "ai"]
    assert session.last_turn is not None and session.last_turn.state == "partial"


async def test_a_cancelled_turn_keeps_what_arrived(session: ChatSession, wire: WireServer) -> None:
    # The reply pauses after its tenth event until the test ends: cancelled mid-reply.
    held = threading.Event()
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(40)), hold=held, hold_at=10))
    seen: list[str] = []
    third = asyncio.Event()

    async def listen() -> None:
        async for event in session.send("talk"):
            if isinstance(event, TextDelta):
                seen.append(event.text)
                if len(seen) == 3:
                    third.set()

    task = asyncio.create_task(listen())
    await third.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.last_turn is not None and session.last_turn.state == "cancelled"
    assert not session.streaming
    assert session.history[-1].speaker == "ai"
    assert session.history[-1].text().startswith("w0 w1 w2 ")
    held.set()


async def test_retry_makes_a_sibling_reply_and_keeps_the_old_one(
    session: ChatSession, wire: WireServer
) -> None:
    wire.enqueue(Reply(text=("first",)), Reply(text=("second",)))
    await drain(session.send("question"))
    await drain(session.retry())
    assert [c.text() for c in session.history] == ["question", "second"]
    assert [m["content"] for m in wire.requests[-1].body["messages"][1:]] == ["question"]
    second = session.tree.path()[-1]
    assert session.tree.position(second) == (2, 2)
    assert [n.content.text() for n in session.tree.siblings(second)] == ["first", "second"]


async def test_the_context_sent_follows_the_branch_on_screen(
    session: ChatSession, wire: WireServer
) -> None:
    """After switching back to the first reply, the next request carries branch 1."""
    wire.enqueue(*(Reply(text=(t,)) for t in ("one", "two", "three", "four")))
    await drain(session.send("q"))
    await drain(session.retry())
    await drain(session.send("after two"))
    two = session.tree.path()[1]
    one = session.switch(two, -1)
    assert one is not None and [c.text() for c in session.history] == ["q", "one"]
    await drain(session.send("after one"))
    assert [m["content"] for m in wire.requests[-1].body["messages"][1:]] == [
        "q",
        "one",
        "after one",
    ]
    # Back to the second reply: the conversation that followed it comes back with it.
    assert session.switch(one, 1) is two
    assert [c.text() for c in session.history] == ["q", "two", "after two", "three"]


async def test_editing_an_earlier_prompt_branches_from_its_parent(
    session: ChatSession, wire: WireServer
) -> None:
    wire.enqueue(*(Reply(text=(t,)) for t in ("a1", "a2", "a2 edited")))
    await drain(session.send("q1"))
    await drain(session.send("q2"))
    q2 = session.tree.path()[2]
    await drain(session.edit(q2, "q2 edited"))
    assert [c.text() for c in session.history] == ["q1", "a1", "q2 edited", "a2 edited"]
    assert [m["content"] for m in wire.requests[-1].body["messages"][1:]] == [
        "q1",
        "a1",
        "q2 edited",
    ]
    edited = session.tree.path()[2]
    assert session.tree.siblings(edited) == [q2, edited]
    # Even the first prompt: a new first message, the old conversation kept.
    wire.enqueue(Reply(text=("b1",)))
    await drain(session.edit(session.tree.path()[0], "other start"))
    assert [c.text() for c in session.history] == ["other start", "b1"]
    assert session.tree.position(session.tree.path()[0]) == (2, 2)


async def test_retry_works_on_a_restored_conversation(
    session: ChatSession, wire: WireServer
) -> None:
    from llxprt_runtime.chat.tree import ConversationTree
    from llxprt_runtime.providers.content import IContent

    session.load_tree(ConversationTree.linear([IContent.human("q"), IContent.ai("old")]))
    assert session.last_turn is None
    wire.enqueue(Reply(text=("new",)))
    await drain(session.retry())
    assert [c.text() for c in session.history] == ["q", "new"]
    assert session.tree.position(session.tree.path()[-1]) == (2, 2)


async def test_a_failed_retry_or_edit_shows_the_old_branch_again(
    session: ChatSession, wire: WireServer
) -> None:
    wire.enqueue(Reply(text=("kept",)), Fault(status=400, message="bad"))
    await drain(session.send("q"))
    await drain(session.retry())
    assert [c.text() for c in session.history] == ["q", "kept"]
    assert session.tree.position(session.tree.path()[-1]) == (1, 1)
    wire.enqueue(Fault(status=400, message="bad"))
    await drain(session.edit(session.tree.path()[0], "changed"))
    assert [c.text() for c in session.history] == ["q", "kept"]
    assert len(session.tree.nodes()) == 2  # the failed prompt left the tree


async def test_one_reply_at_a_time(session: ChatSession, wire: WireServer) -> None:
    wire.enqueue(Reply(text=("a", "b"), event_delay=0.05))
    first = session.send("one")
    await first.__anext__()
    with pytest.raises(SessionBusyError):
        await session.send("two").__anext__()
    await drain(first)
    with pytest.raises(LlxprtError, match="Nothing to retry"):
        await ChatSession(session.runtime).retry().__anext__()


async def test_export_as_markdown_and_json(session: ChatSession, wire: WireServer) -> None:
    wire.enqueue(Reply(text=("Bonjour",)))
    await drain(session.send("hello"))
    assert session.to_markdown() == ("# hello\n\n## You\n\nhello\n\n## Assistant\n\nBonjour\n")
    data = json.loads(session.to_json())
    assert data["systemPrompt"] == "Answer in French."
    assert [m["blocks"][0]["text"] for m in data["messages"]] == ["hello", "Bonjour"]
    assert session.last_reply_text() == "Bonjour"
    session.clear()
    assert session.history == () and session.last_reply_text() is None


async def test_a_turn_cancelled_between_events_ends_when_the_listener_closes_it(
    session: ChatSession, wire: WireServer
) -> None:
    """A front end is cancelled while it handles an event (drawing it), not inside send():
    closing send() must end the turn then, keeping what arrived, not when it is collected."""
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(50)), event_delay=0.01))
    third, never = asyncio.Event(), asyncio.Event()

    async def listen() -> None:
        async with aclosing(session.send("talk")) as events:
            seen = 0
            async for event in events:
                seen += isinstance(event, TextDelta)
                if seen == 3:
                    third.set()
                    await never.wait()  # "drawing" the event: cancelled here

    task = asyncio.create_task(listen())
    await third.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.last_turn is not None and session.last_turn.state == "cancelled"
    assert not session.streaming
    assert [c.speaker for c in session.history] == ["human", "ai"]
    assert session.history[-1].text() == "w0 w1 w2 "


async def test_a_provider_bug_ends_the_turn_like_an_error(
    session: ChatSession, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not an LlxprtError (a bug in a provider): reported as Failed, history consistent."""
    from llxprt_runtime.providers.content import IContent

    async def broken(options: object) -> AsyncIterator[IContent]:
        yield IContent.ai("half a rep")
        raise KeyError("choices")

    monkeypatch.setattr(session.runtime.provider_manager, "generate_chat_completion", broken)
    events = await drain(session.send("go"))
    failed = events[-1]
    assert isinstance(failed, Failed) and str(failed.error) == "Unexpected error: 'choices'"
    assert failed.partial is not None and failed.partial.text() == "half a rep"
    assert [c.text() for c in session.history] == ["go", "half a rep"]
    assert session.last_turn is not None and session.last_turn.state == "partial"
    assert not session.streaming


async def test_retry_after_a_cut_stream_replaces_the_partial_reply(
    session: ChatSession, wire: WireServer
) -> None:
    wire.enqueue(Fault(reply=Reply.tokens(20), cut_after=6), Reply(text=("whole",)))
    await drain(session.send("count"))
    await drain(session.retry())
    assert [c.text() for c in session.history] == ["count", "whole"]


async def test_retry_after_a_failed_turn_keeps_the_turn_before(
    session: ChatSession, wire: WireServer
) -> None:
    """The failed prompt already left the history: retrying it must not take the previous,
    good exchange with it."""
    wire.enqueue(Reply(text=("one",)), Fault(status=400, message="bad"), Reply(text=("two",)))
    await drain(session.send("first"))
    await drain(session.send("second"))
    assert [c.text() for c in session.history] == ["first", "one"]
    await drain(session.retry())
    assert [c.text() for c in session.history] == ["first", "one", "second", "two"]
    assert [m["content"] for m in wire.requests[-1].body["messages"][1:]] == [
        "first",
        "one",
        "second",
    ]


async def test_retry_after_a_cancelled_turn_replaces_what_arrived(
    session: ChatSession, wire: WireServer
) -> None:
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(200)), event_delay=0.01))
    events = session.send("talk")
    async for event in events:
        if isinstance(event, TextDelta):
            break
    await events.aclose()  # the listener stops after the first delta: a cancel
    assert [c.speaker for c in session.history] == ["human", "ai"]
    wire.enqueue(Reply(text=("calm",)))
    await drain(session.retry())
    assert [c.text() for c in session.history] == ["talk", "calm"]


async def test_usage_sums_every_turn_that_reported_it_even_a_cut_one(
    session: ChatSession, wire: WireServer
) -> None:
    wire.enqueue(
        Reply(text=("a",), prompt_tokens=4, completion_tokens=1),
        Fault(status=500, message="down"),
        Reply(text=("b",), prompt_tokens=6, completion_tokens=2),
    )
    await drain(session.send("one"))
    await drain(session.send("two"))  # failed: nothing reported, nothing added
    await drain(session.send("three"))
    assert session.usage == Usage(10, 3, 13)
    session.clear()
    assert session.usage == Usage(10, 3, 13)  # /clear empties the context, not the bill


async def test_export_with_a_header_and_the_tab_s_title(
    session: ChatSession, wire: WireServer
) -> None:
    from datetime import UTC, datetime

    from llxprt_runtime.chat.export import ExportHeader

    wire.enqueue(Reply(text=("Bonjour",)))
    await drain(session.send("hello"))
    header = ExportHeader("openai", "gpt-5", datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    markdown = session.to_markdown(header, title="research")
    assert markdown.startswith(
        "# research\n\nExported 2026-01-02 03:04 UTC · provider: openai · model: gpt-5\n"
    )
    data = json.loads(session.to_json(header, title="research"))
    assert (data["title"], data["provider"], data["model"]) == ("research", "openai", "gpt-5")


async def test_an_empty_reply_finishes_without_joining_the_history(
    session: ChatSession, wire: WireServer
) -> None:
    """A reply with no text (a filtered or zero-length answer) still ends as Finished, with
    its usage; there is nothing to add to the context."""
    wire.enqueue(Reply(text=(), prompt_tokens=4, completion_tokens=0))
    events = await drain(session.send("anything?"))
    assert isinstance(events[-1], Finished) and events[-1].reply.blocks == ()
    assert [c.speaker for c in session.history] == ["human"]
    assert session.last_turn is not None and session.last_turn.state == "complete"
    assert session.last_turn.usage == Usage(4, 0, 4) == session.usage


async def test_the_session_s_retry_listener_hears_each_retry(wire: WireServer) -> None:
    from llxprt_runtime.providers.retry import RetryEvent

    heard: list[RetryEvent] = []
    runtime = await runtime_for("openai", wire, retries=1)
    session = ChatSession(runtime, on_retry=heard.append)
    wire.enqueue(Fault(status=429, retry_after="0"), Reply(text=("ok",)))
    events = await drain(session.send("hi"))
    assert isinstance(events[-1], Finished) and events[-1].reply.text() == "ok"
    assert [(e.attempt, e.status) for e in heard] == [(2, 429)]
