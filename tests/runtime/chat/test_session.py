"""The conversation rules of ChatSession, over the real SDKs against the wire server:
history after a completed, cut, failed, cancelled and retried turn; usage sums; export."""

from __future__ import annotations

import asyncio
import json

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
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(200)), event_delay=0.01))
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


async def test_retry_replaces_the_last_reply(session: ChatSession, wire: WireServer) -> None:
    wire.enqueue(Reply(text=("first",)), Reply(text=("second",)))
    await drain(session.send("question"))
    await drain(session.retry())
    assert [c.text() for c in session.history] == ["question", "second"]
    assert [m["content"] for m in wire.requests[-1].body["messages"][1:]] == ["question"]


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
