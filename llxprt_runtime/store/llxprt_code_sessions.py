"""llxprt-code's recorded sessions: found, read and imported (never written).

llxprt-code records each session as JSON lines under
`<log dir>/tmp/<sha256 of the project root>/chats/session-<time>-<id>.jsonl`, one event per
line: `{"v": 1, "seq": N, "ts": "...", "type": "...", "payload": {...}}`. The history is
rebuilt the way llxprt-code replays it: `content` appends an IContent, `compressed` replaces
the history with its summary, `rewind` drops the last `itemsRemoved` entries. Lines that are
not JSON or not a well-formed event are skipped and counted, never fatal."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from llxprt_runtime import paths
from llxprt_runtime.providers.content import ContentBlock, ContentMetadata, IContent
from llxprt_runtime.store.codec import ContentDecodeError, block_from_json

if TYPE_CHECKING:
    from llxprt_runtime.store.service import SessionStore

MAX_FILE_BYTES: Final = 64 * 1024 * 1024
HEADER_BYTES: Final = 256 * 1024  # how far a listing reads into a file for its title


class RecordedSessionError(Exception):
    """A recorded session that cannot be used at all (unreadable, or another project's)."""


@dataclass(frozen=True, slots=True)
class RecordedSession:
    path: Path
    session_id: str
    provider: str | None
    model: str | None
    start_time: str | None
    title: str
    history: tuple[IContent, ...] = ()
    skipped_lines: int = 0
    warnings: tuple[str, ...] = field(default=())


def project_hash(project_root: Path) -> str:
    return hashlib.sha256(str(project_root).encode("utf-8")).hexdigest()


def chats_dir(project_root: Path) -> Path:
    return paths.log_dir() / "tmp" / project_hash(project_root) / "chats"


def list_recorded_sessions(project_root: Path) -> list[RecordedSession]:
    """The project's recorded sessions, newest first, with titles but no history (cheap)."""
    folder = chats_dir(project_root)
    try:
        candidates = sorted(folder.glob("session-*.jsonl"), reverse=True)
    except OSError:
        return []
    found: list[RecordedSession] = []
    for path in candidates:
        try:
            found.append(_replay(path, project_hash(project_root), limit=HEADER_BYTES))
        except RecordedSessionError:
            continue  # listed nowhere rather than breaking the list
    return found


def read_recorded_session(path: Path, project_root: Path) -> RecordedSession:
    """The whole session rebuilt; RecordedSessionError when it cannot be read at all."""
    return _replay(path, project_hash(project_root), limit=MAX_FILE_BYTES)


def _replay(path: Path, expected_hash: str, *, limit: int) -> RecordedSession:
    history: list[IContent] = []
    meta: dict[str, Any] = {}
    title = ""
    skipped = 0
    warnings: list[str] = []
    last_seq = -1
    for number, line in enumerate(_lines(path, limit), start=1):
        if not line.strip():
            continue
        event = _event(line)
        if event is None:
            skipped += 1
            warnings.append(f"line {number}: not a session event")
            continue
        seq, kind, payload = event
        if seq <= last_seq:
            warnings.append(f"line {number}: sequence {seq} after {last_seq}")
        last_seq = max(last_seq, seq)
        if kind == "session_start":
            if number != 1:
                warnings.append(f"line {number}: session_start after line 1")
                continue
            if payload.get("projectHash") != expected_hash:
                raise RecordedSessionError(f"{path.name} belongs to another project")
            meta = {
                key: payload.get(key) for key in ("sessionId", "provider", "model", "startTime")
            }
        elif kind == "content":
            content = _content(payload.get("content"))
            if content is None:
                skipped += 1
                warnings.append(f"line {number}: malformed content event")
                continue
            history.append(content)
            if not title and content.speaker == "human" and content.text().strip():
                title = content.text().strip().splitlines()[0][:80]
        elif kind == "compressed":
            summary = _content(payload.get("summary"))
            if summary is None:
                skipped += 1
                continue
            history = [summary]
        elif kind == "rewind":
            removed = payload.get("itemsRemoved")
            if not isinstance(removed, int) or isinstance(removed, bool) or removed < 0:
                skipped += 1
                continue
            history = history[: max(0, len(history) - removed)]
        elif kind == "provider_switch" and isinstance(payload.get("provider"), str):
            meta["provider"], meta["model"] = payload.get("provider"), payload.get("model")
        elif kind == "session_metadata" and isinstance(payload.get("title"), str):
            title = payload["title"]
    if not meta:
        raise RecordedSessionError(f"{path.name} has no session_start line")
    return RecordedSession(
        path=path,
        session_id=_text(meta.get("sessionId")) or path.stem,
        provider=_text(meta.get("provider")),
        model=_text(meta.get("model")),
        start_time=_text(meta.get("startTime")),
        title=title or path.stem,
        history=tuple(history),
        skipped_lines=skipped,
        warnings=tuple(warnings),
    )


def _lines(path: Path, limit: int) -> Iterator[str]:
    """A regular file's lines, reading at most `limit` bytes (a line cut there is dropped)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise RecordedSessionError(f"cannot read {path.name}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise RecordedSessionError(f"{path.name} is not a regular file")
        data = handle.read(limit + 1)
    complete = len(data) <= limit
    text = data[:limit].decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.split("\n")
    if not complete:
        lines = lines[:-1]
    yield from lines


def _event(line: str) -> tuple[int, str, Mapping[str, Any]] | None:
    try:
        parsed = json.loads(line)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    seq, kind, payload = parsed.get("seq"), parsed.get("type"), parsed.get("payload")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        return None
    if not isinstance(kind, str) or not isinstance(payload, dict):
        return None
    return seq, kind, payload


def _content(value: object) -> IContent | None:
    if not isinstance(value, dict) or value.get("speaker") not in ("human", "ai", "tool"):
        return None
    raw_blocks = value.get("blocks")
    if not isinstance(raw_blocks, list):
        return None
    blocks: list[ContentBlock] = []
    for raw in raw_blocks:
        try:
            blocks.append(block_from_json(raw))
        except ContentDecodeError:
            continue  # a block kind llxprt does not show (e.g. code execution): left out
    meta = value.get("metadata")
    model = meta.get("model") if isinstance(meta, dict) else None
    metadata = ContentMetadata(model=model if isinstance(model, str) else None)
    return IContent(value["speaker"], tuple(blocks), metadata)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


async def import_recorded_session(store: SessionStore, recorded: RecordedSession) -> str:
    """Copy a recorded session into the store as a new session (kind `imported`) that can
    be continued here; the JSONL file is only read. Returns the new session's id."""
    snapshot = json.dumps(
        {"version": 1, "provider": recorded.provider or "", "model": recorded.model or ""}
    )
    session = await store.create_session(
        title=recorded.title, kind="imported", runtime_snapshot=snapshot
    )
    for content in recorded.history:
        await store.add_message(session.id, content)
    return session.id
