"""The terminal's output after it has gone (llxprt_tui/terminal_driver.py); the whole hang-up
is tested on a real pty in test_real_terminal.py."""

from __future__ import annotations

import errno
import io
import os

import pytest
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from llxprt_tui.terminal_driver import HangupSafeDriver, TerminalOutput


class HungUpTerminal(io.StringIO):
    """Fails every write as a terminal does once it has hung up."""

    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")


def test_writes_after_the_terminal_has_gone_are_dropped_and_never_block() -> None:
    output = TerminalOutput(HungUpTerminal())
    writer = WriterThread(output)  # type: ignore[arg-type]  # file-like, as Textual uses it
    writer.start()
    # Textual's writer thread died on the first failed write; the write after its queue
    # filled waited for ever (pytest-timeout ended this test).
    for _ in range(MAX_QUEUED_WRITES * 4):
        writer.write("a frame")
    writer.stop()
    assert output.gone and not writer.is_alive()


def test_other_write_errors_are_not_hidden() -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        TerminalOutput(Full()).write("text")


class Recorded(HangupSafeDriver):
    """The driver's SIGCONT handling alone: built without __init__ (which installs process-wide
    signal handlers), resuming recorded instead of done."""

    def __init__(self, fileno: int) -> None:  # no super().__init__(): see above
        self.fileno = fileno
        self._auto_restart = True
        self.resumed = 0

    def resume_application_mode(self) -> None:
        self.resumed += 1


def test_sigcont_from_a_hang_up_does_not_start_the_app_on_the_gone_terminal() -> None:
    # Textual's handler resumed (a new writer thread and key thread on the dead terminal).
    read, write = os.pipe()  # not a terminal, as a hung-up one no longer is
    try:
        driver = Recorded(read)
        driver._sigcont_application()
        assert driver.resumed == 0
    finally:
        os.close(read)
        os.close(write)


def test_sigcont_after_ctrl_z_still_resumes() -> None:
    master, slave = os.openpty()
    try:
        driver = Recorded(slave)
        driver._sigcont_application()
        assert driver.resumed == 1
    finally:
        os.close(master)
        os.close(slave)
