"""Attachments in the app: /attach PATH, /attach (list), /attach clear, `@path` in a prompt
and its completion; what the wire server receives; the chips on the prompt, kept in the
session store and shown again after a restart; files that are refused say why."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from llxprt_runtime.providers.content import MediaBlock
from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.notices import UserMessage
from tests.conftest import Dirs
from tests.tui.conftest import (
    SIZE,
    active,
    errors,
    fixed_clock,
    make_app,
    notices,
    send_and_wait,
    type_and_send,
    wait_until,
)
from tests.tui.test_snapshots import fixed_wire, settle, steady  # noqa: F401 (a fixture)
from tests.wire.server import Reply, WireServer

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200)) * 60  # 12,008 bytes: "12 KB"
PNG64 = base64.b64encode(PNG).decode()


def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "cat.png").write_bytes(PNG)
    (folder / "notes.txt").write_text("buy milk\n")
    (folder / "blob.bin").write_bytes(b"\x00\xff" * 100)
    return folder


def chips(app: LlxprtApp) -> list[tuple[str, ...]]:
    return [m.chips for m in active_tab_messages(app)]


def active_tab_messages(app: LlxprtApp) -> list[UserMessage]:
    tab = app.active_tab()
    assert tab is not None
    return list(tab.query(UserMessage))


async def test_attach_sends_files_with_the_next_prompt_and_they_come_back_after_a_restart(
    wire: WireServer, dirs: Dirs, tmp_path: Path
) -> None:
    folder = files(tmp_path)
    wire.enqueue(Reply(text=("A cat.",)), Reply(text=("Milk.",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await send_and_wait(pilot, f"/attach {folder}/cat.png")
        await send_and_wait(pilot, f"/attach {folder}/notes.txt")
        assert "Attached 📎 cat.png 12 KB (an image) to the next prompt." in notices(app)
        await send_and_wait(pilot, "/attach")
        assert "  📎 cat.png 12 KB\n  📎 notes.txt 9 B" in notices(app)
        await send_and_wait(pilot, "what is this?")
        body = wire.chat_requests()[-1].body
        assert body["messages"][-1]["content"] == [
            {"type": "text", "text": "what is this?\n\nFile: notes.txt\n```\nbuy milk\n```"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG64}"}},
        ]
        tab = active(pilot)
        asked = [m for m in tab.query(UserMessage) if m.text == "what is this?"]
        assert [m.chips for m in asked] == [("📎 cat.png 12 KB", "📎 notes.txt 9 B")]
        assert "📎 cat.png 12 KB\n📎 notes.txt 9 B" in str(asked[0].render())
        # Taken by that prompt: the next goes without them.
        assert len(tab.attachments) == 0
        await send_and_wait(pilot, "/attach clear")
        assert "Removed 0 attached files." in notices(app)
    again = LlxprtApp(clock=fixed_clock())
    again.animation_level = "none"
    async with again.run_test(size=SIZE) as pilot:
        await again.wait_ready()
        tab = active(pilot)
        await wait_until(pilot, lambda: len(tab.session.history) == 2)
        await wait_until(pilot, lambda: bool(tab.query(UserMessage)))
        assert chips(again) == [("📎 cat.png 12 KB", "📎 notes.txt 9 B")]
        assert [m.text for m in tab.query(UserMessage)] == ["what is this?"]
        # The image came back as data: the next prompt sends it again as context.
        [image] = [b for b in tab.session.history[0].blocks if isinstance(b, MediaBlock)]
        assert image.data == PNG64
        await type_and_send(pilot, "/key sk-again")
        await send_and_wait(pilot, "and now?")
        sent = wire.chat_requests()[-1].body["messages"]
        assert sent[1]["content"][1]["image_url"]["url"] == f"data:image/png;base64,{PNG64}"


async def test_an_at_path_attaches_that_file_and_completes(
    wire: WireServer, tmp_path: Path
) -> None:
    folder = files(tmp_path)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        found = [c.line for c in await tab.completer.candidates(f"see @{folder}/no")]
        assert found == [f"see @{folder}/notes.txt "]
        assert await tab.completer.candidates("mail me at a@b") == []
        await send_and_wait(pilot, f"summarise @{folder}/notes.txt and @nobody please")
        text = wire.chat_requests()[-1].body["messages"][-1]["content"]
        # A word naming no file stays text; the file goes fenced under its name.
        assert text == (
            f"summarise @{folder}/notes.txt and @nobody please"
            "\n\nFile: notes.txt\n```\nbuy milk\n```"
        )
        assert chips(app) == [("📎 notes.txt 9 B",)]


async def test_a_file_that_cannot_go_is_refused_with_why_and_nothing_is_sent(
    wire: WireServer, tmp_path: Path
) -> None:
    folder = files(tmp_path)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await send_and_wait(pilot, f"/attach {folder}/blob.bin")
        assert "Cannot attach blob.bin: it is a binary file" in errors(app)
        await send_and_wait(pilot, f"/attach {folder}")
        assert "is not a regular file (a directory)" in errors(app)
        await send_and_wait(pilot, f"/attach {folder}/cat.png")
        await type_and_send(pilot, f"look @{folder}/blob.bin")
        assert errors(app).count("it is a binary file") == 2
        # Nothing sent, the text given back to fix, the attached image still waiting.
        assert wire.chat_requests() == []
        assert tab.prompt.text == f"look @{folder}/blob.bin"
        assert len(tab.attachments) == 1


async def test_a_hostile_file_name_is_shown_as_text(wire: WireServer, tmp_path: Path) -> None:
    name = "[bold]loud[-] \x1b[31mred.txt"  # markup and an escape sequence (no '/' in a name)
    (tmp_path / name).write_text("x")
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await send_and_wait(pilot, f"/attach '{tmp_path}/{name}'")
        await send_and_wait(pilot, "read it")
        [message] = [m for m in active_tab_messages(app) if m.text == "read it"]
        shown = str(message.render())
        assert "📎 [bold]loud[-] ␛[31mred.txt 1 B" in shown


def test_snapshot_a_prompt_with_attachment_chips(
    snap_compare: Callable[..., bool],
    fixed_wire: WireServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(files(tmp_path))  # paths typed relative: the screen shows no tmp dir
    fixed_wire.enqueue(Reply(text=("A cat sitting on a list of errands.",)))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "/attach cat.png")
        await send_and_wait(pilot, "what is on @notes.txt and in this picture?")
        steady(pilot.app)  # type: ignore[arg-type]

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)
