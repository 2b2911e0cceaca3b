"""Server faults as a user meets them in the app: each gives a clear message, keeps what
already arrived (marked as cut off), and leaves this tab and the others working."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, replace

import pytest

from llxprt_tui.chat.messages import AssistantMessage
from tests.tui.conftest import SIZE, errors, make_app, send_to
from tests.wire.server import Fault, Reply, WireServer


@dataclass(frozen=True)
class Case:
    fault: Fault | None
    says: tuple[str, ...]  # what the error message must contain
    partial: str = ""  # the start of the partial reply that must stay on screen
    setup: tuple[str, ...] = ()
    # What the user changes back before carrying on (a 3 s timeout would make the next
    # reply race the machine's load).
    undo: tuple[str, ...] = ()
    # The server holds the first byte until the test has seen the error (Fault.first_byte_hold).
    held: bool = False


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


TOKENS = Reply.tokens(40)
CASES = {
    "429 with Retry-After": Case(
        Fault(status=429, retry_after="7"), ("429", "rate limit", "7 s"), setup=("/set retries 0",)
    ),
    "429 without Retry-After": Case(
        Fault(status=429), ("429", "rate limit"), setup=("/set retries 0",)
    ),
    "500": Case(Fault(status=500), ("500",), setup=("/set retries 0",)),
    "503": Case(Fault(status=503), ("503",), setup=("/set retries 0",)),
    "401": Case(Fault(status=401), ("401", "/key")),
    "403": Case(Fault(status=403), ("403", "/key")),
    "connection refused": Case(
        None,
        ("connection refused", "127.0.0.1", "/baseurl"),
        setup=("/set retries 0", f"/baseurl http://127.0.0.1:{closed_port()}/v1"),
    ),
    # 3 s: long enough for the request to reach the server on a loaded machine (the wait
    # for a connection counts too), so it is the reply that is late, not the request.
    "slow first byte": Case(
        Fault(),
        ("timed out",),
        setup=("/set retries 0", "/set socket-timeout 3000"),
        undo=("/set socket-timeout 600000",),
        held=True,
    ),
    "stream cut after 10 tokens": Case(
        Fault(cut_after=10, reply=TOKENS),
        ("closed the connection", "partial reply is kept"),
        partial="tok0 tok1",
    ),
    "malformed SSE": Case(
        Fault(malformed_after=10, reply=TOKENS),
        ("not valid JSON", "partial reply is kept"),
        partial="tok0 tok1",
    ),
    "error event mid-stream": Case(
        Fault(error_event_after=10, reply=TOKENS),
        ("cut off", "injected fault"),
        partial="tok0 tok1",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_a_server_fault_is_explained_and_nothing_is_lost(name: str, wire: WireServer) -> None:
    case = CASES[name]
    app = make_app(wire, key="sk-fault-test")
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        other = await app.new_tab()  # a second tab, mid-conversation, must not notice
        await send_to(pilot, other, "before")
        tab = app.chat_tabs()[0]
        app.action_go_tab(1)
        for command in case.setup:
            await tab.execute_command(command)
        release = threading.Event()
        if case.fault is not None:
            wire.enqueue(replace(case.fault, first_byte_hold=release) if case.held else case.fault)
        try:
            await send_to(pilot, tab, "my careful prompt")
        finally:
            release.set()
        if case.held:  # the prompt itself reached the server and met the fault
            received = await asyncio.to_thread(wire.wait_for_chat_requests, 2)
            assert received[-1].last_user_text() == "my careful prompt"

        message = errors(app)
        for words in case.says:
            assert words.lower() in message.lower(), message
        assert "sk-fault-test" not in message
        if case.partial:
            reply = tab.query(AssistantMessage).last()
            assert reply.state == "failed" and reply.text.startswith(case.partial)
            assert "cut off" in str(reply.footer.render())
            assert tab.session.history[-1].speaker == "ai"  # the partial reply stays in the history
        else:
            assert tab.prompt.text == "my careful prompt"  # given back to send again
            assert tab.session.history == ()

        # This tab and the other one carry on.
        await tab.execute_command(f"/baseurl {wire.url}/v1")
        for command in case.undo:
            await tab.execute_command(command)
        tab.prompt.load_text("")
        assert await send_to(pilot, tab, "again") == "Echo: again"
        assert await send_to(pilot, other, "after") == "Echo: after"
        assert [c.text() for c in other.session.history] == [
            "before",
            "Echo: before",
            "after",
            "Echo: after",
        ]


async def test_a_one_megabyte_reply_arrives_whole(wire: WireServer) -> None:
    # 1 MiB in 64 events of 16 KiB (long SSE lines), each chunk distinct so a lost, doubled
    # or reordered chunk shows. Sent from a tab that is not shown: laying out 1 MB of
    # Markdown is a rendering cost (bench/), not what this test is about.
    chunks = tuple(f"{i:05d} " + "word " * 3275 + "\n\n" for i in range(64))
    wire.enqueue(Reply(text=chunks))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        await app.new_tab()  # tab 1 streams in the background
        reply_text = await send_to(pilot, tab, "a long one")
        assert reply_text == "".join(chunks) and len(reply_text.encode()) > 1_000_000
        reply = tab.query(AssistantMessage).last()
        assert reply.state == "done" and reply.text == reply_text
        assert tab.session.history[-1].text() == reply_text
        assert await send_to(pilot, tab, "still there?") == "Echo: still there?"
