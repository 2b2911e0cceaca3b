"""The session store on a real SQLite file: pragmas, permissions, migrations, branches,
deletion that leaves nothing behind, crash recovery, two processes at once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from llxprt_runtime.providers.content import ContentMetadata, IContent, TextBlock, Usage
from llxprt_runtime.store.codec import content_from_json, content_to_json
from llxprt_runtime.store.database import BUSY_TIMEOUT_MS, SessionDatabase
from llxprt_runtime.store.schema import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from llxprt_runtime.store.service import (
    SessionStore,
    StoreReplacedError,
    StoreUnavailableError,
    database_path,
    identity_alive,
    process_identity,
)
from tests.conftest import Dirs
from tests.runtime.store.damage import damage_table


def reply(text: str, model: str = "gpt-5") -> IContent:
    return IContent(
        "ai", (TextBlock(text),), ContentMetadata(Usage(3, 4, 7), "stop", model, "openai")
    )


async def test_opens_private_wal_database_in_the_data_dir(dirs: Dirs) -> None:
    store = await SessionStore.open()
    try:
        assert store.path == dirs.data / "sessions.db" == database_path()
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(dirs.data.stat().st_mode) == 0o700
        await store.create_session(title="x")
        for side in ("-wal", "-shm"):
            assert stat.S_IMODE(Path(f"{store.path}{side}").stat().st_mode) == 0o600
        # Per connection: waits for another llxprt's write, zeroes what it deletes.
        conn = store._database._conn
        pragmas = [
            await store._run(lambda p=p: conn.execute(f"PRAGMA {p}").fetchone()[0])
            for p in ("busy_timeout", "secure_delete")
        ]
        assert pragmas == [BUSY_TIMEOUT_MS, 1]
    finally:
        await store.close()
    conn = sqlite3.connect(dirs.data / "sessions.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
def test_migrates_forward_from_every_earlier_version(tmp_path: Path, start: int) -> None:
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for version in range(start):
        conn.executescript(MIGRATIONS[version])
    conn.execute(f"PRAGMA user_version = {start}")
    conn.close()
    opened = SessionDatabase.open(path)
    assert opened.notice is None
    database = opened.database
    session = database.create_session()
    database.add_message(session.id, IContent.human("after the migration"))
    assert [h.session_id for h in database.search("migration").hits] == [session.id]
    database.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_two_processes_creating_the_database_at_once_both_open_it(tmp_path: Path) -> None:
    """Two llxprt started at the same moment on a new data dir: the second had read version
    0 and ran the first migration again once the first was done ("table sessions already
    exists": that one saved nothing). Here the first migrates as the second begins."""
    path = tmp_path / "sessions.db"
    first = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    second = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    second.execute("PRAGMA busy_timeout = 10000")
    interleaved: list[int] = []

    def as_the_second_begins(statement: str) -> None:
        if statement.lstrip().upper().startswith("BEGIN") and not interleaved:
            interleaved.append(migrate(first))

    second.set_trace_callback(as_the_second_begins)
    assert migrate(second) == 0
    assert interleaved == [0]  # the first did migrate in between
    assert schema_version(second) == SCHEMA_VERSION
    tables = {row[0] for row in second.execute("SELECT name FROM sqlite_master")}
    assert {"sessions", "messages"} <= tables
    first.close()
    second.close()


async def test_a_database_from_a_newer_llxprt_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreUnavailableError, match="newer than this llxprt"):
        await SessionStore.open(path)
    assert path.read_bytes() == before


async def test_a_corrupt_database_is_moved_aside_and_a_new_one_started(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    path.write_bytes(b"this is not a database" * 100)
    store = await SessionStore.open(path, clock=lambda: 1_700_000_000.0)
    try:
        assert store.notice is not None
        assert "sessions.db.corrupt-20231114-221320" in store.notice
        aside = tmp_path / "sessions.db.corrupt-20231114-221320"
        assert aside.read_bytes().startswith(b"this is not a database")
        session = await store.create_session()
        assert (await store.get_session(session.id)).id == session.id
    finally:
        await store.close()


async def test_damage_met_after_opening_moves_the_database_aside_and_starts_a_new_one(
    tmp_path: Path,
) -> None:
    """Opening reads the header and the schema, not every page (a full check took 6.6 s for
    1 GB, and restoring waited for it): damage further in is met by the query that reads it,
    and the store starts over then, once."""
    path = tmp_path / "sessions.db"
    database = SessionDatabase.open(path).database
    older = database.create_session(title="older")
    for n in range(50):
        database.add_message(older.id, IContent.human(f"question {n} " + "words " * 40))
    database.close()
    damage_table(path, "messages")
    store = await SessionStore.open(path, clock=lambda: 1_700_000_000.0)
    said: list[str] = []
    store.on_replaced = said.append
    try:
        assert store.notice is None
        assert [s.title for s in await store.list_sessions()] == ["older"]
        # A call queued behind the one that meets the damage is not made on the new
        # database: its message id is the old one's.
        found, queued = await asyncio.gather(
            store.tree(older.id), store.delete_message(1), return_exceptions=True
        )
        assert isinstance(found, StoreReplacedError) and "moved aside" in str(found)
        assert isinstance(queued, StoreReplacedError)
        assert len(said) == 1 and "sessions.db.corrupt-20231114-221320" in said[0]
        assert (tmp_path / "sessions.db.corrupt-20231114-221320").is_file()
        assert await store.list_sessions() == []
        new = await store.create_session()
        await store.add_message(new.id, IContent.human("chatting goes on"))
        assert [m.content.text() for m in await store.branch(new.id)] == ["chatting goes on"]
    finally:
        await store.close()
    assert len(said) == 1


async def test_a_malformed_json_value_is_not_damage(tmp_path: Path) -> None:
    """SQLite says "malformed JSON" too: only its corruption codes move a database aside."""
    store = await SessionStore.open(tmp_path / "sessions.db")
    try:
        with pytest.raises(StoreUnavailableError, match="malformed JSON") as raised:
            await store.create_session(runtime_snapshot='{"provider": ')
        assert not isinstance(raised.value, StoreReplacedError)
        assert (await store.create_session()).id
        assert [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name] == []
    finally:
        await store.close()


@pytest.mark.parametrize("kind", ["directory", "symlink"])
async def test_a_database_that_is_not_a_regular_file_is_moved_aside(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "sessions.db"
    elsewhere = tmp_path / "someone-elses.db"
    if kind == "directory":
        path.mkdir()
    else:
        elsewhere.write_bytes(b"not ours")
        path.symlink_to(elsewhere)
    store = await SessionStore.open(path, clock=lambda: 1_700_000_000.0)
    try:
        assert store.notice is not None and "moved aside" in store.notice
        aside = tmp_path / "sessions.db.corrupt-20231114-221320"
        assert aside.is_dir() if kind == "directory" else aside.is_symlink()
        assert path.is_file() and not path.is_symlink()
        await store.create_session(title="in the new one")
    finally:
        await store.close()
    if kind == "symlink":  # what the link pointed at is left as it was
        assert elsewhere.read_bytes() == b"not ours"


async def test_a_write_waiting_on_another_process_does_not_hold_up_the_event_loop(
    tmp_path: Path,
) -> None:
    store = await SessionStore.open(tmp_path / "sessions.db")
    other = sqlite3.connect(tmp_path / "sessions.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another llxprt writing: the store's write waits
    try:
        write = asyncio.create_task(store.create_session(title="waits"))
        turns = 0
        while turns < 50:  # the loop goes round meanwhile (a blocking write would stop it)
            await asyncio.sleep(0)
            turns += 1
        assert not write.done()
        other.execute("COMMIT")
        assert (await write).title == "waits"
    finally:
        other.close()
        await store.close()


async def test_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(StoreUnavailableError, match="cannot open"):
        await SessionStore.open(blocker / "sessions.db")


async def test_messages_form_a_tree_and_the_head_is_the_branch_on_screen(
    tmp_path: Path,
) -> None:
    store = await SessionStore.open(tmp_path / "s.db")
    try:
        session = await store.create_session()
        question = await store.add_message(session.id, IContent.human("What is 2+2?\nthanks"))
        first = await store.add_message(session.id, reply("4"), first_token_ms=120.0)
        # A regenerated reply is a sibling of the first, not a replacement.
        second = await store.add_message(session.id, reply("four"), parent_id=question)
        assert await store.children(question) == [first, second]
        on_screen = await store.branch(session.id)
        assert [m.content.text() for m in on_screen] == ["What is 2+2?\nthanks", "four"]
        older = await store.branch(session.id, first)
        assert [m.content.text() for m in older] == ["What is 2+2?\nthanks", "4"]
        assert older[1].first_token_ms == 120.0
        assert older[1].content.metadata.usage == Usage(3, 4, 7)
        record = await store.get_session(session.id)
        assert record.title == "What is 2+2?"  # the first prompt's first line
        assert record.message_count == 3
        await store.rename_session(session.id, "Arithmetic")
        assert (await store.get_session(session.id)).titled_by_user
        await store.add_message(session.id, IContent.human("another"))
        assert (await store.get_session(session.id)).title == "Arithmetic"
    finally:
        await store.close()


async def test_a_failed_reply_with_no_output_goes_and_the_head_moves_back(
    tmp_path: Path,
) -> None:
    store = await SessionStore.open(tmp_path / "s.db")
    try:
        session = await store.create_session()
        question = await store.add_message(session.id, IContent.human("hello"))
        pending = await store.add_message(session.id, reply(""), state="streaming")
        await store.delete_message(pending)
        assert (await store.get_session(session.id)).head_message_id == question
    finally:
        await store.close()


async def test_deleting_a_session_leaves_no_trace_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "db" / "s.db"
    store = await SessionStore.open(path)
    word = "zanzibarquokka"
    try:
        keep = await store.create_session()
        await store.add_message(keep.id, IContent.human("keep this one"))
        gone = await store.create_session()
        await store.add_message(gone.id, IContent.human(f"remember {word} please"))
        await store.add_message(gone.id, reply(f"{word} noted"))
        assert len((await store.search(word)).hits) == 2
        await store.delete_session(gone.id)
        assert (await store.search(word)).hits == []
        assert [s.id for s in await store.list_sessions()] == [keep.id]
        # While the store is still open: neither the database nor its WAL holds the words.
        for file in path.parent.iterdir():
            assert word.encode() not in file.read_bytes(), file.name
    finally:
        await store.close()


async def test_list_sessions_newest_first_and_filtered(tmp_path: Path) -> None:
    now = [100.0]
    store = await SessionStore.open(tmp_path / "s.db", clock=lambda: now[0])
    try:
        old = await store.create_session(runtime_snapshot='{"provider": "anthropic"}')
        await store.add_message(old.id, IContent.human("old question"))
        now[0] = 200.0
        new = await store.create_session(runtime_snapshot='{"provider": "gemini"}')
        await store.add_message(new.id, IContent.human("new 100% question_x"))
        assert [s.id for s in await store.list_sessions()] == [new.id, old.id]
        assert [s.id for s in await store.list_sessions("ANTHROPIC")] == [old.id]
        assert [s.id for s in await store.list_sessions("100%")] == [new.id]
        assert [s.id for s in await store.list_sessions("n_x")] == [new.id]
        assert [s.id for s in await store.list_sessions("n%x")] == []
        listed = (await store.list_sessions())[0]
        assert (listed.provider, listed.message_count) == ("gemini", 1)
    finally:
        await store.close()


async def test_search_ranks_and_understands_prefixes_and_phrases(tmp_path: Path) -> None:
    store = await SessionStore.open(tmp_path / "s.db")
    try:
        session = await store.create_session()
        await store.add_message(session.id, IContent.human("the quick brown fox"))
        await store.add_message(session.id, reply("brown bread, brown rice, brown sugar"))
        hits = (await store.search("brown")).hits
        assert [h.speaker for h in hits] == ["ai", "human"]  # more mentions rank first
        assert "\x02brown\x03" in hits[0].snippet
        assert [h.speaker for h in (await store.search("qui*")).hits] == ["human"]
        assert (await store.search('"brown fox"')).hits != []
        assert (await store.search('"fox brown"')).hits == []
    finally:
        await store.close()


async def test_open_tabs_of_a_dead_process_are_claimed_and_streaming_becomes_interrupted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.db"
    dead = subprocess.run(  # noqa: ASYNC221 - a finished child's pid, before any await
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_owner = f"{dead.stdout.strip()}:0"
    store = await SessionStore.open(path)
    try:
        mine = await store.create_session()
        await store.set_open(mine.id, 0)  # open in this (live) process
        orphan = await store.create_session()
        await store.add_message(orphan.id, IContent.human("q"))
        streaming = await store.add_message(orphan.id, reply("half a rep"), state="streaming")
        await store._run(store._database.set_open, orphan.id, dead_owner, 1)
    finally:
        await store.close()
    later = await SessionStore.open(path)
    later.owner = "another:process"
    try:
        claimed = await later.claim_open_tabs()
        assert [s.id for s in claimed] == [orphan.id]  # not the one a live process holds
        messages = await later.branch(orphan.id)
        assert [(m.id, m.state) for m in messages][-1] == (streaming, "interrupted")
    finally:
        await later.close()


async def test_a_clean_exit_lets_go_of_its_tabs_for_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = await SessionStore.open(path)
    try:
        first, second = await store.create_session(), await store.create_session()
        await store.set_open(second.id, 0)
        await store.set_open(first.id, 1)
        await store.release_open_tabs()
    finally:
        await store.close()
    later = await SessionStore.open(path)  # the same (live) process identity: still claimed
    try:
        assert [s.id for s in await later.claim_open_tabs()] == [second.id, first.id]
    finally:
        await later.close()


def test_process_identity_tells_a_live_process_from_a_gone_one() -> None:
    assert identity_alive(process_identity())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    identity = process_identity(child.pid)
    child.wait()
    assert not identity_alive(identity)


def test_kill_9_mid_reply_keeps_what_was_written(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    script = textwrap.dedent(
        f"""
        import asyncio, os, sys
        from pathlib import Path
        from llxprt_runtime.providers.content import IContent
        from llxprt_runtime.store.service import SessionStore

        async def main():
            store = await SessionStore.open(Path({str(path)!r}))
            session = await store.create_session()
            await store.set_open(session.id, 0)
            await store.add_message(session.id, IContent.human("tell me a story"))
            mid = await store.add_message(session.id, IContent.ai(""), state="streaming")
            text = ""
            for n in range(5):
                text += f"part {{n}} "
                await store.update_message(mid, IContent.ai(text), state="streaming")
            print("written", flush=True)
            sys.stdin.readline()  # killed here, mid-reply

        asyncio.run(main())
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path.cwd())},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "written"
    child.send_signal(signal.SIGKILL)
    child.wait()

    async def restore() -> list[str]:
        store = await SessionStore.open(path)
        try:
            (session,) = await store.claim_open_tabs()
            return [f"{m.state}:{m.content.text()}" for m in await store.branch(session.id)]
        finally:
            await store.close()

    assert asyncio.run(restore()) == [
        "complete:tell me a story",
        "interrupted:part 0 part 1 part 2 part 3 part 4 ",
    ]


async def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    first = await SessionStore.open(path)
    second = await SessionStore.open(path)
    try:
        a = await first.create_session()
        b = await second.create_session()

        async def chat(store: SessionStore, session_id: str, who: str) -> None:
            for n in range(20):
                await store.add_message(session_id, IContent.human(f"{who} {n}"))

        await asyncio.gather(chat(first, a.id, "a"), chat(second, b.id, "b"))
        assert len(await first.branch(b.id)) == 20
        assert len(await second.branch(a.id)) == 20
    finally:
        await first.close()
        await second.close()


def test_content_json_round_trip() -> None:
    content = IContent(
        "ai", (TextBlock("hi"),), ContentMetadata(Usage(1, 2, 3), "stop", "m", "p", "id")
    )
    assert content_from_json(content_to_json(content)) == content
