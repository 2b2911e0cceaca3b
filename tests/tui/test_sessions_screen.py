"""The sessions screen over a real session database, in the real app: listing, filtering as
you type, opening, renaming, deleting (rows and search index gone), exporting safely; and
snapshots of its states."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from llxprt_runtime.providers.content import ContentMetadata, IContent, TextBlock
from llxprt_runtime.store.service import SessionStore
from llxprt_tui.app import LlxprtApp
from llxprt_tui.screens.confirm import ConfirmScreen
from llxprt_tui.screens.name_prompt import NamePromptScreen
from llxprt_tui.screens.sessions import SessionsScreen
from tests.tui.conftest import SIZE, make_app, wait_until

NOV_30 = 1_764_496_800.0  # 2025-11-30 10:00 UTC


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def ai(text: str, provider: str, model: str) -> IContent:
    return IContent("ai", (TextBlock(text),), ContentMetadata(model=model, provider=provider))


async def filled_store(path: Path) -> SessionStore:
    now = [NOV_30]
    store = await SessionStore.open(path, clock=lambda: now[0])
    for n, (title, provider, model) in enumerate(
        [
            ("Sorting a list in Python", "openai", "gpt-5"),
            ("Trip to Lisbon", "anthropic", "claude-sonnet-5"),
            ("Regex for dates", "gemini", "gemini-2.5-pro"),
        ]
    ):
        now[0] = NOV_30 + n * 3600
        snapshot = json.dumps({"version": 1, "provider": provider, "model": model})
        session = await store.create_session(runtime_snapshot=snapshot)
        await store.add_message(session.id, IContent.human(title))
        await store.add_message(session.id, ai(f"About {title.lower()}", provider, model))
    return store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SessionStore]:
    opened = await filled_store(tmp_path / "sessions.db")
    yield opened
    await opened.close()


async def open_screen(
    pilot: Pilot[None], store: SessionStore, open_ids: set[str] | None = None, **kw: object
) -> SessionsScreen:
    screen = SessionsScreen(store, lambda: open_ids or set(), **kw)  # type: ignore[arg-type]
    results: list[str | None] = []
    pilot.app.push_screen(screen, results.append)
    screen.results = results  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: screen.is_mounted and screen.options.option_count > 0)
    return screen


def rows(screen: SessionsScreen) -> list[str]:
    return [
        str(screen.options.get_option_at_index(i).prompt)
        for i in range(screen.options.option_count)
    ]


async def test_newest_first_filtered_as_you_type_and_enter_opens(store: SessionStore) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        sessions = await store.list_sessions()
        screen = await open_screen(pilot, store, {sessions[1].id})
        listed = rows(screen)
        assert [r[2:].split("  ")[0].strip() for r in listed] == [
            "Regex for dates",
            "Trip to Lisbon",
            "Sorting a list in Python",
        ]
        assert listed[1].startswith("● ") and not listed[0].startswith("● ")
        assert "anthropic:claude-sonnet-5" in listed[1] and "2025-11-30 11:00" in listed[1]
        await pilot.press("l", "i", "s", "b")  # typed on the list: goes to the filter
        await wait_until(pilot, lambda: screen.options.option_count == 1)
        assert screen.query_one(Input).value == "lisb"
        assert "Trip to Lisbon" in rows(screen)[0]
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, SessionsScreen))
        assert screen.results == [sessions[1].id]  # type: ignore[attr-defined]


async def test_rename(store: SessionStore) -> None:
    app = make_app()
    renamed: list[tuple[str, str]] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(
            pilot, store, on_renamed=lambda sid, title: renamed.append((sid, title))
        )
        first = screen.selected_id()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, NamePromptScreen))
        app.screen.query_one(Input).value = "Dates, in regex"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Dates, in regex" in rows(screen)[0])
        assert renamed == [(first, "Dates, in regex")]
        assert (await store.get_session(first or "")).title == "Dates, in regex"


async def test_delete_asks_and_removes_rows_and_index(store: SessionStore) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, store)
        target = screen.selected_id()
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause()
        assert screen.options.option_count == 3
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.options.option_count == 2)
        assert target not in {s.id for s in await store.list_sessions()}
        assert (await store.search("regex")).hits == []


async def test_an_open_session_is_not_deleted(store: SessionStore) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        newest = (await store.list_sessions())[0].id
        screen = await open_screen(pilot, store, {newest})
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert "close the tab first" in str(screen.query_one("#sessions-status").render())


async def test_export_markdown_json_and_never_over_a_file(
    store: SessionStore, tmp_path: Path
) -> None:
    app = make_app()
    out = tmp_path / "out"
    out.mkdir()
    (out / "taken.md").write_text("keep me")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, store, export_dir=out)

        async def export(name: str) -> str:
            await pilot.press("e")
            await wait_until(pilot, lambda: isinstance(app.screen, NamePromptScreen))
            app.screen.query_one(Input).value = name
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))
            status = screen.query_one("#sessions-status")
            await wait_until(pilot, lambda: "xport" in str(status.render()))
            return str(status.render())

        assert (await export("regex.md")).startswith("Exported to")
        assert (out / "regex.md").read_text().startswith("# Regex for dates\n\n## You\n")
        assert (out / "regex.md").stat().st_mode & 0o777 == 0o600
        await export("regex.json")
        data = json.loads((out / "regex.json").read_text())
        assert [m["speaker"] for m in data["messages"]] == ["human", "ai"]
        message = await export("taken.md")
        assert "already exists" in message
        assert (out / "taken.md").read_text() == "keep me"
        assert "does not exist" in await export("missing-dir/x.md")
        assert not (out / "missing-dir").exists()
        assert sorted(p.name for p in out.iterdir()) == ["regex.json", "regex.md", "taken.md"]


# --- snapshots ----------------------------------------------------------------------------------


def snapshot_with_sessions(
    snap_compare: Callable[..., bool],
    tmp_path: Path,
    then: Callable[[Pilot[None], SessionsScreen], object] | None = None,
    *,
    empty: bool = False,
) -> bool:
    async def run_before(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app, LlxprtApp)
        await pilot.app.wait_ready()
        if empty:
            store = await SessionStore.open(tmp_path / "empty.db")
        else:
            store = await filled_store(tmp_path / "sessions.db")
        newest = [s.id for s in await store.list_sessions()][:1]
        screen = SessionsScreen(store, lambda: set(newest))
        pilot.app.push_screen(screen)
        await wait_until(
            pilot,
            lambda: (
                screen.is_mounted
                and "session" in str(screen.query_one("#sessions-status").render()).lower()
            ),
        )
        if then is not None:
            await then(pilot, screen)  # type: ignore[misc]
        await pilot.pause()
        for tab in pilot.app.chat_tabs():
            tab.prompt.cursor_blink = False
        screen.query_one(Input).cursor_blink = False

    return snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_sessions(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    assert snapshot_with_sessions(snap_compare, tmp_path)


def test_snapshot_sessions_empty(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    assert snapshot_with_sessions(snap_compare, tmp_path, empty=True)


def test_snapshot_sessions_filtered(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    async def filtered(pilot: Pilot[None], screen: SessionsScreen) -> None:
        await pilot.press("p", "y")
        await wait_until(pilot, lambda: screen.options.option_count == 1)

    assert snapshot_with_sessions(snap_compare, tmp_path, filtered)


def test_snapshot_sessions_confirm_delete(
    snap_compare: Callable[..., bool], tmp_path: Path
) -> None:
    async def confirm(pilot: Pilot[None], screen: SessionsScreen) -> None:
        await pilot.press("down", "d")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))

    assert snapshot_with_sessions(snap_compare, tmp_path, confirm)
