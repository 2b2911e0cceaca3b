"""A real llxprt process on a pseudo-terminal: what it writes to the terminal, byte for byte.

Used where only the terminal can tell (control sequences that reach it, the terminal being
restored after a signal). Waits are on conditions (new output, process exit), never on time;
pytest-timeout ends a test that hangs.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

LLXPRT = str(Path(sys.executable).with_name("llxprt"))


# Run as the process on the pty: make the pty its controlling terminal (the process leads a new
# session), then become the real command.
_TAKE_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


class Terminal:
    """`argv` run with a pty as its stdin, stdout and stderr, `size` columns x rows."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        size: tuple[int, int] = (100, 32),
        controlling: bool = False,
    ) -> None:
        """`controlling`: the pty becomes the process's controlling terminal (as in a terminal
        window), so closing it sends the kernel's hang-up signals (SIGHUP, SIGCONT)."""
        master, slave = os.openpty()
        if controlling:
            argv = [sys.executable, "-c", _TAKE_TERMINAL, *argv]
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns)}
        env.pop("LLXPRT_DEBUG", None)
        self.process = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self._master = master
        self._stop_reading, self._reading_stopped = os.pipe()
        self._output = bytearray()
        self._changed = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self._master, self._stop_reading], [], [])
            try:
                data = b"" if self._stop_reading in ready else os.read(self._master, 65536)
            except OSError:  # EIO: every writer has gone
                data = b""
            with self._changed:
                if not data:
                    self._closed = True
                    self._changed.notify_all()
                    return
                self._output += data
                self._changed.notify_all()

    @property
    def output(self) -> bytes:
        with self._changed:
            return bytes(self._output)

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def wait_for(self, predicate: Callable[[bytes], bool]) -> bytes:
        """Until `predicate(everything written so far)` holds; then that output."""
        with self._changed:
            while not predicate(bytes(self._output)):
                if self._closed:
                    raise AssertionError(f"the process ended first:\n{self._output[-2000:]!r}")
                self._changed.wait()
            return bytes(self._output)

    def wait_for_text(self, *needles: str) -> str:
        self.wait_for(lambda out: all(n.encode() in out for n in needles))
        return self.text()

    def wait_for_turn_end(self, reply: str) -> None:
        """Until `reply` and its footer are drawn and the status line says "ready" again (if
        it said "streaming" at all): the tab takes the next prompt. Enter typed as the reply's
        text shows, before its turn has ended, is refused ("a reply is still streaming")."""
        self.wait_for(
            lambda out: (
                reply.encode() in out
                and b"first token" in out
                and out.rfind(b"ready") > out.rfind(b"streaming")
            )
        )

    def type(self, data: str) -> None:
        os.write(self._master, data.encode())

    def wait_exit(self) -> int:
        """The exit status, once the process has ended and all its output is read."""
        status = self.process.wait()
        with self._changed:
            while not self._closed:
                self._changed.wait()
        return status

    def hang_up(self) -> None:
        """Close the terminal, as closing its window does: the process can no longer write to
        it and gets SIGHUP and SIGCONT."""
        os.write(self._reading_stopped, b"x")
        self._reader.join()
        os.close(self._master)
        self._master = -1

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._master != -1:
            os.write(self._reading_stopped, b"x")
            self._reader.join()
            os.close(self._master)
        os.close(self._stop_reading)
        os.close(self._reading_stopped)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
