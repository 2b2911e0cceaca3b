"""/compare over the wire: columns on three providers, each with its own runtime, key, model
and endpoint, streaming at once; follow-ups continue each column's own conversation; a
failing column leaves the others going; escape cancels all; "Continue with this one"; the
columns' sessions stored and linked; a snapshot of three columns mid-stream."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot

from llxprt_runtime.providers.content import IContent
from llxprt_runtime.store.database import SessionDatabase
from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.compare_tab import CompareTab
from llxprt_tui.chat.messages import AssistantMessage
from tests.conftest import Dirs
from tests.providers.conftest import sent_key
from tests.runtime.store.damage import damage_table
from tests.tui.conftest import (
    SIZE,
    active,
    errors,
    make_app,
    notices,
    pause_until,
    send_and_wait,
    wait_until,
)
from tests.tui.test_messages import rendered
from tests.tui.test_persistence import opened
from tests.tui.test_snapshots import (  # noqa: F401 (fixed_wire: a fixture)
    _underline_fits_active_tab,
    fixed_wire,
    settle,
    steady,
)
from tests.wire.server import Fault, RecordedRequest, Reply, WireServer


@pytest.fixture
def servers() -> Iterator[tuple[WireServer, WireServer]]:
    """Anthropic's and Gemini's endpoints, each its own server (openai has `wire`)."""
    with WireServer() as claude, WireServer() as gemini:
        yield claude, gemini


def providers_toml(dirs: Dirs, claude: WireServer, gemini: WireServer) -> None:
    dirs.config.mkdir(parents=True, exist_ok=True)
    (dirs.config / "providers.toml").write_text(
        "[providers.wire-claude]\n"
        'protocol = "anthropic"\n'
        f'base-url = "{claude.url}"\n'
        'default-model = "claude-wire"\n'
        'key-env = "WIRE_CLAUDE_KEY"\n'
        "[providers.wire-gemini]\n"
        'protocol = "gemini"\n'
        f'base-url = "{gemini.url}"\n'
        'default-model = "gemini-wire"\n'
        'key-env = "WIRE_GEMINI_KEY"\n'
    )


def model_of(request: RecordedRequest) -> str:
    if request.protocol == "gemini":
        return request.path.split("/models/")[1].split(":")[0]
    return str(request.body["model"])


def compare_tab(app: LlxprtApp) -> CompareTab:
    tab = app.active_tab()
    assert isinstance(tab, CompareTab)
    return tab


def replies(tab: CompareTab) -> list[list[str]]:
    return [[m.text for m in column.query(AssistantMessage)] for column in tab.columns]


async def open_three(pilot: Pilot[None], source_key_model: str = "openai:gpt-col") -> CompareTab:
    app = pilot.app
    assert isinstance(app, LlxprtApp)
    await app.wait_ready()
    await send_and_wait(pilot, f"/compare {source_key_model} wire-claude wire-gemini:gem-2")
    await wait_until(pilot, lambda: isinstance(app.active_tab(), CompareTab))
    tab = compare_tab(app)
    await tab.ready()
    return tab


def three_providers(
    dirs: Dirs, servers: tuple[WireServer, WireServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    providers_toml(dirs, *servers)
    monkeypatch.setenv("WIRE_CLAUDE_KEY", "fake-claude-key-0001")
    monkeypatch.setenv("WIRE_GEMINI_KEY", "fake-gemini-key-0002")


# Where each protocol's second text chunk is (after its preamble events): a reply held there
# has shown its first chunk only. openai, anthropic, gemini.
SECOND_CHUNK = (2, 4, 1)


def held_replies(
    servers: tuple[WireServer, ...], texts: tuple[tuple[str, str], ...]
) -> list[threading.Event]:
    """Each server's next reply is `texts[i]`, held after its first chunk until released."""
    holds = [threading.Event() for _ in servers]
    for server, hold, text, at in zip(servers, holds, texts, SECOND_CHUNK, strict=True):
        server.enqueue(Reply(text=text, hold=hold, hold_at=at))
    return holds


async def test_three_columns_on_three_providers_stream_at_once_with_their_own_keys(
    wire: WireServer,
    servers: tuple[WireServer, WireServer],
    dirs: Dirs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claude, gemini = servers
    three_providers(dirs, servers, monkeypatch)
    words = ("one", "two", "three")
    holds = held_replies((wire, claude, gemini), tuple((f"{w} ", "done") for w in words))
    for server, word in zip((wire, claude, gemini), words, strict=True):
        server.enqueue(Reply(text=(f"{word} again",)))
    app = make_app(wire, key="fake-typed-key-0003")
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_three(pilot)
        assert [c.title for c in tab.columns] == [
            "openai:gpt-col",
            "wire-claude:claude-wire",
            "wire-gemini:gem-2",
        ]
        tab.prompt.load_text("which is best?")
        await pilot.press("enter")
        # Every request is in flight before any reply goes on: they stream at once.
        for server in (wire, claude, gemini):
            await asyncio.to_thread(server.wait_for_chat_requests, 1)
        await wait_until(pilot, lambda: replies(tab) == [["one "], ["two "], ["three "]])
        assert tab.streaming
        for hold in holds:
            hold.set()
        await wait_until(pilot, lambda: not tab.streaming)
        assert replies(tab) == [["one done"], ["two done"], ["three done"]]
        (first,), (second,), (third,) = (s.chat_requests() for s in (wire, claude, gemini))
        assert (first.protocol, sent_key(first), model_of(first)) == (
            "openai",
            "fake-typed-key-0003",
            "gpt-col",
        )
        assert (second.protocol, sent_key(second), model_of(second)) == (
            "anthropic",
            "fake-claude-key-0001",
            "claude-wire",
        )
        assert (third.protocol, sent_key(third), model_of(third)) == (
            "gemini",
            "fake-gemini-key-0002",
            "gem-2",
        )
        # Each column's footer: tokens, time to first token, tok/s, finish reason.
        footers = [str(c.query(AssistantMessage).last().footer.render()) for c in tab.columns]
        assert all("tokens" in f and "first token" in f and "finish: stop" in f for f in footers)
        # A follow-up continues each column's own conversation.
        tab.prompt.load_text("and why?")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(claude.chat_requests()) == 2 and not tab.streaming)
        await wait_until(pilot, lambda: not tab.streaming)
        sent = claude.chat_requests()[-1].body["messages"]
        assert [
            m["content"] if isinstance(m["content"], str) else m["content"][0]["text"] for m in sent
        ] == ["which is best?", "two done", "and why?"]
        assert wire.chat_requests()[-1].body["messages"][2]["content"] == "one done"
        assert replies(tab)[2] == ["three done", "three again"]


async def test_a_failing_column_shows_its_error_and_escape_cancels_every_column(
    wire: WireServer,
    servers: tuple[WireServer, WireServer],
    dirs: Dirs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claude, gemini = servers
    three_providers(dirs, servers, monkeypatch)
    wire.enqueue(Reply(text=("fine",)))
    claude.enqueue(Fault(status=400, message="model not found"))
    gemini.enqueue(Reply(text=("also fine",)))
    app = make_app(wire, key="fake-typed-key-0003")
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await send_and_wait(pilot, "/set retries 0")  # copied into every column
        tab = await open_three(pilot)
        await send_and_wait(pilot, "hello all")
        await wait_until(pilot, lambda: not tab.streaming)
        assert replies(tab) == [["fine"], [], ["also fine"]]
        assert "model not found" in errors(app)
        assert [c.state for c in tab.columns] == ["done", "failed", "done"]
        # Escape while all three stream: each stops, keeping what arrived.
        holds = held_replies((wire, claude, gemini), (("part ", "rest"),) * 3)
        tab.prompt.load_text("again")
        await pilot.press("enter")
        await wait_until(pilot, lambda: all(r[-1:] == ["part "] for r in replies(tab)))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not tab.streaming)
        for hold in holds:
            hold.set()
        assert [c.state for c in tab.columns] == ["cancelled"] * 3
        footers = [str(c.query(AssistantMessage).last().footer.render()) for c in tab.columns]
        assert all(f.startswith("cancelled") for f in footers)


async def test_continue_with_this_one_makes_a_normal_tab_and_columns_are_stored_linked(
    wire: WireServer,
    servers: tuple[WireServer, WireServer],
    dirs: Dirs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claude, _gemini = servers
    three_providers(dirs, servers, monkeypatch)
    claude.enqueue(Reply(text=("claude says",)), Reply(text=("claude goes on",)))
    app = make_app(wire, key="fake-typed-key-0003")
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_three(pilot)
        await send_and_wait(pilot, "pick one")
        await wait_until(pilot, lambda: not tab.streaming)
        # shift+tab from the prompt: the last column, then the one before.
        await pilot.press("shift+tab", "shift+tab")
        await wait_until(pilot, lambda: tab.columns[1].has_focus)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.active_tab(), CompareTab))
        normal = active(pilot)
        await wait_until(pilot, lambda: len(normal.session.history) == 2)
        assert [c.text() for c in normal.session.history] == ["pick one", "claude says"]
        assert "Continued from the compare column wire-claude:claude-wire" in notices(app)
        await send_and_wait(pilot, "go on")
        request = claude.chat_requests()[-1]
        assert sent_key(request) == "fake-claude-key-0001"
        texts = [m["content"][0]["text"] for m in request.body["messages"]]
        assert texts == ["pick one", "claude says", "go on"]
        store = app.persistence.store
        assert store is not None
        sessions = {s.id: s for s in await store.list_sessions(include_empty=True)}
        first, second, third = (c.session_id for c in tab.columns)
        assert first in sessions and second in sessions and third in sessions
        linked = {sid: (await store.get_session(sid)).parent_session_id for sid in sessions}
        assert linked[second] == first and linked[third] == first
        assert normal.session_id is not None
        assert linked[normal.session_id] == second  # the normal tab: a fork of the column
        # Searchable: each column's conversation is in the store.
        found = {hit.session_id for hit in (await store.search('"claude says"')).hits}
        assert second in found and first not in found
        assert [m.content.text() for m in await store.branch(second)] == [
            "pick one",
            "claude says",
        ]


async def test_a_column_whose_session_was_deleted_elsewhere_is_saved_again_whole(
    wire: WireServer,
    servers: tuple[WireServer, WireServer],
    dirs: Dirs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claude, _gemini = servers
    three_providers(dirs, servers, monkeypatch)
    claude.enqueue(Reply(text=("claude one",)), Reply(text=("claude two",)))
    app = make_app(wire, key="fake-typed-key-0003")
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_three(pilot)
        await send_and_wait(pilot, "first")
        await wait_until(pilot, lambda: not tab.streaming)
        old = tab.columns[1].session_id
        assert old is not None
        async with opened(dirs) as other:  # another llxprt's sessions screen deletes it
            await other.delete_session(old)
        await send_and_wait(pilot, "second")
        await wait_until(pilot, lambda: not tab.streaming)
        assert replies(tab)[1] == ["claude one", "claude two"], errors(app)
        assert not errors(app)
        new = tab.columns[1].session_id
        assert new not in (None, old)
        store = app.persistence.store
        assert store is not None
        # Nothing the column shows is lost: its earlier turn is written with the new one.
        assert [m.content.text() for m in await store.branch(new)] == [
            "first",
            "claude one",
            "second",
            "claude two",
        ]
        assert (await store.get_session(new)).parent_session_id == tab.columns[0].session_id


async def test_columns_are_written_whole_into_the_new_database_after_damage(
    wire: WireServer,
    servers: tuple[WireServer, WireServer],
    dirs: Dirs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claude, gemini = servers
    three_providers(dirs, servers, monkeypatch)
    dirs.data.mkdir(mode=0o700)
    database = SessionDatabase.open(dirs.data / "sessions.db").database
    older = database.create_session(title="older")
    for n in range(50):  # pages the app reads only when it writes a message
        database.add_message(older.id, IContent.human(f"question {n} " + "words " * 40))
    database.close()
    wire.enqueue(Reply(text=("gpt answers",)))
    claude.enqueue(Reply(text=("claude answers",)))
    gemini.enqueue(Reply(text=("gemini answers",)))
    app = make_app(wire, key="fake-typed-key-0003")
    async with app.run_test(size=SIZE) as pilot:
        tab = await open_three(pilot)
        await wait_until(pilot, lambda: app.persistence.started)
        damage_table(dirs.data / "sessions.db", "messages")  # no page of it read yet
        await send_and_wait(pilot, "pick one")  # the columns' first writes meet the damage
        await wait_until(pilot, lambda: not tab.streaming)
        await pause_until(pilot, lambda: "moved aside" in notices(app))
        assert replies(tab) == [["gpt answers"], ["claude answers"], ["gemini answers"]]
        store = app.persistence.store
        assert store is not None
        await wait_until(pilot, lambda: all(c.session_id is not None for c in tab.columns))
        first, *others = (c.session_id for c in tab.columns)
        for column, answer in zip(tab.columns, ("gpt", "claude", "gemini"), strict=True):
            assert column.session_id is not None
            branch = await store.branch(column.session_id)
            assert [m.content.text() for m in branch] == ["pick one", f"{answer} answers"]
        for other in others:
            assert other is not None
            assert (await store.get_session(other)).parent_session_id == first
    asides = [p.name for p in dirs.data.iterdir() if p.name.startswith("sessions.db.corrupt-")]
    assert len(asides) == 1


async def test_compare_takes_profile_names_and_refuses_bad_entries(
    wire: WireServer, dirs: Dirs
) -> None:
    app = make_app(wire, key="fake-typed-key-0003")
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await send_and_wait(pilot, "/model gpt-profiled")
        await send_and_wait(pilot, "/profile save mine")
        await send_and_wait(pilot, "/model gpt-5")
        await send_and_wait(pilot, "/compare openai")
        assert "Usage: /compare PROVIDER[:MODEL]" in errors(app)
        await send_and_wait(pilot, "/compare openai nosuch:thing")
        assert "Cannot compare with 'nosuch:thing'" in errors(app)
        assert len(app.chat_tabs()) == 1  # nothing opened
        await send_and_wait(pilot, "/compare mine openai:gpt-other")
        await wait_until(pilot, lambda: isinstance(app.active_tab(), CompareTab))
        tab = compare_tab(app)
        assert [c.title for c in tab.columns] == ["mine: openai:gpt-profiled", "openai:gpt-other"]
        await send_and_wait(pilot, "hi")
        await wait_until(pilot, lambda: not tab.streaming)
        assert sorted(model_of(r) for r in wire.chat_requests()) == ["gpt-other", "gpt-profiled"]


def test_snapshot_three_columns_mid_stream(
    snap_compare: Callable[..., bool],
    fixed_wire: WireServer,  # noqa: F811
    servers: tuple[WireServer, WireServer],
    dirs: Dirs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claude, gemini = servers
    three_providers(dirs, servers, monkeypatch)
    texts = (
        ("Merge sort is ", "stable."),
        ("Quicksort, on ", "average."),
        ("It depends on ", "the data."),
    )
    holds = held_replies((fixed_wire, claude, gemini), texts)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        tab = await open_three(pilot)
        tab.prompt.load_text("Which sort is best?")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                [
                    rendered(c.query(AssistantMessage).last()) if c.query(AssistantMessage) else ""
                    for c in tab.columns
                ]
                == [t[0].strip() for t in texts]
            ),
        )
        await wait_until(pilot, lambda: _underline_fits_active_tab(pilot))
        steady(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    try:
        app = make_app(fixed_wire, key="fake-typed-key-0003")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        for hold in holds:
            hold.set()
