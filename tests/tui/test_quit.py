"""Quitting with replies streaming asks first, as closing a streaming tab does (item 18)."""

from __future__ import annotations

import threading

from textual.widgets import TabbedContent, TabPane
from textual.widgets._tabbed_content import ContentTab

from llxprt_runtime.store.service import SessionStore
from llxprt_tui.chat.messages import AssistantMessage
from llxprt_tui.chat.status import StatusLine
from llxprt_tui.chat.tab import ChatTab
from llxprt_tui.screens.confirm import ConfirmScreen
from tests.conftest import Dirs
from tests.tui.conftest import SIZE, active, make_app, type_and_send, wait_until
from tests.wire.server import Reply, WireServer


async def test_ctrl_q_while_streaming_asks_and_no_keeps_streaming(wire: WireServer) -> None:
    # The reply pauses after its first event until the test ends: streaming throughout.
    held = threading.Event()
    wire.enqueue(Reply(text=tuple("x" * 30), hold=held))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = active(pilot)
        await type_and_send(pilot, "stream for a while")
        await wait_until(pilot, lambda: tab.streaming)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        screen = app.screen
        assert isinstance(screen, ConfirmScreen) and "tab 1 is still streaming" in screen.question
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert app.is_running and tab.streaming
        await type_and_send(pilot, "/quit")  # the command asks too
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running)
    held.set()  # the server's side of the cancelled stream ends
    assert app.return_code == 0


async def stored_states(dirs: Dirs) -> list[tuple[str, str, str]]:
    """The stored conversation of the one session: (speaker, state, text) per message."""
    store = await SessionStore.open(dirs.data / "sessions.db")
    try:
        (summary,) = await store.list_sessions(include_empty=True)
        branch = await store.branch(summary.id)
        return [(m.content.speaker, m.state, m.content.text()) for m in branch]
    finally:
        await store.close()


async def test_no_keeps_the_app_running_and_the_reply_streaming(
    wire: WireServer, dirs: Dirs
) -> None:
    # The reply pauses after three words until the question is answered: still streaming.
    held = threading.Event()
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(8)), hold=held, hold_at=4))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = active(pilot)
        await type_and_send(pilot, "stream for a while")
        await wait_until(pilot, lambda: "w2" in app.query(AssistantMessage).last().text)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        held.set()  # the rest of the reply comes, to the same tab
        await wait_until(pilot, lambda: not tab.streaming)
        assert app.is_running
        assert app.query(AssistantMessage).last().text == "w0 w1 w2 w3 w4 w5 w6 w7 "
    assert (await stored_states(dirs))[-1] == ("ai", "complete", "w0 w1 w2 w3 w4 w5 w6 w7 ")


async def test_yes_quits_and_the_partial_reply_is_stored_as_cancelled(
    wire: WireServer, dirs: Dirs
) -> None:
    held = threading.Event()
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(8)), hold=held, hold_at=4))
    app = make_app(wire)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await type_and_send(pilot, "stream for a while")
            await wait_until(pilot, lambda: "w2" in app.query(AssistantMessage).last().text)
            await pilot.press("ctrl+q")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: not app.is_running)
    finally:
        held.set()  # the server's side of the cancelled stream ends
    assert app.return_code == 0
    # What had arrived is kept, marked as not finished: never as a complete reply.
    assert await stored_states(dirs) == [
        ("human", "complete", "stream for a while"),
        ("ai", "cancelled", "w0 w1 w2 "),
    ]


async def test_ctrl_q_with_nothing_streaming_quits_at_once(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_a_tab_changing_after_the_status_line_is_gone_is_not_a_crash(
    wire: WireServer,
) -> None:
    # Seen in teardown: a stream ending as the app shuts down reports its tab's new state
    # after the status line has been removed (query_one raised NoMatches).
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await app.query_one(StatusLine).remove()
        tab = active(pilot)
        tab.changed()
        await pilot.pause()
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_a_tab_message_after_the_tabs_are_gone_is_not_a_crash(wire: WireServer) -> None:
    # Seen in teardown under load: a tab switch (TabActivated) or a tab's new state arriving
    # after the screen's tabs were taken apart looked them up (query_one raised NoMatches).
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        tabs = app.tabs
        pane = tab.parent
        assert isinstance(pane, TabPane)
        label = tabs.get_tab(pane.id or "")
        assert isinstance(label, ContentTab)
        activated = TabbedContent.TabActivated(tabs, label)
        await tabs.remove()
        app.post_message(activated)
        app.post_message(ChatTab.StateChanged(tab))
        await pilot.pause()
        await pilot.pause()
        assert app.is_running and app.return_code is None
