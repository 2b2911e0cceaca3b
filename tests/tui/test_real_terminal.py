"""The app as a terminal sees it: a real `llxprt` process on a pty, against the wire server.

Item 10: what a reply says never reaches the terminal as a control sequence. Item 16: SIGTERM
and SIGHUP while streaming cancel the stream (the stored reply is "cancelled"), restore the
terminal (alternate screen left, mouse reporting off, cursor shown) and exit 143 / 129; a
crash exits non-zero.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading

import pytest

from llxprt_runtime.store.database import DATABASE_NAME
from tests.conftest import Dirs
from tests.terminal import LLXPRT, Terminal
from tests.wire.server import Reply, WireServer

OSC52 = "\x1b]52;c;aGVsbG8=\x07"
OSC0 = "\x1b]0;owned\x07"
CSI_2J = "\x1b[2J"
RESTORED = (b"\x1b[?1049l", b"\x1b[?25h", b"\x1b[?1000l", b"\x1b[?1003l")


def _llxprt(wire: WireServer) -> list[str]:
    return [LLXPRT, "--provider", "openai", "--baseurl", f"{wire.url}/v1", "--key", "sk-pty"]


def _send(terminal: Terminal, text: str) -> None:
    terminal.wait_for_text("ready")  # the tab has its runtime
    terminal.type(text + "\r")


def test_a_reply_with_control_sequences_never_reaches_the_terminal(wire: WireServer) -> None:
    wire.enqueue(Reply(text=(f"clip{OSC52}", f" title{OSC0}", f" blank{CSI_2J} end")))
    with Terminal(_llxprt(wire)) as terminal:
        started = len(terminal.wait_for_text("ready"))
        _send(terminal, "hi")
        terminal.wait_for_text("clip␛]52;c;aGVsbG8=␇", "title␛]0;owned␇", "blank␛[2J end")
        written = terminal.output[started:]
        assert b"\x1b]52" not in written and b"\x1b]0;" not in written
        assert b"\x1b[2J" not in written and b"\x07" not in written
        terminal.type("\x11")  # ctrl+q: nothing streams, so it quits at once
        assert terminal.wait_exit() == 0


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_while_streaming_restores_the_terminal_and_cancels_the_stream(
    wire: WireServer, dirs: Dirs, signum: int, status: int
) -> None:
    # The reply pauses after its tenth event until the test ends: the signal comes mid-reply.
    held = threading.Event()
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(40)), hold=held, hold_at=10))
    with Terminal(_llxprt(wire)) as terminal:
        _send(terminal, "stream a while")
        terminal.wait_for_text("w3 ")  # the reply is streaming
        mark = len(terminal.output)
        os.kill(terminal.process.pid, signum)
        assert terminal.wait_exit() == status
        after = terminal.output[mark:]
        assert all(sequence in after for sequence in RESTORED), after[-400:]
        # The terminal is left in the normal screen: no alternate-screen switch after that.
        assert after.rfind(b"\x1b[?1049l") > after.rfind(b"\x1b[?1049h")
    held.set()
    # The stream was cancelled, not cut off by the exit: the stored reply says so ("streaming"
    # had the process just died), and holds what had arrived.
    with sqlite3.connect(dirs.data / DATABASE_NAME) as db:
        replies = db.execute("SELECT state, text FROM messages WHERE speaker = 'ai'").fetchall()
    assert len(replies) == 1
    state, text = replies[0]
    assert state == "cancelled" and text.startswith("w0 w1 w2 w3 ")


def test_a_terminal_that_hangs_up_mid_reply_ends_the_app(wire: WireServer, dirs: Dirs) -> None:
    # Closing the terminal window (or a dropped ssh, a killed tmux session) mid-reply: the
    # kernel sends SIGHUP and SIGCONT and every write fails. The app exits as after SIGHUP and
    # the reply is stored as cancelled. (Textual's driver could hang for ever here when the
    # app was busy drawing: tests/tui/test_terminal_driver.py holds each cause.)
    held = threading.Event()
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(40)), hold=held, hold_at=10))
    with Terminal(_llxprt(wire), controlling=True) as terminal:
        _send(terminal, "stream a while")
        terminal.wait_for_text("w3 ")
        terminal.hang_up()
        assert terminal.process.wait() == 129
    held.set()
    with sqlite3.connect(dirs.data / DATABASE_NAME) as db:
        replies = db.execute("SELECT state, text FROM messages WHERE speaker = 'ai'").fetchall()
    assert len(replies) == 1
    state, text = replies[0]
    assert state == "cancelled" and text.startswith("w0 w1 w2 w3 ")


def test_escape_on_a_real_terminal_cancels_the_reply_and_keys_read_as_before(
    wire: WireServer,
) -> None:
    # llxprt reads the terminal with a key thread of its own (terminal_driver.py): a lone ESC
    # is escape after a short wait; a key's sequence, written at once, is still that key.
    held = threading.Event()
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(40)), hold=held, hold_at=10))
    try:
        with Terminal(_llxprt(wire)) as terminal:
            _send(terminal, "stream a while")
            terminal.wait_for_text("w3 ")
            terminal.type("\x1b")
            terminal.wait_for_text("cancelled")
            terminal.type("\x1bOP")  # f1, as xterm sends it: read as escape, "OP" is typed
            terminal.wait_for_text("Commands")  # the help
            terminal.type("\x11")  # ctrl+q
            assert terminal.wait_exit() == 0
    finally:
        held.set()


CRASHING_APP = """
import sys
from llxprt_runtime.overrides import CliOverrides
from llxprt_tui.app import LlxprtApp, run_app

class Crashing(LlxprtApp):
    async def on_mount(self) -> None:
        await super().on_mount()
        self.call_after_refresh(self.crash)

    def crash(self) -> None:
        key = "sk-crash-local-secret-42"  # a local the report must not show
        raise RuntimeError(f"a bug, api_key={key[::-1]}")

sys.exit(run_app(CliOverrides(), app=Crashing(CliOverrides())))
"""


def test_a_crash_exits_non_zero_and_restores_the_terminal() -> None:
    with Terminal([sys.executable, "-c", CRASHING_APP]) as terminal:
        assert terminal.wait_exit() == 1
        out = terminal.output
        assert b"RuntimeError" in out and b"a bug" in out
        assert all(sequence in out for sequence in RESTORED)
        # Textual's report prints every frame's locals: a key held in one reached the
        # terminal. Ours shows none, and a credential-looking value in the text is redacted.
        assert b"sk-crash-local" not in out and b"terces-lacol" not in out
