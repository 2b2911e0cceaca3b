"""Feedback while waiting: the waiting line with elapsed time, the retry line, live tokens."""

from __future__ import annotations

import threading

from textual.app import App, ComposeResult

from llxprt_tui.chat.progress import StreamProgress
from tests.tui.conftest import SIZE, active, make_app, wait_until
from tests.wire.server import Fault, Reply, WireServer


async def test_waiting_then_streaming_then_gone(wire: WireServer) -> None:
    # The server holds the first byte, then the rest of the stream, until each state has
    # been seen: on a loaded machine a state shown for a fixed time can be missed.
    first_byte, rest = threading.Event(), threading.Event()
    reply = Reply(text=tuple(f"t{i} " for i in range(30)), hold=rest, hold_at=10)
    wire.enqueue(Fault(first_byte_hold=first_byte, reply=reply))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        progress = tab.query_one(StreamProgress)
        await tab.send("hello")
        await wait_until(pilot, lambda: "waiting for openai…" in str(progress.render()))
        assert progress.display and "esc cancels" in str(progress.render())
        first_byte.set()
        await wait_until(pilot, lambda: "tokens" in str(progress.render()))
        assert str(progress.render()).startswith("openai: ~")
        rest.set()
        await wait_until(pilot, lambda: not tab.streaming)
        assert not progress.display


async def test_a_retry_is_shown_with_its_wait_and_attempt(wire: WireServer) -> None:
    wire.enqueue(Fault(status=429, retry_after="2"), Reply(text=("late",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        progress = tab.query_one(StreamProgress)
        await tab.send("hello")
        await wait_until(pilot, lambda: "rate limited" in str(progress.render()))
        assert "429 rate limited — retrying in " in str(progress.render())
        assert "(attempt 2 of 4)" in str(progress.render())
        assert progress.has_class("-retrying")
        await wait_until(pilot, lambda: not tab.streaming)
        assert tab.session.last_reply_text() == "late"


async def test_a_tick_redraws_the_line_without_laying_out_the_screen() -> None:
    """Issue 18.1: each tick (twice a second while a reply streams) laid out the whole screen
    for a line of fixed size; only the line is drawn again now."""
    now = [100.0]

    class LineApp(App[None]):
        def compose(self) -> ComposeResult:
            yield StreamProgress(lambda: now[0])

    app = LineApp()
    async with app.run_test(size=SIZE) as pilot:
        progress = app.query_one(StreamProgress)
        progress.begin("openai")
        await pilot.pause()
        assert str(progress.render()).startswith("waiting for openai… 0 s")
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append, True)
        now[0] += 3
        progress._tick()  # what its timer calls
        await pilot.pause()
        assert str(progress.render()).startswith("waiting for openai… 3 s")
        assert layouts == []
        progress.end()
        await pilot.pause()
        assert not progress.display and layouts
