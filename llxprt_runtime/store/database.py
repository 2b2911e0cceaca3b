"""SessionDatabase: the synchronous core of the session store (one sqlite3 connection).

Only `SessionStore` (store/service.py) calls it, from its one worker thread, so the event
loop never waits on SQLite. Every write is its own short transaction: a `kill -9` loses at
most the write in flight, and WAL lets a second llxprt process read and write meanwhile."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from llxprt_runtime.atomic import PRIVATE_FILE_MODE, ensure_private_dir
from llxprt_runtime.providers.content import ContentMetadata, IContent, TextBlock
from llxprt_runtime.store.codec import (
    ContentDecodeError,
    blocks_from_json,
    blocks_to_json,
    usage_from_json,
    usage_to_json,
)
from llxprt_runtime.store.records import (
    MESSAGE_STATES,
    MessageRecord,
    MessageState,
    SearchHit,
    SearchResult,
    SessionGoneError,
    SessionRecord,
    SessionSummary,
)
from llxprt_runtime.store.schema import check_not_newer, migrate
from llxprt_runtime.store.search import parse_search

DATABASE_NAME: Final = "sessions.db"
BUSY_TIMEOUT_MS: Final = 5000
TITLE_LENGTH: Final = 80
RANK_BUDGET_MS: Final = 40.0
# bm25 ranks every match before the first row comes back, in one step a progress handler
# cannot cut short: a word in 900,000 of 1,000,000 messages took 22 s. Above this many
# matches the newest are shown without ranking.
RANK_MATCH_LIMIT: Final = 5_000

# Columns a caller may change on a session (everything else is managed here).
_SESSION_FIELDS: Final = frozenset(
    {
        "title",
        "titled_by_user",
        "profile_name",
        "runtime_snapshot",
        "key_source",
        "system_prompt",
        "head_message_id",
        "tab_position",
        "parent_session_id",
        "parent_message_id",
        "kind",
        "prompt_history",
    }
)


@dataclass(frozen=True, slots=True)
class OpenedDatabase:
    database: SessionDatabase
    notice: str | None  # said once to the user (a corrupt file moved aside), or None


class SessionDatabase:
    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Any = time.time) -> None:
        self._conn = conn
        self.path = path
        self._clock = clock

    # --- opening ----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, clock: Any = time.time) -> OpenedDatabase:
        """Open (creating it 0600 in a 0700 dir) and migrate the database at `path`.

        A file that is not a usable database is moved aside as `<name>.corrupt-<timestamp>`
        (with its -wal/-shm) and a new one is started; the notice says so. OSError and
        sqlite3.OperationalError (read-only dir, full disk, locked) propagate."""
        ensure_private_dir(path.parent)
        try:
            return OpenedDatabase(cls._connect(path, clock), None)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and not _is_corruption(exc):
                raise
            return cls.start_over(path, exc, clock=clock)

    @classmethod
    def start_over(
        cls, path: Path, problem: Exception, *, clock: Any = time.time
    ) -> OpenedDatabase:
        """Move the unreadable database at `path` aside (with its -wal/-shm) and open a new
        one; the notice says so. Its connection must be closed first."""
        aside = _move_aside(path, clock())
        database = cls._connect(path, clock)
        notice = (
            f"The session database could not be read ({problem}); it was moved aside as "
            f"{aside.name} and a new one was started."
        )
        return OpenedDatabase(database, notice)

    @classmethod
    def _connect(cls, path: Path, clock: Any) -> SessionDatabase:
        if not path.exists():
            # Created 0600 before SQLite opens it: it would otherwise follow the umask.
            fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
            os.close(fd)
        elif path.is_symlink() or not path.is_file():
            raise sqlite3.DatabaseError(f"{path} is not a regular file")
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            check_not_newer(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)
            # A cheap check, whatever the file's size: the header and the whole schema are
            # read (a file that is not a database, or a damaged schema, fails here). A full
            # check (PRAGMA quick_check) reads every page: 6.6 s for 1 GB, and restoring
            # waited for it. Damage further in is met by the query that reads it, and the
            # store starts over then (SessionStore._run).
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            conn.close()
            raise
        for suffix in ("-wal", "-shm"):  # SQLite creates them with the umask's mode
            with contextlib.suppress(OSError):
                Path(f"{path}{suffix}").chmod(PRIVATE_FILE_MODE)
        return cls(conn, path, clock)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("PRAGMA optimize")
        self._conn.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # --- sessions ---------------------------------------------------------------------------

    def create_session(self, **fields: Any) -> SessionRecord:
        session_id = uuid.uuid4().hex
        now = self._clock()
        values = _session_values(fields)
        columns = ["id", "created_at", "updated_at", *values]
        with self._transaction() as conn:
            conn.execute(
                f"INSERT INTO sessions ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})",
                (session_id, now, now, *values.values()),
            )
        return self.get_session(session_id)

    def update_session(self, session_id: str, **fields: Any) -> None:
        """Change a session's fields. Its last activity (`updated_at`) stays: that is when
        something was last said in it, not when a setting or its prompt history was saved."""
        values = _session_values(fields)
        if not values:
            return
        assignments = ", ".join(f"{column} = ?" for column in values)
        with self._transaction() as conn:
            conn.execute(
                f"UPDATE sessions SET {assignments} WHERE id = ?",
                (*values.values(), session_id),
            )

    def rename_session(self, session_id: str, title: str) -> None:
        self.update_session(session_id, title=title.strip()[:TITLE_LENGTH], titled_by_user=True)

    def get_session(self, session_id: str) -> SessionRecord:
        row = self._conn.execute(f"{_SESSION_SELECT} WHERE s.id = ?", (session_id,)).fetchone()
        if row is None:
            raise KeyError(session_id)
        return _session(row)

    def list_sessions(
        self, text: str = "", limit: int = 1000, *, include_empty: bool = False
    ) -> list[SessionSummary]:
        """Newest first; `text` filters on the title, provider or model (case-insensitive).
        A session nothing was said in (a tab that only ran commands) is not a conversation:
        left out unless renamed or `include_empty`."""
        pattern = f"%{_escape_like(text.strip().lower())}%"
        conditions = [] if include_empty else ["(message_count > 0 OR titled_by_user)"]
        if text.strip():
            conditions.append(
                "(lower(title) LIKE ?1 ESCAPE '\\' OR lower(coalesce(provider, '')) "
                "LIKE ?1 ESCAPE '\\' OR lower(coalesce(model, '')) LIKE ?1 ESCAPE '\\')"
            )
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        rows = self._conn.execute(
            "SELECT * FROM (SELECT id, title, created_at, updated_at, "
            "json_extract(runtime_snapshot, '$.provider') AS provider, "
            "json_extract(runtime_snapshot, '$.model') AS model, message_count, "
            "tab_position IS NOT NULL, kind, titled_by_user, rowid AS r FROM sessions) "
            f"{where}ORDER BY updated_at DESC, r DESC LIMIT ?2",
            (pattern, limit),
        ).fetchall()
        return [SessionSummary(*row[:9]) for row in rows]

    def delete_session(self, session_id: str) -> None:
        """Rows gone (messages and their index entries too), overwritten on disk
        (secure_delete), not merely hidden."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM messages WHERE session_id = ?", (session_id,))
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            # FTS5 records a deletion as a marker beside the old index segment; merging the
            # segments drops the old terms, and secure_delete zeroes the freed pages.
            conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
        # Old page versions live on in the WAL until a checkpoint: write them back now.
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- open tabs ----------------------------------------------------------------------------

    def claim_open_tabs(self, owner: str, owner_alive: Any) -> list[SessionRecord]:
        """Sessions that were open as tabs in a process that is gone, in tab order, now
        owned by `owner`. A session open in a live process stays with it."""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT id, owner_token FROM sessions WHERE tab_position IS NOT NULL "
                "ORDER BY tab_position"
            ).fetchall()
            claimed = [sid for sid, token in rows if token is None or not owner_alive(token)]
            for sid in claimed:
                conn.execute("UPDATE sessions SET owner_token = ? WHERE id = ?", (owner, sid))
                conn.execute(
                    "UPDATE messages SET state = 'interrupted' "
                    "WHERE session_id = ? AND state = 'streaming'",
                    (sid,),
                )
        return [self.get_session(sid) for sid in claimed]

    def set_open(self, session_id: str, owner: str, position: int | None) -> None:
        """Mark a session as open in tab `position` of `owner`, or closed (None)."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE sessions SET tab_position = ?, owner_token = ? WHERE id = ?",
                (position, owner if position is not None else None, session_id),
            )

    def release_open_tabs(self, owner: str) -> None:
        """A clean exit: the open tabs stay marked (the next start restores them) but no
        longer belong to `owner`, so even a process that reuses its identity claims them."""
        with self._transaction() as conn:
            conn.execute("UPDATE sessions SET owner_token = NULL WHERE owner_token = ?", (owner,))

    # --- messages ---------------------------------------------------------------------------

    def add_message(
        self,
        session_id: str,
        content: IContent,
        *,
        state: MessageState = "complete",
        parent_id: int | None = None,
        at_start: bool = False,
        first_token_ms: float | None = None,
        duration_ms: float | None = None,
    ) -> int:
        """Append a message after `parent_id` (default: the session's head; `at_start`: as a
        first message, a new branch from the start) and make it the head. The first human
        message titles an untitled session."""
        _check_state(state)
        now = self._clock()
        meta = content.metadata
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT head_message_id, title FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is None:
                raise SessionGoneError(session_id)
            head, title = row
            parent = None if at_start else parent_id if parent_id is not None else head
            cursor = conn.execute(
                "INSERT INTO messages (session_id, parent_id, speaker, blocks, text, provider, "
                "model, usage, finish_reason, first_token_ms, duration_ms, state, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    parent,
                    content.speaker,
                    json.dumps(blocks_to_json(content.blocks), ensure_ascii=False),
                    _searchable_text(content),
                    meta.provider,
                    meta.model,
                    _json_or_none(usage_to_json(meta.usage)),
                    meta.finish_reason,
                    first_token_ms,
                    duration_ms,
                    state,
                    now,
                    now,
                ),
            )
            message_id = int(cursor.lastrowid or 0)
            new_title = title
            if not title and content.speaker == "human":
                new_title = _title_from(content.text())
            conn.execute(
                "UPDATE sessions SET head_message_id = ?, title = ?, updated_at = ? WHERE id = ?",
                (message_id, new_title, now, session_id),
            )
        return message_id

    def update_message(
        self,
        message_id: int,
        content: IContent,
        *,
        state: MessageState,
        first_token_ms: float | None = None,
        duration_ms: float | None = None,
    ) -> None:
        """Replace a (streaming) message's blocks and state: called as a reply streams and at
        its end."""
        _check_state(state)
        now = self._clock()
        meta = content.metadata
        with self._transaction() as conn:
            conn.execute(
                "UPDATE messages SET blocks = ?, text = ?, provider = coalesce(?, provider), "
                "model = coalesce(?, model), usage = ?, finish_reason = ?, "
                "first_token_ms = coalesce(?, first_token_ms), "
                "duration_ms = coalesce(?, duration_ms), state = ?, updated_at = ? "
                "WHERE id = ?",
                (
                    json.dumps(blocks_to_json(content.blocks), ensure_ascii=False),
                    _searchable_text(content),
                    meta.provider,
                    meta.model,
                    _json_or_none(usage_to_json(meta.usage)),
                    meta.finish_reason,
                    first_token_ms,
                    duration_ms,
                    state,
                    now,
                    message_id,
                ),
            )
            conn.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = "
                "(SELECT session_id FROM messages WHERE id = ?)",
                (now, message_id),
            )

    def delete_message(self, message_id: int) -> None:
        """Remove a message and everything after it on its branch; the head moves back to its
        parent (a reply that failed before any output)."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT session_id, parent_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return
            session_id, parent_id = row
            conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            conn.execute(
                "UPDATE sessions SET head_message_id = ? WHERE id = ? AND "
                "(head_message_id IS NULL OR head_message_id NOT IN "
                "(SELECT id FROM messages WHERE session_id = ?))",
                (parent_id, session_id, session_id),
            )

    def branch(self, session_id: str, message_id: int | None = None) -> list[MessageRecord]:
        """The conversation on screen: the path from the first message to `message_id`
        (default: the session's head)."""
        if message_id is None:
            message_id = self.get_session(session_id).head_message_id
        if message_id is None:
            return []
        rows = self._conn.execute(
            "WITH RECURSIVE path(id, depth) AS ("
            "  SELECT id, 0 FROM messages WHERE id = ? AND session_id = ?"
            "  UNION ALL SELECT m.parent_id, p.depth + 1 FROM messages m JOIN path p "
            "  ON m.id = p.id WHERE m.parent_id IS NOT NULL"
            f") SELECT {_MESSAGE_COLUMNS} FROM path JOIN messages m ON m.id = path.id "
            "ORDER BY path.depth DESC",
            (message_id, session_id),
        ).fetchall()
        return [_message(row) for row in rows]

    def tree(self, session_id: str) -> list[MessageRecord]:
        """Every message of the session, every branch, oldest first (parents before their
        children)."""
        rows = self._conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.session_id = ? ORDER BY m.id",
            (session_id,),
        ).fetchall()
        return [_message(row) for row in rows]

    def children(self, message_id: int) -> list[int]:
        """The replies (siblings of one another) that follow `message_id`, oldest first."""
        rows = self._conn.execute(
            "SELECT id FROM messages WHERE parent_id = ? ORDER BY id", (message_id,)
        ).fetchall()
        return [int(row[0]) for row in rows]

    # --- search -------------------------------------------------------------------------------

    def search(
        self,
        text: str,
        limit: int = 50,
        *,
        rank_budget_ms: float = RANK_BUDGET_MS,
        rank_match_limit: int = RANK_MATCH_LIMIT,
    ) -> SearchResult:
        """Every stored message matching `text` (see store/search.py: words, "phrases",
        prefix*, provider:/model:/before:/after: filters), best first (bm25).

        Ranking reads every match, so when the query may match more than
        `rank_match_limit` messages, or ranking takes over `rank_budget_ms`, the newest
        matches are returned instead (`ranked` False): the search box never waits seconds.
        With only filters, newest first. Raises SearchQueryError for a bad filter."""
        query = parse_search(text)
        where: list[str] = []
        params: list[object] = []
        for clause, value in (
            ("m.provider = ?", query.provider),
            ("m.model = ?", query.model),
            ("m.created_at < ?", query.before),
            ("m.created_at >= ?", query.after),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        if not query.match:
            if not where:
                return SearchResult([], ranked=True)
            rows = self._conn.execute(
                "SELECT m.id, m.session_id, s.title, m.speaker, substr(m.text, 1, 80), "
                "m.created_at, m.provider, m.model FROM messages m JOIN sessions s "
                f"ON s.id = m.session_id WHERE {' AND '.join(where)} "
                "ORDER BY m.created_at DESC LIMIT ?",
                [*params, limit],
            ).fetchall()
            return SearchResult([SearchHit(*row) for row in rows], ranked=False)
        filters = "".join(f"AND {clause} " for clause in where)
        ranked = not self._matches_over(query.match, rank_match_limit)
        if ranked:
            try:
                with self._deadline(rank_budget_ms):
                    rows = self._match(query.match, "rank", filters, params, limit)
            except sqlite3.OperationalError as exc:
                if "interrupted" not in str(exc):
                    raise
                ranked = False
        if not ranked:
            rows = self._match(query.match, "rowid DESC", filters, params, limit)
        return SearchResult([SearchHit(*row) for row in rows], ranked=ranked)

    def _matches_over(self, match: str, limit: int) -> bool:
        """Does `match` match more than `limit` messages? Unranked, FTS5 hands matches out
        one by one, so this reads at most limit + 1 of them."""
        row = self._conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? "
            "LIMIT ?)",
            (match, limit + 1),
        ).fetchone()
        return int(row[0]) > limit

    def _match(
        self, match: str, order: str, filters: str, params: list[object], limit: int
    ) -> list[Any]:
        # Without filters FTS5 orders and limits inside the index, so only the hits shown are
        # joined and get a snippet; filters must apply before the limit. Unranked, `rank` is
        # not read: bm25 counts the messages holding each word first (every match, 0.5 s
        # for a word in most of 1,000,000 messages).
        rank = "rank" if order == "rank" else "NULL"
        hits = (
            "SELECT rowid AS id, snippet(messages_fts, 0, '\x02', '\x03', '…', 12) AS snip, "
            f"{rank} AS rank FROM messages_fts WHERE messages_fts MATCH ? ORDER BY {order} "
            "LIMIT ?"
        )
        if filters:
            hits = (
                "SELECT f.rowid AS id, snippet(messages_fts, 0, '\x02', '\x03', '…', 12) AS "
                f"snip, {rank} AS rank FROM messages_fts f JOIN messages m ON m.id = f.rowid "
                f"WHERE messages_fts MATCH ? {filters}ORDER BY f.{order} LIMIT ?"
            )
        return self._conn.execute(
            f"WITH hits AS ({hits}) SELECT m.id, m.session_id, s.title, m.speaker, hits.snip, "
            "m.created_at, m.provider, m.model FROM hits JOIN messages m ON m.id = hits.id "
            f"JOIN sessions s ON s.id = m.session_id ORDER BY {_outer_order(order)}",
            [match, *params, limit],
        ).fetchall()

    @contextlib.contextmanager
    def _deadline(self, budget_ms: float) -> Iterator[None]:
        deadline = time.perf_counter() + budget_ms / 1000.0
        self._conn.set_progress_handler(lambda: int(time.perf_counter() > deadline), 1000)
        try:
            yield
        finally:
            self._conn.set_progress_handler(None, 0)


# --- helpers --------------------------------------------------------------------------------

_SESSION_SELECT: Final = (
    "SELECT s.id, s.title, s.created_at, s.updated_at, s.profile_name, s.runtime_snapshot, "
    "s.key_source, s.system_prompt, s.head_message_id, s.tab_position, s.parent_session_id, "
    "s.parent_message_id, s.kind, s.prompt_history, s.message_count, "
    "json_extract(s.runtime_snapshot, '$.provider'), json_extract(s.runtime_snapshot, "
    "'$.model'), s.titled_by_user FROM sessions s"
)

_MESSAGE_COLUMNS: Final = (
    "m.id, m.session_id, m.parent_id, m.speaker, m.blocks, m.state, m.created_at, "
    "m.provider, m.model, m.usage, m.finish_reason, m.first_token_ms, m.duration_ms"
)


def _outer_order(order: str) -> str:
    return "hits.rank" if order == "rank" else "m.id DESC"


def _session(row: Sequence[Any]) -> SessionRecord:
    history = _json_list(row[13])
    return SessionRecord(
        id=row[0],
        title=row[1],
        created_at=row[2],
        updated_at=row[3],
        profile_name=row[4],
        runtime_snapshot=row[5],
        key_source=row[6],
        system_prompt=row[7],
        head_message_id=row[8],
        tab_position=row[9],
        parent_session_id=row[10],
        parent_message_id=row[11],
        kind=row[12],
        prompt_history=tuple(item for item in history if isinstance(item, str)),
        message_count=int(row[14]),
        provider=row[15] if isinstance(row[15], str) else None,
        model=row[16] if isinstance(row[16], str) else None,
        titled_by_user=bool(row[17]),
    )


def _message(row: Sequence[Any]) -> MessageRecord:
    try:
        blocks = blocks_from_json(json.loads(row[4]))
    except (ValueError, ContentDecodeError):
        blocks = (TextBlock("[this message could not be read from the session database]"),)
    usage = usage_from_json(json.loads(row[9])) if row[9] else None
    finish = row[10] if row[10] in ("stop", "length", "tool_calls", "content_filter") else None
    content = IContent(row[3], blocks, ContentMetadata(usage, finish, row[8], row[7]))
    return MessageRecord(
        id=row[0],
        session_id=row[1],
        parent_id=row[2],
        content=content,
        state=row[5],
        created_at=row[6],
        provider=row[7],
        model=row[8],
        first_token_ms=row[11],
        duration_ms=row[12],
    )


def _session_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - _SESSION_FIELDS
    if unknown:
        raise TypeError(f"unknown session fields: {', '.join(sorted(unknown))}")
    values = dict(fields)
    if "prompt_history" in values:
        values["prompt_history"] = json.dumps(list(values["prompt_history"]), ensure_ascii=False)
    if "titled_by_user" in values:
        values["titled_by_user"] = int(bool(values["titled_by_user"]))
    return values


def _searchable_text(content: IContent) -> str:
    parts = [content.text(), content.thinking()]
    parts += [call.name for call in content.tool_calls()]
    return "\n".join(part for part in parts if part)


def _title_from(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:TITLE_LENGTH]


def _json_or_none(value: object) -> str | None:
    return None if value is None else json.dumps(value)


def _json_list(raw: object) -> list[object]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_state(state: str) -> None:
    if state not in MESSAGE_STATES:
        raise ValueError(f"unknown message state {state!r}")


def _is_corruption(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return is_corruption(exc) or any(
        phrase in text for phrase in ("not a database", "malformed", "corrupt")
    )


# SQLite's primary result codes for a damaged file (its extended codes share the low byte).
_SQLITE_CORRUPT: Final = 11
_SQLITE_NOTADB: Final = 26


def is_corruption(exc: BaseException) -> bool:
    """Whether a query failed because the file is damaged (by SQLite's error code: a message
    such as "malformed JSON" from json_extract is not damage)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def _move_aside(path: Path, now: float) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            os.replace(side, Path(f"{aside}{suffix}"))
    return aside
