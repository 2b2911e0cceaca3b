"""Benchmark the session store: search over 1,000,000 messages, listing 10,000 sessions,
opening that database (~1 GB).

The database is generated once (10,000 sessions of 100 messages, text drawn from a Zipf-like
vocabulary so words range from everywhere to rare) and kept in the bench cache dir, so later
runs measure only the queries. Each figure runs through the store's real code path
(SessionDatabase.search / list_sessions); its floor is the least SQLite can do for the same
answer on the same file in the same run (a bare FTS5 MATCH with no ranking, join or snippet;
a bare `SELECT id ... ORDER BY updated_at`; for opening, a bare connect that reads the header).

Run: .venv/bin/python -m bench.store [--runs 5] [--messages 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import Figure, print_table  # noqa: E402
from llxprt_runtime.store.database import SessionDatabase  # noqa: E402
from llxprt_runtime.store.search import parse_search  # noqa: E402

SESSIONS = 10_000
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "pe", "zu", "dor", "fen", "gul")
QUERIES = (
    "kalo",  # among the most common words
    "kalo mine",
    "ruvi*",
    '"kalo mine"',
    "zugul",  # a rare word
    "dorfen pesa",
    "kalo provider:anthropic",
    "tosa model:gpt-5",
)


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    # Pin the query words to ranks so their frequency is known: common, middling, rare.
    for rank, word in ((0, "kalo"), (1, "mine"), (40, "tosa"), (300, "dorfen"), (301, "pesa")):
        ordered.remove(word) if word in ordered else None
        ordered.insert(rank, word)
    ordered.remove("zugul") if "zugul" in ordered else None
    ordered.append("zugul")
    return ordered


def build(path: Path, messages: int) -> None:
    rng = random.Random(42)
    words = vocabulary(8_000, rng)  # of ~31,000 possible words
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    opened = SessionDatabase.open(path)
    conn = opened.database._conn
    per_session = max(1, messages // SESSIONS)
    providers = (
        ("openai", "gpt-5"),
        ("anthropic", "claude-sonnet-5"),
        ("gemini", "gemini-2.5-pro"),
    )
    conn.execute("BEGIN")
    message_id = 0
    for n in range(SESSIONS):
        provider, model = providers[n % 3]
        session_id = f"s{n:05d}"
        created = 1_700_000_000 + n * 600
        snapshot = json.dumps({"version": 1, "provider": provider, "model": model})
        conn.execute(
            "INSERT INTO sessions (id, title, created_at, updated_at, runtime_snapshot) "
            "VALUES (?, ?, ?, ?, ?)",
            (session_id, f"session {n}", created, created + 500, snapshot),
        )
        rows = []
        for m in range(per_session):
            message_id += 1
            text = " ".join(rng.choices(words, weights, k=rng.randint(10, 60)))
            speaker = "human" if m % 2 == 0 else "ai"
            blocks = json.dumps([{"type": "text", "text": text}])
            rows.append(
                (
                    message_id,
                    session_id,
                    message_id - 1 if m else None,
                    speaker,
                    blocks,
                    text,
                    provider if speaker == "ai" else None,
                    model if speaker == "ai" else None,
                    "complete",
                    created + m,
                    created + m,
                )
            )
        conn.executemany(
            "INSERT INTO messages (id, session_id, parent_id, speaker, blocks, text, provider, "
            "model, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.execute("COMMIT")
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
    opened.database.close()


def timed(fn: object, *args: object) -> float:
    started = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000.0


def bare_open(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version").fetchone()
    conn.close()


def measure(runs: int, messages: int = 1_000_000) -> list[Figure]:
    from llxprt_runtime import paths

    cache = paths.cache_dir() / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"store-{messages}.db"
    if not path.exists():
        began = time.perf_counter()
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        build(building, messages)
        building.rename(path)
        print(f"built {path} ({messages:,} messages) in {time.perf_counter() - began:.0f} s")
    open_ms: list[float] = []
    open_floor: list[float] = []
    for _ in range(runs):
        open_ms.append(timed(lambda: SessionDatabase.open(path).database.close()))
        open_floor.append(timed(bare_open, path))
    database = SessionDatabase.open(path).database
    floor = sqlite3.connect(path)
    search_ms: list[float] = []
    search_floor: list[float] = []
    list_ms: list[float] = []
    list_floor: list[float] = []
    for _ in range(runs):
        for query in QUERIES:
            match = parse_search(query).match
            search_ms.append(timed(database.search, query))
            search_floor.append(
                timed(
                    lambda m: floor.execute(
                        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? LIMIT 50",
                        (m,),
                    ).fetchall(),
                    match,
                )
            )
        list_ms.append(timed(database.list_sessions, "", SESSIONS))
        list_floor.append(
            timed(
                lambda: floor.execute(
                    "SELECT id FROM sessions ORDER BY updated_at DESC LIMIT ?", (SESSIONS,)
                ).fetchall()
            )
        )
    worst = {q: statistics.median(search_ms[i :: len(QUERIES)]) for i, q in enumerate(QUERIES)}
    for query, median in sorted(worst.items(), key=lambda item: -item[1]):
        print(f"  {median:8.1f} ms median  {query}")
    database.close()
    floor.close()
    return [
        Figure(
            f"search {messages:,} messages ({len(QUERIES)} queries)",
            "ms",
            search_ms,
            "< 50 ms median",
            lambda median: median < 50,
            search_floor,
            "bare unranked MATCH",
            check_ratio=False,  # the target is the wait the user sees, not the ratio
        ),
        Figure(
            f"open the store of {messages:,} messages ({path.stat().st_size / 2**30:.2f} GiB)",
            "ms",
            open_ms,
            "(context)",
            None,
            open_floor,
            "bare connect",
        ),
        Figure(
            f"list {SESSIONS:,} sessions",
            "ms",
            list_ms,
            "(context)",
            None,
            list_floor,
            "bare SELECT",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    print_table(measure(args.runs, args.messages))


if __name__ == "__main__":
    main()
