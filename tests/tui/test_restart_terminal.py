"""Real llxprt processes on pseudo-terminals: killed with SIGKILL in the middle of a reply, the
next start shows what had been saved of it (at most the last second is lost), marked
interrupted; quit while a reply streams (asked first), the next start shows the conversation
with the partial reply; two at once both save, and neither takes the other's open tabs
while it lives."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

from tests.conftest import Dirs
from tests.terminal import LLXPRT, Terminal
from tests.wire.server import Reply, WireServer


def argv(wire: WireServer) -> list[str]:
    return [LLXPRT, "--provider", "openai", "--baseurl", f"{wire.url}/v1", "--key", "sk-pty"]


def test_kill_9_mid_reply_then_restart_shows_the_partial_reply_interrupted(
    wire: WireServer,
) -> None:
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(400)), event_delay=0.05))
    with Terminal(argv(wire)) as terminal:
        terminal.wait_for_text("ready")
        terminal.type("stream a while\r")
        terminal.wait_for_text("w40 ")  # two seconds in: written at least once since w0
        os.kill(terminal.process.pid, signal.SIGKILL)
        assert terminal.wait_exit() == -signal.SIGKILL
    with Terminal([LLXPRT]) as terminal:
        terminal.wait_for_text("interrupted", "w0 w1 w2 w3", "stream a while")
        terminal.type("\x11")  # ctrl+q
        assert terminal.wait_exit() == 0


def test_quit_while_streaming_asks_then_restart_shows_the_conversation(wire: WireServer) -> None:
    wire.enqueue(Reply(text=("the first answer",)))
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(400)), event_delay=0.05))
    with Terminal(argv(wire)) as terminal:
        terminal.wait_for_text("ready")
        terminal.type("first question\r")
        terminal.wait_for_turn_end("the first answer")
        terminal.type("stream a while\r")
        terminal.wait_for_text("w5 ")
        terminal.type("\x11")  # ctrl+q
        terminal.wait_for_text("Quit anyway?")
        terminal.type("y")
        assert terminal.wait_exit() == 0
    with Terminal([LLXPRT]) as terminal:
        terminal.wait_for_text("first question", "the first answer", "w0 w1 w2", "cancelled")
        terminal.type("\x11")  # nothing streams: quits at once
        assert terminal.wait_exit() == 0


def owners(dirs: Dirs) -> dict[str, str]:
    """Each session's title and the pid of the process that has it open ("" for none)."""
    conn = sqlite3.connect(dirs.data / "sessions.db")
    try:
        rows = conn.execute("SELECT title, owner_token FROM sessions").fetchall()
        return {title: (owner or "").partition(":")[0] for title, owner in rows}
    finally:
        conn.close()


def test_two_at_once_both_save_and_a_gone_ones_tabs_are_recovered(
    wire: WireServer, dirs: Dirs
) -> None:
    wire.default_reply = lambda request: Reply(text=("noted",))
    with Terminal(argv(wire)) as first, Terminal(argv(wire)) as second:
        first.wait_for_text("ready")
        second.wait_for_text("ready")
        first.type("from the first\r")
        second.type("from the second\r")
        first.wait_for_text("noted")
        second.wait_for_text("noted")
        # Both saved, each its own tab: neither took the other's (both live). A turn's
        # writes land a moment after its reply shows (later still on a loaded machine).
        expected = {
            "from the first": str(first.process.pid),
            "from the second": str(second.process.pid),
        }
        while owners(dirs) != expected and len(owners(dirs)) < 2:
            time.sleep(0.05)  # polling the other processes' writes; pytest-timeout ends a hang
        assert owners(dirs) == expected
        os.kill(first.process.pid, signal.SIGKILL)
        assert first.wait_exit() == -signal.SIGKILL
        # A third start recovers the gone one's tab, not the live one's.
        with Terminal([LLXPRT]) as third:
            third.wait_for_text("from the first")
            while owners(dirs)["from the first"] == str(first.process.pid):
                time.sleep(0.05)  # its claim lands a moment after the tab shows
            assert owners(dirs) == {
                "from the first": str(third.process.pid),
                "from the second": str(second.process.pid),
            }
            third.type("\x11")
            assert third.wait_exit() == 0
        assert "from the first" not in second.text()
        second.type("\x11")
        assert second.wait_exit() == 0
