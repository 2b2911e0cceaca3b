"""Damage a session database the way a disk error would: one table's pages, not its header."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def damage_table(path: Path, table: str) -> None:
    """Garbage over `table`'s root page (the header and the schema stay whole, so the file
    opens): the first query that reads the table finds the file malformed. Call it with the
    file closed, or with no connection having read that table yet (no page of it cached)."""
    conn = sqlite3.connect(path)
    try:
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        page = int(root.fetchone()[0])
    finally:
        conn.close()
    with path.open("r+b") as file:
        file.seek((page - 1) * page_size)
        file.write(b"\xff" * page_size)
