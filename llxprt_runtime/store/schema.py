"""The session database's schema, as forward migrations.

`PRAGMA user_version` is the number of migrations applied. A migration is never edited once
released: a change is a new entry at the end, and tests migrate a database from every earlier
version (tests/runtime/store/test_schema.py)."""

from __future__ import annotations

import sqlite3
from typing import Final

# Version 1: sessions, messages as a tree (parent_id, so a conversation can branch), and a
# full-text index over message text and a per-session message count, kept by triggers.
_V1: Final = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    titled_by_user INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    profile_name TEXT,
    runtime_snapshot TEXT,
    key_source TEXT,
    system_prompt TEXT,
    head_message_id INTEGER,
    tab_position INTEGER,
    owner_pid INTEGER,
    owner_token TEXT,
    parent_session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    parent_message_id INTEGER,
    kind TEXT NOT NULL DEFAULT 'chat',
    prompt_history TEXT NOT NULL DEFAULT '[]',
    message_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_update ON sessions(updated_at DESC);
CREATE INDEX sessions_by_tab ON sessions(tab_position) WHERE tab_position IS NOT NULL;

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    speaker TEXT NOT NULL CHECK (speaker IN ('human', 'ai', 'tool')),
    blocks TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    provider TEXT,
    model TEXT,
    usage TEXT,
    finish_reason TEXT,
    first_token_ms REAL,
    duration_ms REAL,
    state TEXT NOT NULL
        CHECK (state IN ('complete', 'streaming', 'partial', 'cancelled', 'failed',
                         'interrupted')),
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX messages_by_session ON messages(session_id, id);
CREATE INDEX messages_by_parent ON messages(parent_id);

CREATE VIRTUAL TABLE messages_fts USING fts5(
    text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    UPDATE sessions SET message_count = message_count + 1 WHERE id = new.session_id;
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    UPDATE sessions SET message_count = message_count - 1 WHERE id = old.session_id;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
END;
"""

MIGRATIONS: Final[tuple[str, ...]] = (_V1,)
SCHEMA_VERSION: Final = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    """The database was written by a newer llxprt; it is left untouched."""


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_not_newer(conn: sqlite3.Connection) -> int:
    """The database's version; SchemaTooNewError if a newer llxprt wrote it. Called before
    anything writes to the file (even switching it to WAL rewrites its header)."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"the session database has schema version {version}, newer than this llxprt "
            f"({SCHEMA_VERSION}); it is left as it is"
        )
    return version


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration this database lacks, each in its own transaction; returns the
    version it started at. Raises SchemaTooNewError for a database from a newer llxprt."""
    start = check_not_newer(conn)
    while True:
        # The version is read again under the write lock: a second llxprt starting at the
        # same moment waits here (busy_timeout) for the first's migration, then sees it done
        # (it used to run it again and fail: "table sessions already exists").
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = check_not_newer(conn)
            if version < SCHEMA_VERSION:
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if version >= SCHEMA_VERSION - 1:
            return start


def _statements(script: str) -> list[str]:
    """A migration's statements one by one (executescript would commit the transaction
    first); sqlite3.complete_statement knows a trigger's BEGIN ... END."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    if pending.strip():
        statements.append(pending)  # not a whole statement: execute() says what is wrong
    return statements
