"""/fork over the wire: a new tab whose conversation branches from this one at the selected
message, on a copy of this tab's runtime (a typed key in memory only), optionally on another
provider and model; each tab's requests carry its own history, endpoint, model and key."""

from __future__ import annotations

import pytest

from llxprt_runtime.store.service import SessionStore
from llxprt_tui.app import LlxprtApp
from tests.conftest import Dirs
from tests.providers.conftest import sent_key
from tests.tui.conftest import SIZE, active, make_app, notices, send_and_wait, send_to, wait_until
from tests.tui.keyboard import XTERM, press_raw
from tests.tui.test_branches import numbered_replies, shown
from tests.wire.server import WireServer


async def test_a_fork_goes_on_from_the_selected_message_on_its_own_runtime(
    wire: WireServer, dirs: Dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    dirs.config.mkdir(parents=True, exist_ok=True)
    (dirs.config / "providers.toml").write_text(
        "[providers.wire-claude]\n"
        'protocol = "anthropic"\n'
        f'base-url = "{wire.url}"\n'
        'default-model = "claude-wire"\n'
        'key-env = "WIRE_CLAUDE_KEY"\n'
    )
    monkeypatch.setenv("WIRE_CLAUDE_KEY", "fake-claude-key-0001")
    numbered_replies(wire)
    app = make_app(wire, key="fake-typed-key-0001")
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        source = active(pilot)
        await send_to(pilot, source, "q1")
        await send_to(pilot, source, "q2")
        # The reply to q1 selected: the fork holds q1 and that reply, nothing after.
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "kk")
        source.prompt.focus()
        await send_and_wait(pilot, "/fork")
        await wait_until(pilot, lambda: active(pilot) is not source)
        same = active(pilot)
        await wait_until(pilot, lambda: shown(same) == ["q1", "reply 1 to q1"])
        assert "Forked from tab 1 at its message 2" in notices(app)
        await send_to(pilot, same, "same place")
        request = wire.chat_requests()[-1]
        assert [m["content"] for m in request.body["messages"][1:]] == [
            "q1",
            "reply 1 to q1",
            "same place",
        ]
        # The typed key came along in memory: same endpoint, model and key.
        assert sent_key(request) == "fake-typed-key-0001"
        assert request.protocol == "openai" and request.body["model"] == "gpt-5"
        # A second fork, from the first prompt, onto another provider and model: the
        # prompt is asked there again.
        app.switch_tab(1)
        await pilot.pause()
        await press_raw(pilot, XTERM["alt+up"] + XTERM["home"])
        source.prompt.focus()
        await send_and_wait(pilot, "/fork wire-claude claude-fork-model")
        await wait_until(
            pilot, lambda: len(app.chat_tabs()) == 3 and active(pilot) not in (source, same)
        )
        elsewhere = active(pilot)
        await wait_until(pilot, lambda: elsewhere.prompt.text == "q1")
        assert shown(elsewhere) == []
        await send_and_wait(pilot, "q1")
        request = wire.chat_requests()[-1]
        assert request.protocol == "anthropic"
        assert request.body["model"] == "claude-fork-model"
        assert sent_key(request) == "fake-claude-key-0001"
        assert len(request.body["messages"]) == 1 and request.last_user_text() == "q1"
        # The source tab is untouched: its whole conversation, its endpoint and key.
        await send_to(pilot, source, "q3")
        request = wire.chat_requests()[-1]
        assert [m["content"] for m in request.body["messages"][1:]] == [
            "q1",
            "reply 1 to q1",
            "q2",
            "reply 2 to q2",
            "q3",
        ]
        assert sent_key(request) == "fake-typed-key-0001" and request.body["model"] == "gpt-5"
        source_id, fork_id = source.session_id, same.session_id
        assert source_id is not None and fork_id is not None and fork_id != source_id
    # After a restart the fork still says where it came from.
    again = LlxprtApp(clock=app.clock)
    again.animation_level = "none"
    async with again.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: again.persistence.started)
        await wait_until(pilot, lambda: "Forked from the session “q1”." in notices(again))
    # Stored: where each fork came from, its own copy of the conversation, never the key.
    store = await SessionStore.open(dirs.data / "sessions.db")
    try:
        fork = await store.get_session(fork_id)
        assert fork.parent_session_id == source_id
        branch = await store.branch(source_id)
        assert fork.parent_message_id == branch[1].id  # the reply to q1
        assert [m.content.text() for m in await store.branch(fork_id)] == [
            "q1",
            "reply 1 to q1",
            "same place",
            "reply 3 to same place",
        ]
        assert fork.key_source == "typed"
        for written in dirs.data.iterdir():  # the database, its WAL: no key anywhere
            assert b"fake-typed-key-0001" not in written.read_bytes()
    finally:
        await store.close()
