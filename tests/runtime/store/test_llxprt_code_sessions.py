"""llxprt-code's recorded sessions (JSONL files written in its format): listed for this
project, rebuilt as its replay does, malformed lines skipped and counted, imported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from llxprt_runtime.store.llxprt_code_sessions import (
    RecordedSessionError,
    chats_dir,
    import_recorded_session,
    list_recorded_sessions,
    project_hash,
    read_recorded_session,
)
from llxprt_runtime.store.service import SessionStore
from tests.conftest import Dirs

PROJECT = Path("/home/someone/code/project")


def line(seq: int, kind: str, payload: object) -> str:
    return json.dumps(
        {"v": 1, "seq": seq, "ts": "2026-11-30T10:00:00.000Z", "type": kind, "payload": payload}
    )


def start(seq: int = 1, project: Path = PROJECT) -> str:
    return line(
        seq,
        "session_start",
        {
            "sessionId": "a1b2c3d4e5f6a7b8",
            "projectHash": project_hash(project),
            "provider": "anthropic",
            "model": "claude-sonnet-5",
            "startTime": "2026-11-30T10:00:00Z",
            "workspaceDirs": [str(PROJECT)],
        },
    )


def content(seq: int, speaker: str, text: str) -> str:
    return line(
        seq,
        "content",
        {"content": {"speaker": speaker, "blocks": [{"type": "text", "text": text}]}},
    )


def write(name: str, *lines: str) -> Path:
    folder = chats_dir(PROJECT)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_chats_dir_is_under_the_log_dir_by_project_hash(dirs: Dirs) -> None:
    assert chats_dir(PROJECT) == dirs.log / "tmp" / project_hash(PROJECT) / "chats"
    assert len(project_hash(PROJECT)) == 64


def test_history_is_rebuilt_as_llxprt_code_replays_it(dirs: Dirs) -> None:
    path = write(
        "session-2026-11-30T10-00-00-a1b2c3d4e5f6.jsonl",
        start(),
        content(2, "human", "first question\nmore"),
        content(3, "ai", "first answer"),
        content(4, "human", "second"),
        content(5, "ai", "second answer"),
        line(6, "rewind", {"itemsRemoved": 2}),
        content(7, "human", "third"),
        line(8, "provider_switch", {"provider": "openai", "model": "gpt-5"}),
        line(
            9,
            "content",
            {
                "content": {
                    "speaker": "ai",
                    "blocks": [
                        {"type": "thinking", "thought": "hmm", "isHidden": False},
                        {"type": "text", "text": "third answer"},
                        {"type": "code_execution_result", "output": "?"},
                    ],
                }
            },
        ),
    )
    session = read_recorded_session(path, PROJECT)
    assert [(c.speaker, c.text()) for c in session.history] == [
        ("human", "first question\nmore"),
        ("ai", "first answer"),
        ("human", "third"),
        ("ai", "third answer"),
    ]
    assert session.history[-1].thinking() == "hmm"
    assert (session.provider, session.model) == ("openai", "gpt-5")
    assert session.title == "first question"
    assert session.skipped_lines == 0


def test_compression_replaces_the_history_with_its_summary(dirs: Dirs) -> None:
    path = write(
        "session-2026-11-30T11-00-00-a1b2c3d4e5f6.jsonl",
        start(),
        content(2, "human", "long talk"),
        line(
            3,
            "compressed",
            {
                "summary": {
                    "speaker": "human",
                    "blocks": [{"type": "text", "text": "Summary: we talked."}],
                },
                "itemsCompressed": 1,
            },
        ),
        content(4, "ai", "after"),
    )
    history = read_recorded_session(path, PROJECT).history
    assert [c.text() for c in history] == ["Summary: we talked.", "after"]


def test_malformed_lines_are_skipped_and_counted(dirs: Dirs) -> None:
    path = write(
        "session-2026-11-30T12-00-00-a1b2c3d4e5f6.jsonl",
        start(),
        "{not json",
        line(3, "content", {"content": {"speaker": "robot", "blocks": []}}),
        json.dumps({"v": 1, "seq": -4, "type": "content", "payload": {}}),
        line(5, "rewind", {"itemsRemoved": "two"}),
        content(6, "human", "still here"),
        '{"v":1,"seq":7,"type":"content","payload":{"content":{"speaker":"ai","blo',  # crash
    )
    session = read_recorded_session(path, PROJECT)
    assert [c.text() for c in session.history] == ["still here"]
    assert session.skipped_lines == 5


def test_another_projects_file_or_a_special_file_is_refused(dirs: Dirs) -> None:
    other = write("session-2026-11-30T13-00-00-b1.jsonl", start(project=Path("/elsewhere")))
    with pytest.raises(RecordedSessionError, match="another project"):
        read_recorded_session(other, PROJECT)
    fifo = chats_dir(PROJECT) / "session-2026-11-30T14-00-00-c1.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(RecordedSessionError, match="not a regular file"):
        read_recorded_session(fifo, PROJECT)
    assert [s.path.name for s in list_recorded_sessions(PROJECT)] == []


def test_listing_is_newest_first_and_titled(dirs: Dirs) -> None:
    write("session-2026-11-29T09-00-00-a1b2c3d4e5f6.jsonl", start(), content(2, "human", "old"))
    write(
        "session-2026-11-30T09-00-00-a1b2c3d4e5f6.jsonl",
        start(),
        content(2, "human", "new"),
        line(3, "session_metadata", {"title": "Named by the user"}),
    )
    assert [s.title for s in list_recorded_sessions(PROJECT)] == ["Named by the user", "old"]
    assert list_recorded_sessions(Path("/no/such/project")) == []


async def test_import_makes_a_session_that_can_be_continued(dirs: Dirs, tmp_path: Path) -> None:
    path = write(
        "session-2026-11-30T10-00-00-a1b2c3d4e5f6.jsonl",
        start(),
        content(2, "human", "hello"),
        content(3, "ai", "hi"),
    )
    before = path.read_bytes()
    store = await SessionStore.open(tmp_path / "s.db")
    try:
        session_id = await import_recorded_session(store, read_recorded_session(path, PROJECT))
        record = await store.get_session(session_id)
        assert (record.kind, record.title, record.provider) == ("imported", "hello", "anthropic")
        assert [m.content.text() for m in await store.branch(session_id)] == ["hello", "hi"]
    finally:
        await store.close()
    assert path.read_bytes() == before
