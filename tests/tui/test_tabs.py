"""Tabs: isolation on the wire, switching, closing (with confirmation while streaming), keymap."""

from __future__ import annotations

import threading

from llxprt_tui.screens.confirm import ConfirmScreen
from tests.conftest import Dirs
from tests.providers.conftest import base_url, sent_key
from tests.tui.conftest import (
    SIZE,
    active,
    make_app,
    press_new_tab,
    send_and_wait,
    type_and_send,
    wait_until,
)
from tests.wire.server import Reply, WireServer


async def test_two_tabs_on_different_providers_and_keys_stream_at_once() -> None:
    with WireServer() as left, WireServer() as right:
        # Each reply is held after its first chunk until both tabs stream: "at once" is a
        # fact then, not a bet on how fast the machine streams.
        both_streaming = threading.Event()
        for server in (left, right):
            server.default_reply = lambda r: Reply(
                text=(r.last_user_text(), *(["."] * 40)), hold=both_streaming
            )
        app = make_app(left, provider="anthropic", key="sk-tab-one")
        async with app.run_test(size=SIZE) as pilot:
            first = active(pilot)
            await send_and_wait(pilot, "/model model-one")
            second = await press_new_tab(pilot)
            assert second is not first
            for command in (
                "/provider gemini",
                f"/baseurl {base_url('gemini', right)}",
                "/key sk-tab-two",
                "/model model-two",
            ):
                await send_and_wait(pilot, command)
            # Start tab 2's reply, switch to tab 1 and start its reply while 2 streams.
            # (Called directly: Pilot.press waits for the app to go idle, which a stream
            # never lets it do.)
            await second.send("second tab asks")
            app.action_go_tab(1)
            assert app.active_tab() is first
            await first.send("first tab asks")
            assert first.streaming and second.streaming
            both_streaming.set()
            await wait_until(pilot, lambda: not first.streaming and not second.streaming)
            assert first.session.history[-1].text() == "first tab asks" + "." * 40
            assert second.session.history[-1].text() == "second tab asks" + "." * 40
            (one,) = left.chat_requests()
            (two,) = right.chat_requests()
            assert (sent_key(one), one.protocol, one.body["model"]) == (
                "sk-tab-one",
                "anthropic",
                "model-one",
            )
            assert (sent_key(two), two.protocol) == ("sk-tab-two", "gemini")
            assert "/models/model-two:" in two.path
            assert first.runtime.runtime_id != second.runtime.runtime_id
            assert first.runtime.config.get_provider() == "anthropic"


async def test_switching_tabs_by_keys_and_command(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tabs = [active(pilot)]
        for _ in range(2):
            tabs.append(await press_new_tab(pilot))
        await pilot.press("ctrl+pageup")
        await pilot.pause()
        assert active(pilot) is tabs[1]
        await pilot.press("ctrl+pagedown", "ctrl+pagedown")
        await pilot.pause()
        assert active(pilot) is tabs[0]
        await send_and_wait(pilot, "/tab 3")
        assert active(pilot) is tabs[2]
        assert [t.tab_name for t in app.chat_tabs()] == ["tab 1", "tab 2", "tab 3"]


async def test_showing_a_tab_moves_the_focus_into_it_at_once(wire: WireServer) -> None:
    """Focus moved later (Widget.focus defers it) loses a race under load: the hidden tab's
    prompt, still focused when its Hide arrives, hands the focus to a widget of its own tab
    and TabbedContent then shows that tab again; ctrl+t opened a tab but showed tab 1."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        first = active(pilot)
        second = await app.new_tab()
        assert app.active_tab() is second and app.focused is second.prompt
        app.action_go_tab(1)
        assert app.active_tab() is first and app.focused is first.prompt
        app.action_next_tab(1)
        assert app.active_tab() is second and app.focused is second.prompt
        await pilot.pause()
        assert app.active_tab() is second and app.focused is second.prompt


async def test_focus_in_a_hidden_tab_never_shows_it(wire: WireServer) -> None:
    """TabPane.Focused arrives after the focus change it reports: one from the tab just left
    (its prompt handing the focus on as it hides) showed that tab again under load, and so
    did a closing screen giving the focus back to the tab it was opened from."""
    from textual.widgets import TabPane

    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        first = active(pilot)
        second = await app.new_tab()
        await pilot.pause()
        assert app.active_tab() is second and app.focused is second.prompt
        first_pane = next(p for p in app.tabs.query(TabPane) if first in p.children)
        app.tabs.post_message(TabPane.Focused(first_pane))  # stale: the focus is in tab 2
        await pilot.pause()
        assert app.active_tab() is second and app.focused is second.prompt
        first.prompt.focus()  # focus landing in a hidden tab (a closing screen gives it back)
        await wait_until(pilot, lambda: app.focused is second.prompt)
        assert app.active_tab() is second  # is brought back: keys never go to a hidden tab


async def test_tab_messages_handled_after_shutdown_do_not_crash(wire: WireServer) -> None:
    """A message still queued when the app exits is handled after its widgets are gone (seen:
    the TabActivated of switching tabs just before quitting raised NoMatches for #tabs)."""
    from textual.widgets import TabbedContent
    from textual.widgets._tabbed_content import ContentTab

    from llxprt_tui.chat.tab import ChatTab

    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = active(pilot)
        content_tab = app.tabs.get_tab("tab-1")  # a ContentTab, typed as its base Tab
        assert isinstance(content_tab, ContentTab)
        shown = TabbedContent.TabActivated(app.tabs, content_tab)
    assert not app.query("#tabs")  # torn down
    app._tab_activated(shown)
    app._tab_changed(ChatTab.StateChanged(tab))


async def test_closing_a_streaming_tab_asks_then_disposes_its_runtime(wire: WireServer) -> None:
    # The reply pauses after its first event until the test ends: still streaming however
    # slowly the test drives the app, with nothing to render meanwhile.
    held = threading.Event()
    wire.enqueue(Reply(text=tuple("x" * 30), hold=held))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await press_new_tab(pilot)
        await type_and_send(pilot, "stream for a while")
        await wait_until(pilot, lambda: bool(tab.session.history) and tab.streaming)
        await pilot.press("ctrl+w")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert tab in app.chat_tabs() and tab.streaming
        await pilot.press("ctrl+w")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: tab not in app.chat_tabs())
        runtime = tab.runtime
        assert runtime.disposed and app.registry.get(runtime.runtime_id) is None
        assert runtime.provider_manager.clients.closed
        assert len(app.chat_tabs()) == 1
    held.set()  # the server's side of the closed stream ends


async def test_closing_the_last_tab_opens_a_fresh_one(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        first = active(pilot)
        await send_and_wait(pilot, "/close")
        await wait_until(pilot, lambda: bool(app.chat_tabs()) and app.chat_tabs()[0] is not first)
        assert len(app.chat_tabs()) == 1 and first.runtime.disposed


async def test_keymap_from_the_settings_file_remaps_bindings(dirs: Dirs, wire: WireServer) -> None:
    dirs.config.mkdir(parents=True, exist_ok=True)
    (dirs.config / "tui.toml").write_text('[keymap]\nnew-tab = "ctrl+n"\n')
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        first = active(pilot)
        await press_new_tab(pilot, "ctrl+n")
        assert len(app.chat_tabs()) == 2
        await pilot.press("ctrl+t")  # no longer new-tab: nothing happens
        # Keys are handled in order, each one's action to its end: once alt+1 has shown
        # tab 1, ctrl+t has had every chance to open a tab.
        await pilot.press("alt+1")
        await wait_until(pilot, lambda: app.active_tab() is first)
        assert len(app.chat_tabs()) == 2


async def test_a_new_tab_starts_from_the_default_profile(dirs: Dirs, wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        first = active(pilot)
        # Awaited, not typed: Pilot's wait for a typed command to be handled is a guess
        # (wait_for_idle reads a CPU-starved process as idle), and ctrl+t must not run
        # before the default is set.
        await first.execute_command("/model from-profile")
        await first.execute_command("/profile save base")
        await first.execute_command("/profile set-default base")
        await first.execute_command("/model changed-after-save")
        tab = await press_new_tab(pilot)
        assert tab is not first and len(app.chat_tabs()) == 2
        assert tab.runtime.runtime_id != first.runtime.runtime_id
        assert tab.runtime.config.get_model() == "from-profile"  # the profile, not tab 1
        assert tab.runtime.settings_service.current_profile_name == "base"


async def test_a_reply_in_a_hidden_tab_renders_when_the_tab_is_shown(wire: WireServer) -> None:
    """A tab that is not shown buffers its reply instead of rendering it (ten streaming tabs
    cost one tab's rendering); it is all there once the tab is shown."""
    from llxprt_tui.chat.messages import AssistantMessage

    wire.default_reply = lambda r: Reply(
        text=("Hidden **reply**", *([" more"] * 60)), event_delay=0.005
    )
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        first = app.chat_tabs()[0]
        await app.new_tab()  # tab 2 is shown while tab 1 streams and finishes
        await first.send("in the background")
        await wait_until(pilot, lambda: not first.streaming)
        reply = first.query_one(AssistantMessage)
        assert reply.state == "done" and reply.shown_source() == ""  # nothing rendered yet
        app.action_go_tab(1)
        await wait_until(pilot, lambda: reply.shown_source() == reply.text)
        assert reply.text == "Hidden **reply**" + " more" * 60


async def test_a_reply_in_a_hidden_tab_is_not_woken_per_delta_and_renders_when_shown(
    wire: WireServer,
) -> None:
    """While its tab is not shown the reply's renderer sleeps (a delta only buffers: waking it
    for each one was a twentieth of ten tabs' streaming time); shown mid-stream, it renders
    what came and goes on streaming live; ended, the whole reply is there."""
    from llxprt_tui.chat.messages import AssistantMessage

    held = threading.Event()
    wire.default_reply = lambda r: Reply(
        text=tuple(f"w{i} " for i in range(40)), hold=held, hold_at=20
    )
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        first = app.chat_tabs()[0]
        await app.new_tab()
        await first.send("in the background")
        reply = first.query_one(AssistantMessage)
        await wait_until(pilot, lambda: "w18 " in reply.text)  # all before the hold
        assert reply._parked and not reply._wake.is_set()  # asleep, not woken per delta
        assert reply.shown_source() == ""
        app.action_go_tab(1)
        await wait_until(pilot, lambda: reply.shown_source() == reply.text)
        assert first.streaming  # rendered live, before the end
        held.set()
        await wait_until(pilot, lambda: not first.streaming)
        await wait_until(pilot, lambda: reply.shown_source() == reply.text)
        assert reply.text == "".join(f"w{i} " for i in range(40))


async def test_a_hidden_tabs_progress_line_is_drawn_when_shown_not_on_its_ticks(
    wire: WireServer,
) -> None:
    """Each redraw of a progress line laid out the whole screen: a tab not shown skips its
    ticks (a third of the time of ten tabs streaming), and shows the count when shown."""
    from llxprt_tui.chat.progress import StreamProgress

    held = threading.Event()
    wire.default_reply = lambda r: Reply(
        text=tuple(f"w{i} " for i in range(40)), hold=held, hold_at=20
    )
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        first = app.chat_tabs()[0]
        await app.new_tab()
        progress = first.query_one(StreamProgress)
        await first.send("in the background")
        await wait_until(pilot, lambda: progress.tokens >= 18)
        drawn = str(progress.render())
        assert "~1 tokens" in drawn  # drawn at the first token only
        progress._tick()
        assert str(progress.render()) == drawn
        app.action_go_tab(1)
        await wait_until(pilot, lambda: f"~{progress.tokens} tokens" in str(progress.render()))
        held.set()
        await wait_until(pilot, lambda: not first.streaming)


async def test_a_change_queued_as_its_tab_closes_is_dropped(wire: WireServer) -> None:
    # What _close does, step by step, with the tab's StateChanged (posted by a stream ending
    # or a setting) handled between the runtime's disposal and the pane's removal: drawing
    # its label then read the disposed runtime (MissingProviderRuntimeError, a soak failure
    # of test_closing_a_tab_keeps_its_session).
    from llxprt_runtime.api import dispose_runtime
    from llxprt_tui.chat.tab import ChatTab

    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        first = active(pilot)
        second = await press_new_tab(pilot)
        runtime = await second.ready()
        second.stop_listening()
        await dispose_runtime(runtime.runtime_id, registry=app.registry)
        app.post_message(ChatTab.StateChanged(second))
        await pilot.pause()
        assert app.is_running and second.parent is not None  # its pane is still there
        await app.close_tab(second)
        await wait_until(pilot, lambda: app.chat_tabs() == [first])
