"""The terminal's output after it has gone, and how soon escape is read
(llxprt_tui/terminal_driver.py); the whole hang-up and escape are tested on a real pty in
test_real_terminal.py."""

from __future__ import annotations

import errno
import io
import os
import time
from collections.abc import Iterable

import pytest
from textual import _parser, constants, events
from textual._xterm_parser import XTermParser
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from llxprt_tui.terminal_driver import (
    ESCAPE_SECONDS,
    IDLE_SECONDS,
    HangupSafeDriver,
    TerminalOutput,
    input_wait,
    read_escape_quickly,
)


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


def keys(parsed: Iterable[object]) -> list[str]:
    return [event.key for event in parsed if isinstance(event, events.Key)]


def test_a_lone_escape_is_the_escape_key_once_a_short_wait_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ESCDELAY", raising=False)
    monkeypatch.setattr(constants, "ESCAPE_DELAY", constants.ESCAPE_DELAY)  # put back after
    read_escape_quickly()
    parser = XTermParser()
    assert input_wait(parser) == IDLE_SECONDS  # nothing begun: it looks for the app's end
    assert keys(parser.feed("\x1b")) == []  # escape, or the first byte of a key's sequence
    # Textual's key thread waited 0.1 s here and its parser 0.1 s: escape came 100-200 ms
    # after it was pressed.
    assert input_wait(parser) <= ESCAPE_SECONDS
    monkeypatch.setattr(_parser, "get_time", lambda: time.monotonic() + ESCAPE_SECONDS)
    assert keys(parser.tick()) == ["escape"]
    assert input_wait(parser) == IDLE_SECONDS


def test_a_keys_sequence_written_at_once_is_still_that_key() -> None:
    parser = XTermParser()
    assert keys(parser.feed("\x1b[Dx\x1bOA")) == ["left", "x", "up"]


def test_the_users_escdelay_still_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCDELAY", "300")  # Textual read it as it was imported
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.3)
    read_escape_quickly()
    assert constants.ESCAPE_DELAY == 0.3
