"""The search screen in the real app over its real session database, against the loopback
wire server: messages sent in tabs are found, a hit opens its session in a new tab or in the
tab that has it, with the message selected; filters; junk queries; hostile stored text; the
latest query wins; a failing store is said. Snapshots of its states."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from llxprt_runtime.providers.content import ContentMetadata, IContent, TextBlock
from llxprt_runtime.store.service import SessionStore
from llxprt_tui.app import LlxprtApp
from llxprt_tui.screens.search import SearchScreen
from tests.conftest import Dirs
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

NOV_30 = 1_764_496_800.0  # 2025-11-30 10:00 UTC


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def rows(screen: SearchScreen) -> list[str]:
    options = screen.results
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def status(screen: SearchScreen) -> str:
    return str(screen.query_one("#search-status").render())


async def search(pilot: Pilot[None], text: str) -> SearchScreen:
    """`/search TEXT` typed in the shown tab; the screen once its results are shown."""
    await type_and_send(pilot, f"/search {text}")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen))
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    await wait_until(pilot, lambda: screen.shown_text == text)
    return screen


async def retype(pilot: Pilot[None], screen: SearchScreen, text: str) -> None:
    screen.box.value = text
    await wait_until(pilot, lambda: screen.shown_text == text)


async def two_conversations(pilot: Pilot[None], wire: WireServer) -> None:
    """Tab 1 talks about Lisbon (then is closed: its session stays stored), tab 2 about
    sorting in Python."""
    app = pilot.app
    assert isinstance(app, LlxprtApp)
    await app.wait_ready()
    for reply in ("Take tram 28 up the hill.", "Pastéis de nata in Belém.", "Sorted() it is."):
        wire.enqueue(Reply(text=(reply,)))
    await send_and_wait(pilot, "How do I get around Lisbon?")
    await send_and_wait(pilot, "And what should I eat in Lisbon?")
    await press_new_tab(pilot)
    await send_and_wait(pilot, "How do I sort a list in Python?")
    await app.close_tab(app.chat_tabs()[0])
    await wait_until(pilot, lambda: len(app.chat_tabs()) == 1)


async def test_a_hit_opens_its_session_in_a_new_tab_with_the_message_selected(
    wire: WireServer,
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await two_conversations(pilot, wire)
        screen = await search(pilot, "nata")
        assert len(rows(screen)) == 1
        assert rows(screen)[0].startswith("How do I get around Lisbon?")
        assert "openai:" in rows(screen)[0] and "Pastéis de nata in Belém." in rows(screen)[0]
        assert status(screen) == "1 message, best first"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.chat_tabs()) == 2)
        tab = active(pilot)
        assert tab is app.chat_tabs()[1]
        transcript = tab.transcript
        await wait_until(
            pilot,
            lambda: transcript.selected is not None and transcript.has_focus,
        )
        assert transcript.selected is not None
        assert transcript.selected.text == "Pastéis de nata in Belém."


async def test_a_hit_in_an_open_session_switches_to_its_tab(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await two_conversations(pilot, wire)
        python_tab = active(pilot)
        await press_new_tab(pilot)  # searching from a third, empty tab
        screen = await search(pilot, "sort*")
        assert [r.split("\n")[0].split("  ")[0] for r in rows(screen)] == [
            "How do I sort a list in Python?",
            "How do I sort a list in Python?",
        ]  # the prompt (sort) and the reply (Sorted)
        await pilot.press("down", "down")  # into the list, to the second hit
        await pilot.press("enter")
        await wait_until(pilot, lambda: active(pilot) is python_tab)
        transcript = python_tab.transcript
        await wait_until(pilot, lambda: transcript.selected is not None and transcript.has_focus)
        wanted = screen.hits[1]
        selected = transcript.selected
        assert selected is not None and selected.node is not None
        assert selected.node.stored_id == wanted.message_id
        assert len(app.chat_tabs()) == 2
        # From the tab that holds the hit: it stays, the other hit is selected.
        screen = await search(pilot, "sort*")
        await pilot.press("down")
        await pilot.press("enter")
        other = screen.hits[0].message_id
        await wait_until(
            pilot,
            lambda: (
                transcript.selected is not None
                and transcript.selected.node is not None
                and transcript.selected.node.stored_id == other
                and transcript.has_focus
            ),
        )
        assert active(pilot) is python_tab and len(app.chat_tabs()) == 2


async def test_filters_and_phrases(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await two_conversations(pilot, wire)
        screen = await search(pilot, "lisbon")
        assert len(rows(screen)) == 2
        await retype(pilot, screen, "lisbon provider:anthropic")
        assert rows(screen) == [] and status(screen) == "No messages match."
        await retype(pilot, screen, "tram provider:openai")
        assert len(rows(screen)) == 1
        await retype(pilot, screen, '"eat in lisbon"')
        assert len(rows(screen)) == 1 and "what should I eat" in rows(screen)[0]
        await retype(pilot, screen, '"lisbon eat"')
        assert rows(screen) == []
        await retype(pilot, screen, "lisbon before:2000-01-01")
        assert rows(screen) == []
        await retype(pilot, screen, "lisbon after:2000-01-01")
        assert len(rows(screen)) == 2
        await retype(pilot, screen, "lisbon before:yesterday")
        assert "before: needs a date as YYYY-MM-DD" in status(screen)
        assert screen.query_one("#search-status").has_class("-error")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, SearchScreen))


@pytest.mark.parametrize("junk", ['"AND OR (', "NEAR(a b", "text:x", "* ^ - :", '"', "\x00"])
async def test_fts_syntax_junk_is_searched_as_text(wire: WireServer, junk: str) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await two_conversations(pilot, wire)
        screen = await search(pilot, "lisbon")
        await retype(pilot, screen, junk)
        assert not screen.query_one("#search-status").has_class("-error"), status(screen)


async def test_markup_in_stored_text_is_shown_as_typed(wire: WireServer) -> None:
    hostile = "[bold red]loud[/] [@click=app.quit]quit[/] [/x] \x1b]0;title\x07 marker"
    wire.enqueue(Reply(text=(hostile,)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await send_and_wait(pilot, "[link=http://x]title[/link] marker")
        screen = await search(pilot, "marker")
        shown = "\n".join(rows(screen))
        assert "[link=http://x]title[/link]" in shown
        assert "[bold red]loud[/] [@click=app.quit]quit[/] [/x]" in shown
        assert "\x1b" not in shown and "␛" in shown
        await pilot.press("down", "q", "u", "i", "t")  # typed on the list: goes to the box
        await wait_until(pilot, lambda: screen.shown_text == "markerquit")
        assert app.is_running


async def test_only_the_latest_query_is_searched_and_shown(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await two_conversations(pilot, wire)
        screen = await search(pilot, "lisbon")
        store = app.persistence.store
        assert store is not None
        # Hold the store's worker thread: what is typed meanwhile waits behind it.
        gate, holding = threading.Event(), threading.Event()

        def hold() -> None:
            holding.set()
            gate.wait()

        held = store._executor.submit(hold)
        await wait_until(pilot, holding.is_set)
        before = screen.searches
        shown: list[str | None] = []
        for text in ("t", "tr", "tra", "tram"):
            screen.box.value = text
            await pilot.pause()
            shown.append(screen.shown_text)
        assert shown == ["lisbon"] * 4  # nothing came back while the store was busy
        gate.set()
        held.result()
        await wait_until(pilot, lambda: screen.shown_text == "tram")
        # "t" was already asked for; "tr" and "tra" never reached the store.
        assert screen.searches - before == 2
        assert len(rows(screen)) == 1 and "tram 28" in rows(screen)[0]


async def test_a_failing_store_is_said(wire: WireServer, dirs: Dirs) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await two_conversations(pilot, wire)
        screen = await search(pilot, "lisbon")
        with sqlite3.connect(dirs.data / "sessions.db") as conn:
            conn.execute("DROP TABLE messages_fts")
        await retype(pilot, screen, "python")
        assert status(screen).startswith("The search failed: ")
        assert "messages_fts" in status(screen)
        assert screen.query_one("#search-status").has_class("-error")


async def test_without_a_store_the_search_says_why(dirs: Dirs) -> None:
    dirs.data.write_text("not a directory")  # unwritable even for root (who ignores modes)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await wait_until(pilot, lambda: app.persistence.started)
        await pilot.press("f5")
        await pilot.pause()
        assert not isinstance(app.screen, SearchScreen)
        assert any("No search: " in str(n.message) for n in app._notifications)


# --- snapshots ----------------------------------------------------------------------------------


async def filled_store(path: Path) -> SessionStore:
    now = [NOV_30]
    store = await SessionStore.open(path, clock=lambda: now[0])
    conversations = [
        ("Trip to Lisbon", "anthropic", "claude-sonnet-5", "Take tram 28 to see Lisbon."),
        ("Sorting a list in Python", "openai", "gpt-5", "Use sorted(); Lisbon is unrelated."),
        ("Regex for [dates]", "gemini", "gemini-2.5-pro", "A [bold]regex[/bold] for dates."),
    ]
    for n, (title, provider, model, reply) in enumerate(conversations):
        now[0] = NOV_30 + n * 86_400
        snapshot = json.dumps({"version": 1, "provider": provider, "model": model})
        session = await store.create_session(runtime_snapshot=snapshot)
        await store.add_message(session.id, IContent.human(title))
        metadata = ContentMetadata(model=model, provider=provider)
        await store.add_message(session.id, IContent("ai", (TextBlock(reply),), metadata))
    return store


def snapshot_search(snap_compare: Callable[..., bool], tmp_path: Path, text: str) -> bool:
    stores: list[SessionStore] = []

    async def run_before(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app, LlxprtApp)
        await pilot.app.wait_ready()
        stores.append(await filled_store(tmp_path / "search.db"))
        screen = SearchScreen(stores[0], text)
        pilot.app.push_screen(screen)
        await wait_until(pilot, lambda: screen.is_mounted and screen.shown_text == text)
        await pilot.pause()
        for tab in pilot.app.chat_tabs():
            tab.prompt.cursor_blink = False
        screen.box.cursor_blink = False

    try:
        return snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
    finally:
        for store in stores:  # its worker thread ends here, not at interpreter exit
            asyncio.run(store.close())


def test_snapshot_search_with_highlights(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    assert snapshot_search(snap_compare, tmp_path, "lisbon")


def test_snapshot_search_no_results(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    assert snapshot_search(snap_compare, tmp_path, "lisbon regex")


def test_snapshot_search_empty(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    assert snapshot_search(snap_compare, tmp_path, "")
