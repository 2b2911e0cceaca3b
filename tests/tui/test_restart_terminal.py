"""A real llxprt process killed with SIGKILL in the middle of a reply: the next start shows
what had been saved of it (at most the last second is lost), marked interrupted."""

from __future__ import annotations

import os
import signal

from tests.terminal import LLXPRT, Terminal
from tests.wire.server import Reply, WireServer


def test_kill_9_mid_reply_then_restart_shows_the_partial_reply_interrupted(
    wire: WireServer,
) -> None:
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(400)), event_delay=0.05))
    argv = [LLXPRT, "--provider", "openai", "--baseurl", f"{wire.url}/v1", "--key", "sk-pty"]
    with Terminal(argv) as terminal:
        terminal.wait_for_text("ready")
        terminal.type("stream a while\r")
        terminal.wait_for_text("w40 ")  # two seconds in: written at least once since w0
        os.kill(terminal.process.pid, signal.SIGKILL)
        assert terminal.wait_exit() == -signal.SIGKILL
    with Terminal([LLXPRT]) as terminal:
        terminal.wait_for_text("interrupted", "w0 w1 w2 w3", "stream a while")
        terminal.type("\x11")  # ctrl+q
        assert terminal.wait_exit() == 0
