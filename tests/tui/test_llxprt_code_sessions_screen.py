"""llxprt-code's recorded sessions in the sessions screen: JSONL files written in its format
into the test's own log dir, for the directory llxprt runs in. Listed and marked, imported
into a new session that goes on here (on the wire server), malformed lines counted; a
snapshot of the screen listing one."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from llxprt_runtime.store.llxprt_code_sessions import chats_dir, project_hash
from llxprt_tui.app import LlxprtApp
from llxprt_tui.screens.sessions import SessionsScreen
from tests.providers.conftest import base_url, sent_key
from tests.tui.conftest import (
    SIZE,
    active,
    make_app,
    notices,
    send_and_wait,
    type_and_send,
    wait_until,
)
from tests.wire.server import Reply, WireServer


@pytest.fixture(autouse=True)
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """llxprt runs in a project directory of its own, in UTC."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield root
    monkeypatch.undo()
    time.tzset()


def line(seq: int, kind: str, payload: object) -> str:
    return json.dumps(
        {"v": 1, "seq": seq, "ts": "2026-11-30T10:00:00.000Z", "type": kind, "payload": payload}
    )


def content(seq: int, speaker: str, text: str) -> str:
    return line(
        seq,
        "content",
        {"content": {"speaker": speaker, "blocks": [{"type": "text", "text": text}]}},
    )


def record(root: Path) -> Path:
    """A llxprt-code session of `root`: two exchanges and three malformed lines."""
    folder = chats_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "session-2026-11-30T10-00-a1b2c3d4.jsonl"
    start = {
        "sessionId": "a1b2c3d4e5f6a7b8",
        "projectHash": project_hash(root),
        "provider": "openai",
        "model": "gpt-5",
        "startTime": "2026-11-30T10:00:00Z",
        "workspaceDirs": [str(root)],
    }
    lines = [
        line(1, "session_start", start),
        content(2, "human", "What is [b]a monad[/b]?"),
        content(3, "ai", "A monoid in the category of endofunctors."),
        "{not json",
        json.dumps({"v": 1, "seq": "x", "type": "content", "payload": {}}),
        line(4, "content", {"content": {"speaker": "robot", "blocks": []}}),
        content(5, "human", "Simpler, please."),
        content(6, "ai", "A way to chain steps that carry context."),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def rows(screen: SessionsScreen) -> list[str]:
    options = screen.options
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_sessions(pilot: Pilot[None]) -> SessionsScreen:
    app = pilot.app
    assert isinstance(app, LlxprtApp)
    await app.wait_ready()
    await wait_until(pilot, lambda: app.persistence.started)
    await pilot.press("f4")
    await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))
    screen = app.screen
    assert isinstance(screen, SessionsScreen)
    await wait_until(pilot, lambda: screen.is_mounted and screen.recorded != [])
    return screen


async def test_a_recorded_session_is_listed_imported_and_goes_on_here(
    wire: WireServer, project: Path
) -> None:
    path = record(project)
    before = path.read_bytes()
    wire.enqueue(Reply(text=("Sure.",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sessions(pilot)
        [row] = rows(screen)
        assert row.startswith("  What is [b]a monad[/b]?") and row.endswith("  llxprt-code")
        assert "openai:gpt-5" in row and "2026-11-30 10:00" in row
        await pilot.press("r")  # not stored yet: nothing to rename
        assert "enter imports it first" in str(screen.query_one("#sessions-status").render())
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.chat_tabs()) == 2)
        tab = active(pilot)
        await wait_until(pilot, lambda: "3 lines skipped" in notices(app))
        assert [e.text for e in tab.transcript.entries] == [
            "What is [b]a monad[/b]?",
            "A monoid in the category of endofunctors.",
            "Simpler, please.",
            "A way to chain steps that carry context.",
        ]
        # It goes on here: the imported history is the context of the next prompt.
        await type_and_send(pilot, f"/baseurl {base_url('openai', wire)}")
        await type_and_send(pilot, "/key sk-imported")
        await send_and_wait(pilot, "Thanks!")
        request = wire.chat_requests()[-1]
        assert sent_key(request) == "sk-imported"
        texts = [m["content"] for m in request.body["messages"] if m["role"] != "system"]
        assert texts[:4] == [
            "What is [b]a monad[/b]?",
            "A monoid in the category of endofunctors.",
            "Simpler, please.",
            "A way to chain steps that carry context.",
        ]
        assert texts[-1] == "Thanks!"
        # Imported once: now a stored session of its own, the file untouched.
        screen = await open_sessions(pilot)
        stored = [r for r in rows(screen) if not r.endswith("llxprt-code")]
        assert any("What is [b]a monad[/b]?" in r for r in stored)
    assert path.read_bytes() == before


async def test_another_project_s_sessions_and_broken_files_are_not_listed(
    wire: WireServer, project: Path, tmp_path: Path
) -> None:
    record(project)
    folder = chats_dir(project)
    (folder / "session-2026-12-01-broken.jsonl").write_text("{not json\n")
    other = tmp_path / "other"
    other.mkdir()
    (folder / "session-2026-12-02-other.jsonl").write_text(record(other).read_text())
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sessions(pilot)
        assert len(screen.recorded) == 1
        assert [r.split("  ")[1] for r in rows(screen)] == ["What is [b]a monad[/b]?"]


def test_snapshot_sessions_with_a_llxprt_code_session(
    snap_compare: Callable[..., bool], project: Path
) -> None:
    record(project)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await open_sessions(pilot)
        await pilot.pause()
        assert isinstance(pilot.app, LlxprtApp)
        for tab in pilot.app.chat_tabs():
            tab.prompt.cursor_blink = False
        screen.query_one("#sessions-filter").cursor_blink = False  # type: ignore[attr-defined]

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
