"""Conversations that last: the real app over a real session database in the test's own data
dir, against the loopback wire server. Recording as it happens, restoring tabs on start, a
store that cannot write, two processes, /system, /sessions, /rename, prompt history."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

from llxprt_runtime.providers.content import ContentMetadata, IContent, TextBlock
from llxprt_runtime.store.database import SessionDatabase
from llxprt_runtime.store.records import MessageRecord, SessionRecord
from llxprt_runtime.store.service import SessionStore, process_identity
from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.messages import AssistantMessage
from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.chat.status import describe
from llxprt_tui.cli import build_parser, chat_app
from llxprt_tui.screens.confirm import ConfirmScreen
from llxprt_tui.screens.sessions import SessionsScreen
from tests.conftest import Dirs
from tests.providers.conftest import base_url, sent_key
from tests.runtime.store.damage import damage_table
from tests.tui.conftest import (
    SIZE,
    active,
    enter_key,
    errors,
    fixed_clock,
    make_app,
    notices,
    pause_until,
    send_and_wait,
    send_to,
    type_and_send,
    wait_until,
)
from tests.wire.server import Reply, WireServer


@asynccontextmanager
async def opened(dirs: Dirs) -> AsyncIterator[SessionStore]:
    store = await SessionStore.open(dirs.data / "sessions.db")
    try:
        yield store
    finally:
        await store.close()


async def stored(dirs: Dirs) -> list[tuple[SessionRecord, list[MessageRecord]]]:
    """Every session (oldest first) with its conversation, read after the app quit."""
    async with opened(dirs) as store:
        summaries = await store.list_sessions(include_empty=True)
        sessions = [await store.get_session(s.id) for s in reversed(summaries)]
        return [(s, await store.branch(s.id)) for s in sessions]


def plain_app(**kw: object) -> LlxprtApp:
    app = LlxprtApp(clock=fixed_clock(), **kw)  # type: ignore[arg-type]
    app.animation_level = "none"
    return app


async def test_a_conversation_is_recorded_as_it_happens(wire: WireServer, dirs: Dirs) -> None:
    wire.enqueue(Reply(text=("Hello ", "there")))
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(400)), event_delay=0.01))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "first question\nsecond line")
        assert app.persistence.store is not None
        [(session, messages)] = await stored(dirs)
        assert session.title == "first question"
        assert [(m.content.speaker, m.content.text(), m.state) for m in messages] == [
            ("human", "first question\nsecond line", "complete"),
            ("ai", "Hello there", "complete"),
        ]
        assert session.provider == "openai" and session.tab_position == 0
        # While the next reply streams, what has arrived is already in the database.
        await type_and_send(pilot, "long please")
        await wait_until(pilot, lambda: "w3 " in app.query(AssistantMessage).last().text)
        while True:  # written at least once a second while it streams
            async with opened(dirs) as store:
                last = (await store.branch(session.id))[-1]
            if last.content.speaker == "ai":
                break
            await pilot.pause(0.05)
        assert last.state == "streaming" and last.content.text().startswith("w0 ")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not tab.streaming)
        shown = app.query(AssistantMessage).last().text
    [(_, messages)] = await stored(dirs)
    assert messages[-1].state == "cancelled"
    assert messages[-1].content.text() == shown


async def test_an_unusable_data_dir_is_said_once_and_chatting_goes_on(
    wire: WireServer, dirs: Dirs
) -> None:
    # A file where the data dir should be: unwritable even for root (who ignores modes).
    dirs.data.write_text("not a directory")
    wire.enqueue(Reply(text=("one",)))
    wire.enqueue(Reply(text=("two",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "hello")
        await send_and_wait(pilot, "again")
        said = errors(app)
        assert said.count("Conversations are not being saved:") == 1
        assert "cannot open" in said and "sessions.db" in said
        assert [m.text for m in app.query(AssistantMessage)] == ["one", "two"]


async def test_a_corrupt_database_is_moved_aside_with_a_notice(dirs: Dirs) -> None:
    dirs.data.mkdir(mode=0o700)
    (dirs.data / "sessions.db").write_bytes(b"this is not a database" * 100)
    app = plain_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "moved aside" in notices(app))
    assert [p.name.startswith("sessions.db.corrupt-") for p in dirs.data.iterdir()].count(True)


async def test_damage_found_while_chatting_is_moved_aside_and_the_conversation_kept(
    wire: WireServer, dirs: Dirs
) -> None:
    """The database is damaged while llxprt runs (opening checks only its header and schema):
    the write that meets it moves it aside, the notice is said once, and chatting goes on;
    the conversation on screen, the reply that was streaming too, is in the new database."""
    dirs.data.mkdir(mode=0o700)
    path = dirs.data / "sessions.db"
    database = SessionDatabase.open(path).database
    older = database.create_session(title="older")
    for n in range(50):
        database.add_message(older.id, IContent.human(f"question {n} " + "words " * 40))
    database.close()
    wire.enqueue(Reply(text=("first ", "answer")))
    wire.enqueue(Reply(text=("second answer",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.persistence.started)
        damage_table(path, "messages")  # no page of it read since opening
        await send_and_wait(pilot, "first question")  # writing its prompt meets the damage
        await pause_until(pilot, lambda: "moved aside" in notices(app))
        assert "moved aside" in notices(app)
        await send_and_wait(pilot, "second question")
        assert [m.text for m in app.query(AssistantMessage)] == ["first answer", "second answer"]
        assert notices(app).count("moved aside") == 1
        assert "not being saved" not in errors(app)
    asides = [p.name for p in dirs.data.iterdir() if p.name.startswith("sessions.db.corrupt-")]
    assert len(asides) == 1
    [(session, messages)] = await stored(dirs)
    assert session.title == "first question" and session.tab_position == 0
    assert [(m.content.speaker, m.content.text(), m.state) for m in messages] == [
        ("human", "first question", "complete"),
        ("ai", "first answer", "complete"),
        ("human", "second question", "complete"),
        ("ai", "second answer", "complete"),
    ]


def reply(text: str) -> IContent:
    meta = ContentMetadata(model="gpt-5", provider="openai")
    return IContent("ai", (TextBlock(text),), meta)


async def test_tabs_come_back_in_order_with_names_settings_prompt_and_conversation(
    wire: WireServer, dirs: Dirs
) -> None:
    wire.enqueue(Reply(text=("About sorting",)))
    wire.enqueue(Reply(text=("About Lisbon",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "how to sort")
        await app.new_tab()
        await app.wait_ready()
        await type_and_send(pilot, "/set modelparam temperature 0.25")
        await type_and_send(pilot, "/model gpt-travel")
        await type_and_send(pilot, "/profile save travel-profile")
        await type_and_send(pilot, "/system Answer as a travel guide.")
        await type_and_send(pilot, "/rename travel")
        await send_and_wait(pilot, "a trip to Lisbon")
    wire.enqueue(Reply(text=("Go in May",)))
    again = plain_app()
    async with again.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(again.chat_tabs()) == 2)
        await again.wait_ready()
        first, second = again.chat_tabs()
        await wait_until(
            pilot, lambda: len(first.session.history) == 2 and len(second.session.history) == 2
        )
        assert first.tab_name == "tab 1" and second.tab_name == "travel"
        assert second.system_prompt == "Answer as a travel guide."
        runtime = second.runtime
        assert runtime.settings_service.active_provider == "openai"
        assert runtime.settings_service.get("base-url") == base_url("openai", wire)
        assert runtime.config.get_model() == "gpt-travel"
        assert runtime.settings_service.current_profile_name == "travel-profile"
        assert [h.text() for h in second.session.history] == ["a trip to Lisbon", "About Lisbon"]
        shown = [m.text for m in first.query(UserMessage)]
        assert shown == ["how to sort"]
        # The typed key was not stored: the tab says how to give it again.
        assert "The key typed in this tab was not saved: f2 to enter it again." in notices(again)
        assert "Welcome" not in notices(again)  # a restored tab is not a fresh one
        # The tab not shown has drawn nothing of its conversation yet: it does when shown.
        assert not second.query(UserMessage) and not second.query(AssistantMessage)
        again.switch_tab(2)
        await pilot.pause()
        await wait_until(pilot, lambda: bool(second.query(UserMessage)))
        await type_and_send(pilot, "/key sk-tui-again")
        await send_and_wait(pilot, "when to go?")
        body = wire.chat_requests()[-1].body
        assert body["temperature"] == 0.25
        assert body["messages"][0]["role"] == "system"
        assert "Answer as a travel guide." in body["messages"][0]["content"]
        assert [m["content"] for m in body["messages"][1:]] == [
            "a trip to Lisbon",
            "About Lisbon",
            "when to go?",
        ]


async def test_a_reply_cut_by_a_killed_process_comes_back_marked_interrupted(
    dirs: Dirs,
) -> None:
    dead = subprocess.run(  # noqa: ASYNC221 - a finished child's pid, before any await
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    async with opened(dirs) as store:
        snapshot = json.dumps({"version": 1, "provider": "openai", "model": "gpt-5"})
        session = await store.create_session(runtime_snapshot=snapshot)
        await store.add_message(session.id, IContent.human("tell me a story"))
        await store.add_message(session.id, reply("Once upon a ti"), state="streaming")
        await store._run(store._database.set_open, session.id, f"{dead.stdout.strip()}:0", 0)
    app = plain_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.query(AssistantMessage)))
        message = app.query(AssistantMessage).last()
        await wait_until(pilot, lambda: "interrupted" in str(message.footer.render()))
        assert message.text == "Once upon a ti" and message.state == "interrupted"
        assert len(app.chat_tabs()) == 1  # the restored session took the fresh first tab


async def prepare_two_open_tabs(wire: WireServer) -> None:
    wire.enqueue(Reply(text=("a",)))
    wire.enqueue(Reply(text=("b",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "one")
        await app.new_tab()
        await app.wait_ready()
        await send_and_wait(pilot, "two")


async def test_new_starts_fresh_and_restore_tabs_false_turns_restoring_off(
    wire: WireServer, dirs: Dirs
) -> None:
    await prepare_two_open_tabs(wire)
    fresh = chat_app(build_parser().parse_intermixed_args(["--new"]))  # `llxprt --new`
    async with fresh.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: fresh.persistence.started)
        assert len(fresh.chat_tabs()) == 1 and not fresh.active_tab_or_fail().session.history
    dirs.config.mkdir(exist_ok=True)
    (dirs.config / "tui.toml").write_text("restore-tabs = false\n")
    off = plain_app()
    async with off.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: off.persistence.started)
        assert len(off.chat_tabs()) == 1
    (dirs.config / "tui.toml").write_text("restore-tabs = true\n")
    on = plain_app()
    async with on.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: on.persistence.started)
        assert len(on.chat_tabs()) == 2  # --new and the setting did not forget them


async def test_closing_a_tab_keeps_its_session(wire: WireServer, dirs: Dirs) -> None:
    await prepare_two_open_tabs(wire)
    app = plain_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.chat_tabs()) == 2)
        await app.wait_ready()
        await app.close_tab(app.chat_tabs()[0])
        await pilot.pause()
    sessions = await stored(dirs)
    assert [(s.title, s.tab_position is not None) for s, _ in sessions] == [
        ("one", False),
        ("two", True),
    ]
    later = plain_app()
    async with later.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: later.persistence.started)
        [tab] = later.chat_tabs()
        assert [h.text() for h in tab.session.history] == ["two", "b"]


async def test_a_tab_open_in_a_live_process_is_not_restored_here(dirs: Dirs) -> None:
    # A live process that is not this one: the owner of a tab open elsewhere.
    # Alive until killed below (a sleep of 60 s ended first when the test ran long).
    other = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"])  # noqa: ASYNC220
    try:
        async with opened(dirs) as store:
            theirs = await store.create_session()
            await store.add_message(theirs.id, IContent.human("theirs"))
            await store._run(store._database.set_open, theirs.id, process_identity(other.pid), 0)
            orphan = await store.create_session()
            await store.add_message(orphan.id, IContent.human("left behind"))
            await store._run(store._database.set_open, orphan.id, "1:0", 1)
        app = plain_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.persistence.started)
            [tab] = app.chat_tabs()
            assert tab.session_id == orphan.id
    finally:
        other.kill()
        other.wait()


async def test_system_sets_shows_and_clears_the_tabs_system_prompt(
    wire: WireServer, dirs: Dirs
) -> None:
    wire.enqueue(Reply(text=("Ahoy",)))
    wire.enqueue(Reply(text=("Hi",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "/system Talk like a pirate.")
        await send_and_wait(pilot, "hello")
        system = wire.chat_requests()[-1].body["messages"][0]
        assert system["role"] == "system" and system["content"].endswith("Talk like a pirate.")
        assert "system: Talk like a pirate." in describe(active(pilot))  # the status line
        await type_and_send(pilot, "/system")
        await wait_until(pilot, lambda: "System prompt: Talk like a pirate." in notices(app))
        await type_and_send(pilot, "/system none")
        await send_and_wait(pilot, "hello again")
        system = wire.chat_requests()[-1].body["messages"][0]
        assert "pirate" not in system["content"]
        tab = active(pilot)
        assert "system:" not in describe(tab)
    [(session, _)] = await stored(dirs)
    assert session.system_prompt is None and tab.system_prompt is None


async def test_sessions_opens_a_stored_session_in_a_new_tab_or_switches_to_it(
    wire: WireServer, dirs: Dirs
) -> None:
    async with opened(dirs) as store:
        kept = await store.create_session(
            runtime_snapshot=json.dumps({"version": 1, "provider": "openai", "model": "gpt-5"})
        )
        await store.add_message(kept.id, IContent.human("an old question"))
        await store.add_message(kept.id, reply("an old answer"))
    wire.enqueue(Reply(text=("now",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "a new question")
        await pilot.press("f4")
        screen = await sessions_screen(pilot)
        await pilot.press("o", "l", "d")  # typed on the list: filters it
        await wait_until(pilot, lambda: screen.options.option_count == 1)
        await pilot.press("enter")
        # The new tab is added, then shown: wait for it to be the one shown.
        await wait_until(
            pilot, lambda: len(app.chat_tabs()) == 2 and app.active_tab() is app.chat_tabs()[1]
        )
        tab = app.active_tab_or_fail()
        await wait_until(pilot, lambda: len(tab.session.history) == 2)
        assert tab.session_id == kept.id
        assert [m.text for m in tab.query(UserMessage)] == ["an old question"]
        await type_and_send(pilot, "/sessions")
        screen = await sessions_screen(pilot)
        newest_open = screen.selected_id()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.active_tab_or_fail().session_id == newest_open)
        assert len(app.chat_tabs()) == 2  # already open: switched to it, no new tab
        assert app.active_tab_or_fail() is app.chat_tabs()[0]


async def sessions_screen(pilot: Pilot[None]) -> SessionsScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SessionsScreen))
    screen = pilot.app.screen
    assert isinstance(screen, SessionsScreen)
    await wait_until(pilot, lambda: screen.options.option_count == 2)
    return screen


async def test_rename_renames_the_session_too(wire: WireServer, dirs: Dirs) -> None:
    wire.enqueue(Reply(text=("ok",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "a long first prompt about things")
        await type_and_send(pilot, "/rename Things")
        await wait_until(pilot, lambda: "Tab renamed to Things" in notices(app))
    [(session, _)] = await stored(dirs)
    assert session.title == "Things" and session.titled_by_user


async def test_prompt_history_is_kept_per_tab_without_secret_lines(
    wire: WireServer, dirs: Dirs
) -> None:
    wire.enqueue(Reply(text=("a",)))
    wire.enqueue(Reply(text=("b",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "first prompt")
        await type_and_send(pilot, "/key sk-fake-typed-in-history")
        await type_and_send(pilot, "/set auth-key sk-fake-typed-in-history")
        await send_and_wait(pilot, "second prompt")
    later = plain_app()
    async with later.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: later.persistence.started)
        tab = later.active_tab_or_fail()
        assert tab.prompt.prompt_history.entries == ["first prompt", "second prompt"]
        tab.prompt.focus()
        await pilot.press("up")
        assert tab.prompt.text == "second prompt"


SENTINEL = "fake-Sentinel-key-7Qx2-0042-stored-nowhere"


def files_holding(dirs: Dirs, needle: str) -> list[Path]:
    found = []
    for root in dirs.all():
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file() and needle.encode() in path.read_bytes():
                found.append(path)
    return found


async def test_a_key_given_any_way_is_stored_nowhere(wire: WireServer, dirs: Dirs) -> None:
    wire.default_reply = lambda request: Reply(text=("noted",))
    app = make_app(wire, key=SENTINEL)  # --key
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "the first tab's question")
        for line in (
            f"/key {SENTINEL}",
            f"/set auth-key {SENTINEL}",
            f"/set apiKey {SENTINEL}",
            f"/set api-key {SENTINEL}",
            f'/set custom-headers {{"Authorization": "Bearer {SENTINEL}"}}',
            f"/key save work {SENTINEL}",  # into the (in-memory) OS keyring
        ):
            await type_and_send(pilot, line)
        # A prompt holding the key: asked about, not sent.
        await type_and_send(pilot, f"here is my key {SENTINEL} ok")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await send_and_wait(pilot, "a second question")
        await app.new_tab()
        await app.wait_ready()
        await enter_key(pilot, SENTINEL, name=None, tab_only=True)  # f2, this tab only
        await type_and_send(pilot, "/system be brief")
        await type_and_send(pilot, "/rename second")
        await send_and_wait(pilot, "the second tab's question")
        assert files_holding(dirs, "the second tab's question")  # the scan sees the store
        assert files_holding(dirs, SENTINEL) == []
    assert files_holding(dirs, "the second tab's question")
    assert files_holding(dirs, SENTINEL) == []
    sessions = await stored(dirs)
    # The first tab ended on its keyring key (/key save), the second on the typed one.
    assert [s.key_source for s, _ in sessions] == ["keyring: work", "typed"]


async def test_a_restored_tab_gets_its_key_from_the_same_source(
    wire: WireServer, dirs: Dirs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "fake-key-from-the-environment-0001")
    keyfile = tmp_path / "openai.key"
    keyfile.write_text("fake-key-from-a-keyfile-0001\n")
    keyfile.chmod(0o600)
    wire.default_reply = lambda request: Reply(text=("noted",))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "/key save work fake-key-from-the-keyring-0001")
        await send_and_wait(pilot, "keyring tab")
        await app.new_tab()
        await app.wait_ready()
        await type_and_send(pilot, "/key none")
        await type_and_send(pilot, f"/keyfile {keyfile}")
        await send_and_wait(pilot, "keyfile tab")
        await app.new_tab()
        await app.wait_ready()
        await type_and_send(pilot, "/key none")
        await send_and_wait(pilot, "environment tab")
        assert [sent_key(r) for r in wire.chat_requests()] == [
            "fake-key-from-the-keyring-0001",
            "fake-key-from-a-keyfile-0001",
            "fake-key-from-the-environment-0001",
        ]
    sources = [s.key_source for s, _ in await stored(dirs)]
    assert sources == ["keyring: work", f"keyfile: {keyfile}", "env: OPENAI_API_KEY"]
    again = plain_app()
    async with again.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(again.chat_tabs()) == 3)
        await again.wait_ready()
        first, second, third = again.chat_tabs()
        await wait_until(pilot, lambda: len(third.session.history) == 2)
        await send_to(pilot, first, "again from the keyring tab")
        await send_to(pilot, second, "again from the keyfile tab")
        await send_to(pilot, third, "again from the environment tab")
        assert [sent_key(r) for r in wire.chat_requests()[3:]] == [
            "fake-key-from-the-keyring-0001",
            "fake-key-from-a-keyfile-0001",
            "fake-key-from-the-environment-0001",
        ]
        assert "was not saved" not in notices(again)


def test_snapshot_restored_tab_with_an_interrupted_reply(
    snap_compare: Callable[..., bool], dirs: Dirs
) -> None:
    async def fill() -> None:
        async with opened(dirs) as store:
            snapshot = json.dumps({"version": 1, "provider": "openai", "model": "gpt-5"})
            session = await store.create_session(runtime_snapshot=snapshot)
            await store.add_message(session.id, IContent.human("Tell me a story"))
            await store.add_message(session.id, reply("A short one:\n\n- a **cat**"))
            await store.add_message(session.id, IContent.human("A longer one?"))
            await store.add_message(session.id, reply("Once upon a time, in a"), state="streaming")
            await store.set_open(session.id, 0)
            await store.release_open_tabs()  # as a process killed mid-reply leaves it, unowned

    asyncio.run(fill())

    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, LlxprtApp)
        await wait_until(pilot, lambda: app.persistence.started)
        await wait_until(
            pilot,
            lambda: "interrupted" in str(app.query(AssistantMessage).last().footer.render()),
        )
        await pilot.pause()
        for tab in app.chat_tabs():
            tab.prompt.cursor_blink = False

    assert snap_compare(plain_app(), terminal_size=SIZE, run_before=run_before)


async def test_clear_starts_a_new_session_and_the_old_one_stays(
    wire: WireServer, dirs: Dirs
) -> None:
    wire.enqueue(Reply(text=("about cats",)))
    wire.enqueue(Reply(text=("about dogs",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "cats?")
        before = tab.session_id
        await type_and_send(pilot, "/clear")
        await wait_until(pilot, lambda: "Conversation cleared." in notices(app))
        await send_and_wait(pilot, "dogs?")
        assert tab.session_id not in (None, before)
        # The old conversation is still there to browse, closed.
        await pilot.press("f4")
        screen = await sessions_screen(pilot)
        assert [s.title for s in screen.sessions] == ["dogs?", "cats?"]
        assert [s.is_open for s in screen.sessions] == [True, False]
    (old, old_messages), (new, new_messages) = await stored(dirs)
    assert [m.content.text() for m in old_messages] == ["cats?", "about cats"]
    assert [m.content.text() for m in new_messages] == ["dogs?", "about dogs"]
    assert old.tab_position is None and new.tab_position == 0
    assert new.prompt_history == ("cats?", "/clear", "dogs?")
    later = plain_app()
    async with later.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: later.persistence.started)
        [restored] = later.chat_tabs()
        assert [h.text() for h in restored.session.history] == ["dogs?", "about dogs"]


async def test_a_tab_that_only_ran_commands_comes_back_and_settings_are_kept_to_the_end(
    wire: WireServer, dirs: Dirs
) -> None:
    wire.enqueue(Reply(text=("ok",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "a question")
        await type_and_send(pilot, "/model gpt-after-the-last-prompt")  # after the last turn
        await app.new_tab()
        await app.wait_ready()
        await type_and_send(pilot, "/set modelparam temperature 0.5")
        await type_and_send(pilot, "/key sk-only-commands-typed")  # never kept
        await type_and_send(pilot, "/model gpt-commands-only")
        # A third tab that only ran a command, closed: nothing of it is kept.
        await app.new_tab()
        await app.wait_ready()
        await type_and_send(pilot, "/model gpt-closed")
        third = active(pilot)
        await wait_until(pilot, lambda: third.session_id is not None)
        await app.close_tab(third)
        await pilot.pause()
        # Not a conversation: the sessions screen lists only the one with messages.
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, SessionsScreen))
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        await wait_until(pilot, lambda: screen.options.option_count == 1)
    assert len(await stored(dirs)) == 2
    later = plain_app()
    async with later.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(later.chat_tabs()) == 2)
        await later.wait_ready()
        first, second = later.chat_tabs()
        await wait_until(pilot, lambda: len(first.session.history) == 2)
        assert first.runtime.config.get_model() == "gpt-after-the-last-prompt"
        assert second.runtime.config.get_model() == "gpt-commands-only"
        assert second.runtime.settings_service.get_provider_setting("openai", "temperature") == 0.5
        assert second.prompt.prompt_history.entries == [
            "/set modelparam temperature 0.5",
            "/model gpt-commands-only",
        ]
        assert not second.session.history


async def test_a_full_disk_is_said_once_and_chatting_goes_on(wire: WireServer, dirs: Dirs) -> None:
    wire.enqueue(Reply(text=("saved",)))
    wire.enqueue(Reply(text=tuple(f"not saved {n} " * 40 for n in range(60))))
    wire.enqueue(Reply(text=("not saved either",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "first")
        store = app.persistence.store
        assert store is not None
        # The database may not grow by one more page: SQLite's own "disk is full".
        conn = store._database._conn
        pages = await store._run(lambda: conn.execute("PRAGMA page_count").fetchone()[0])
        await store._run(conn.execute, f"PRAGMA max_page_count = {pages}")
        await send_and_wait(pilot, "second")
        await send_and_wait(pilot, "third")
        said = errors(app)
        assert said.count("Conversations are not being saved:") == 1
        assert "database or disk is full" in said
        assert app.query(AssistantMessage).last().text == "not saved either"
    [(_, messages)] = await stored(dirs)
    assert [m.content.text() for m in messages][:2] == ["first", "saved"]


async def test_a_renamed_tab_whose_session_was_deleted_elsewhere_keeps_its_name_when_saved_again(
    wire: WireServer, dirs: Dirs
) -> None:
    wire.enqueue(Reply(text=("one",)))
    wire.enqueue(Reply(text=("two",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "first")
        await send_and_wait(pilot, "/rename Lisbon trip")
        old = tab.session_id
        assert old is not None
        async with opened(dirs) as other:
            await other.delete_session(old)
        await send_and_wait(pilot, "second")
        assert "deleted" in notices(app) and not errors(app)
    [(session, messages)] = await stored(dirs)
    assert (session.title, session.titled_by_user) == ("Lisbon trip", True)
    assert [m.content.text() for m in messages] == ["first", "one", "second", "two"]


async def test_a_session_deleted_by_another_llxprt_is_saved_again_when_the_tab_goes_on(
    wire: WireServer, dirs: Dirs
) -> None:
    wire.enqueue(Reply(text=("one",)))
    wire.enqueue(Reply(text=("two",)))
    wire.enqueue(Reply(text=("three",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "first")
        old = tab.session_id
        assert old is not None
        async with opened(dirs) as other:  # another llxprt's sessions screen deletes it
            await other.delete_session(old)
        await send_and_wait(pilot, "second")
        await send_and_wait(pilot, "third")
        assert [m.text for m in app.query(AssistantMessage)] == ["one", "two", "three"], (
            errors(app),
            notices(app),
        )
        assert "deleted" in notices(app) and not errors(app)
        assert tab.session_id not in (None, old)
    # Nothing the tab shows is lost: saved again, whole, as a new session.
    [(session, messages)] = await stored(dirs)
    assert session.id == tab.session_id
    assert [m.content.text() for m in messages] == [
        "first",
        "one",
        "second",
        "two",
        "third",
        "three",
    ]
