"""A ChatSession with a SessionRecorder writes each turn to a real session database as it
happens: the prompt, the reply while it streams, and how the turn ended."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from llxprt_runtime.chat.events import TextDelta
from llxprt_runtime.chat.recorder import SessionRecorder
from llxprt_runtime.chat.session import ChatSession
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.store.records import SessionGoneError
from llxprt_runtime.store.service import SessionStore
from tests.providers.conftest import runtime_for
from tests.wire.server import Fault, Reply, WireServer


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SessionStore]:
    opened = await SessionStore.open(tmp_path / "sessions.db")
    yield opened
    await opened.close()


async def recorded_session(
    wire: WireServer, store: SessionStore, **recorder: object
) -> tuple[ChatSession, str]:
    runtime = await runtime_for("openai", wire, retries=0)
    record = await store.create_session()
    session = ChatSession(
        runtime,
        recorder=SessionRecorder(store, record.id, **recorder),  # type: ignore[arg-type]
    )
    return session, record.id


async def stored(store: SessionStore, session_id: str) -> list[tuple[str, str, str]]:
    return [(m.content.speaker, m.state, m.content.text()) for m in await store.branch(session_id)]


async def test_a_completed_turn_is_stored_with_its_timings(
    wire: WireServer, store: SessionStore
) -> None:
    session, sid = await recorded_session(wire, store)
    wire.enqueue(Reply(text=("Hi", " there")))
    _ = [e async for e in session.send("hello")]
    assert await stored(store, sid) == [
        ("human", "complete", "hello"),
        ("ai", "complete", "Hi there"),
    ]
    reply = (await store.branch(sid))[-1]
    assert (reply.provider, reply.model) == ("openai", "gpt-5")
    assert reply.duration_ms is not None and reply.first_token_ms is not None
    assert (await store.get_session(sid)).title == "hello"


async def test_the_reply_is_in_the_database_while_it_streams(
    wire: WireServer, store: SessionStore, tmp_path: Path
) -> None:
    session, sid = await recorded_session(wire, store, interval=0.0)
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(6))))
    reader = await SessionStore.open(tmp_path / "sessions.db")  # as another process would
    seen: list[list[tuple[str, str, str]]] = []

    async def listen() -> None:
        deltas = 0
        async for event in session.send("go"):
            if isinstance(event, TextDelta):
                deltas += 1
                if deltas == 3:
                    seen.append(await stored(reader, sid))

    try:
        await listen()
    finally:
        await reader.close()
    (mid_stream,) = seen
    assert mid_stream[0] == ("human", "complete", "go")
    # Written after each delta (interval 0), each write folding the new delta into the last.
    assert mid_stream[1] == ("ai", "streaming", "w0 w1 ")
    assert (await stored(store, sid))[-1] == ("ai", "complete", "w0 w1 w2 w3 w4 w5 ")


def test_streaming_writes_are_at_most_once_per_interval() -> None:
    now = [0.0]
    store = SimpleNamespace(generation=0)  # only its generation is read until a write
    recorder = SessionRecorder(store, "s", interval=1.0, clock=lambda: now[0])  # type: ignore[arg-type]
    assert recorder.due()  # nothing written yet
    recorder._reply_id = 1
    recorder._last_write = 0.0
    now[0] = 0.9
    assert not recorder.due()
    now[0] = 1.0
    assert recorder.due()


async def test_a_failure_before_output_stores_nothing_of_the_turn(
    wire: WireServer, store: SessionStore
) -> None:
    session, sid = await recorded_session(wire, store)
    wire.enqueue(Fault(status=400))
    _ = [e async for e in session.send("hello")]
    assert await stored(store, sid) == []
    assert (await store.get_session(sid)).head_message_id is None


async def test_a_cut_stream_is_stored_as_partial(wire: WireServer, store: SessionStore) -> None:
    session, sid = await recorded_session(wire, store)
    wire.enqueue(Fault(reply=Reply.tokens(20), cut_after=6))
    _ = [e async for e in session.send("count")]
    speaker, state, text = (await stored(store, sid))[-1]
    assert (speaker, state) == ("ai", "partial") and text.startswith("tok0 ")


async def test_a_cancelled_reply_is_stored_as_cancelled(
    wire: WireServer, store: SessionStore
) -> None:
    session, sid = await recorded_session(wire, store)
    # The reply pauses after its tenth event until the test ends: cancelled mid-reply.
    held = threading.Event()
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(40)), hold=held, hold_at=10))
    second = asyncio.Event()

    async def listen() -> None:
        count = 0
        async for event in session.send("talk"):
            count += isinstance(event, TextDelta)
            if count == 2:
                second.set()

    task = asyncio.create_task(listen())
    await second.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    speaker, state, text = (await stored(store, sid))[-1]
    assert (speaker, state) == ("ai", "cancelled") and text.startswith("w0 w1 ")
    held.set()


async def test_a_store_that_cannot_write_is_reported_once_and_chat_goes_on(
    wire: WireServer, store: SessionStore
) -> None:
    problems: list[str] = []
    session, sid = await recorded_session(wire, store, on_problem=problems.append)
    await store._run(store._database._conn.execute, "PRAGMA query_only = ON")
    wire.enqueue(Reply(text=("one",)), Reply(text=("two",)))
    _ = [e async for e in session.send("first")]
    _ = [e async for e in session.send("second")]
    assert [c.text() for c in session.history] == ["first", "one", "second", "two"]
    assert len(problems) == 1
    assert problems[0].startswith("Conversations are not being saved: ")
    assert "readonly" in problems[0]
    await store._run(store._database._conn.execute, "PRAGMA query_only = OFF")
    assert await stored(store, sid) == []


async def test_a_session_deleted_meanwhile_is_reported_once_and_chat_goes_on(
    wire: WireServer, store: SessionStore
) -> None:
    gone: list[None] = []
    session, sid = await recorded_session(wire, store, on_gone=lambda: gone.append(None))
    wire.enqueue(Reply(text=("one",)), Reply(text=("two",)), Reply(text=("three",)))
    _ = [e async for e in session.send("first")]
    await store.delete_session(sid)  # by another llxprt sharing the database
    with pytest.raises(SessionGoneError):  # a KeyError, named for what happened
        await store.add_message(sid, IContent.human("late"))
    _ = [e async for e in session.send("second")]
    _ = [e async for e in session.send("third")]
    assert [c.text() for c in session.history] == [
        "first",
        "one",
        "second",
        "two",
        "third",
        "three",
    ]
    assert gone == [None]  # said once; nothing more was tried
    with pytest.raises(KeyError):
        await store.get_session(sid)
    assert await store.list_sessions(include_empty=True) == []


async def test_branches_are_stored_and_come_back_on_the_branch_shown(
    wire: WireServer, store: SessionStore
) -> None:
    from llxprt_runtime.chat.tree import ConversationTree

    session, sid = await recorded_session(wire, store)
    wire.enqueue(*(Reply(text=(t,)) for t in ("one", "two", "a2", "edited")))
    _ = [e async for e in session.send("q1")]
    _ = [e async for e in session.retry()]  # a sibling of "one"
    _ = [e async for e in session.send("q2")]
    q2 = session.tree.path()[2]
    _ = [e async for e in session.edit(q2, "q2 edited")]
    assert await stored(store, sid) == [
        ("human", "complete", "q1"),
        ("ai", "complete", "two"),
        ("human", "complete", "q2 edited"),
        ("ai", "complete", "edited"),
    ]
    assert len(await store.tree(sid)) == 7  # q1, one, two, q2, a2, q2 edited, edited
    assert all(n.stored_id is not None for n in session.tree.nodes())
    # Another branch shown: the store's head follows, and a restart comes back on it.
    one = session.switch(session.tree.path()[1], -1)
    assert one is not None
    assert session.recorder is not None
    last = session.tree.last
    await session.recorder.show(last.stored_id if last else None)
    record = await store.get_session(sid)
    restored = ConversationTree.from_stored(await store.tree(sid), record.head_message_id)
    assert [c.text() for c in restored.contents()] == ["q1", "one"]
    two = restored.switch(restored.path()[1], 1)
    assert two is not None
    assert [c.text() for c in restored.contents()] == ["q1", "two", "q2 edited", "edited"]
    assert restored.position(restored.path()[2]) == (2, 2)


async def test_a_failed_retry_leaves_the_stored_branch_as_it_was(
    wire: WireServer, store: SessionStore
) -> None:
    session, sid = await recorded_session(wire, store)
    wire.enqueue(Reply(text=("kept",)), Fault(status=400))
    _ = [e async for e in session.send("q")]
    _ = [e async for e in session.retry()]
    assert await stored(store, sid) == [("human", "complete", "q"), ("ai", "complete", "kept")]
    assert len(await store.tree(sid)) == 2


async def test_the_request_goes_out_before_the_turn_is_stored(
    wire: WireServer, store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing of the store is on the way from a prompt to its request (issue 18.8): the
    recorder is opened and the prompt written while the request is out; every turn is
    stored all the same, a retry's reply beside the first. (The first request of a runtime
    may wait for its SDK's import first: the order is checked after it.)"""
    from llxprt_runtime.providers import clients

    order: list[str] = []
    hooks = clients.guarded_event_hooks

    async def sent(_request: object) -> None:
        order.append("request")

    def with_ours() -> dict[str, list[object]]:
        made = hooks()
        made["request"].append(sent)
        return made  # type: ignore[return-value]

    monkeypatch.setattr(clients, "guarded_event_hooks", with_ours)
    session, sid = await recorded_session(wire, store)
    recorder = session.recorder

    async def open_recorder() -> SessionRecorder | None:
        order.append("recorder")
        return recorder

    session.open_recorder = open_recorder
    wire.enqueue(*(Reply(text=(t,)) for t in ("zero", "one", "two", "three")))
    _ = [e async for e in session.send("q0")]
    order.clear()
    _ = [e async for e in session.send("q1")]
    _ = [e async for e in session.retry()]
    _ = [e async for e in session.send("q2")]
    assert order == ["request", "recorder"] * 3
    assert await stored(store, sid) == [
        ("human", "complete", "q0"),
        ("ai", "complete", "zero"),
        ("human", "complete", "q1"),
        ("ai", "complete", "two"),
        ("human", "complete", "q2"),
        ("ai", "complete", "three"),
    ]
    assert len(await store.tree(sid)) == 7
