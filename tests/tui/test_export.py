"""/export never destroys a file (issue 11 item 17) and writes a header, role headings, or
the conversation as IContent JSON (issue 12)."""

from __future__ import annotations

import json
import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from llxprt_runtime.store.codec import content_from_json
from tests.tui.conftest import SIZE, errors, make_app, notices, send_and_wait
from tests.wire.server import Reply, WireServer


async def _export(wire: WireServer, *commands: str) -> tuple[str, str]:
    """Chat once, run the commands; the notices and errors shown."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "hello")
        for command in commands:
            await send_and_wait(pilot, command)
        return notices(app), errors(app)


async def test_a_symlink_target_is_refused(tmp_path: Path, wire: WireServer) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "chat.md"
    link.symlink_to(victim)
    _, shown = await _export(wire, f"/export {link}")
    assert "symbolic link" in shown and str(link) in shown
    assert victim.read_text() == "precious" and link.is_symlink()


async def test_an_existing_file_is_kept_and_a_numbered_name_used(
    tmp_path: Path, wire: WireServer
) -> None:
    existing = tmp_path / "chat.md"
    existing.write_text("yesterday's notes")
    (tmp_path / "chat-2.md").write_text("more notes")
    shown, _ = await _export(wire, f"/export {existing}")
    assert existing.read_text() == "yesterday's notes"
    assert (tmp_path / "chat-2.md").read_text() == "more notes"
    assert "## You\n\nhello" in (tmp_path / "chat-3.md").read_text()
    assert f"{existing} exists, so the conversation was exported to {tmp_path / 'chat-3.md'}" in (
        shown
    )


async def test_missing_folders_are_not_created(tmp_path: Path, wire: WireServer) -> None:
    target = tmp_path / "no" / "such" / "chat.md"
    _, shown = await _export(wire, f"/export {target}")
    assert f"the folder {tmp_path / 'no' / 'such'} does not exist" in shown
    assert not (tmp_path / "no").exists()


async def test_the_folder_is_left_as_it_is(tmp_path: Path, wire: WireServer) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    await _export(wire, f"/export {folder / 'chat.md'}")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # not tightened to 0700
    assert [p.name for p in folder.iterdir()] == ["chat.md"]  # no temp file left


async def test_markdown_has_a_header_and_role_headings(tmp_path: Path, wire: WireServer) -> None:
    wire.enqueue(Reply(text=("Hi ", "there")))
    target = tmp_path / "chat.md"
    await _export(wire, "/rename research", f"/export {target}")
    lines = target.read_text().splitlines()
    assert lines[0] == "# research"
    header = re.fullmatch(r"Exported (\S+ \S+ UTC) · provider: openai · model: gpt-5", lines[2])
    assert header is not None, lines[:4]
    exported = datetime.strptime(header.group(1), "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - exported).total_seconds()) < 24 * 3600
    text = "\n".join(lines)
    assert "## You\n\nhello\n\n## Assistant\n\nHi there" in text


async def test_json_is_the_conversation_as_icontent(tmp_path: Path, wire: WireServer) -> None:
    wire.enqueue(Reply(text=("Hi ", "there"), thinking=("hm",), prompt_tokens=3))
    target = tmp_path / "chat.json"
    shown, _ = await _export(wire, f"/export --format json {target}")
    data = json.loads(target.read_text())
    assert data["title"] == "tab 1" and data["provider"] == "openai" and data["model"] == "gpt-5"
    assert datetime.fromisoformat(data["exportedAt"]).tzinfo is not None
    history = [content_from_json(m) for m in data["messages"]]
    assert [c.speaker for c in history] == ["human", "ai"]
    assert history[0].text() == "hello" and history[1].text() == "Hi there"
    assert history[1].thinking() == "hm" and history[1].metadata.usage is not None
    assert f"Conversation exported to {target}" in shown
    assert oct(target.stat().st_mode & 0o777) == "0o600"


async def test_json_by_default_name(
    tmp_path: Path, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    await _export(wire, "/export --format json")
    assert json.loads((tmp_path / "llxprt-conversation.json").read_text())["messages"]
