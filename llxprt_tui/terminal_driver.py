"""Textual's Linux driver, made safe for a terminal that goes away, and quick to read escape.

When the terminal hangs up (its window closed, an ssh connection dropped, a tmux session
killed), the kernel sends SIGHUP and SIGCONT, and from then on every write to it fails with
EIO. Textual's driver then did two things that kept llxprt from ever exiting: its SIGCONT
handler (meant for resuming after ctrl+z) started application mode again on the dead terminal,
with a second writer thread; and a writer thread dies on its first failed write, so once 30
more writes were queued the next one waited for ever. The process stayed, holding its tabs as
open, so the next start did not restore them.

A lone ESC byte is the escape key or the start of a key's sequence; Textual's parser decides
once ESCAPE_DELAY (0.1 s) passes with nothing after it, and its key thread looks again only
every 0.1 s, so escape (cancel a reply) reached the app 100-200 ms after it was pressed.
Terminals write a key's sequence at once, so the wait is ESCAPE_SECONDS here (tmux 3.5 waits
10 ms, Neovim 50 ms; the user's ESCDELAY, which Textual reads, wins), and the key thread looks
again as it ends. Terminals with the kitty keyboard protocol send escape as a sequence anyway.
"""

from __future__ import annotations

import errno
import os
import selectors
from codecs import getincrementaldecoder
from typing import IO, Any, cast

from textual import constants
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

ESCAPE_SECONDS = 0.02  # a lone ESC with nothing after it this long is the escape key
IDLE_SECONDS = 0.1  # how often the key thread looks for the end of the app with no input

# What writing to a terminal that has gone away fails with.
_GONE = frozenset({errno.EIO, errno.ENXIO, errno.EPIPE})


class TerminalOutput:
    """The terminal as Textual's writer thread writes to it: once the terminal has gone, a
    write is dropped instead of ending the thread (whose queue would then fill and block)."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._file.write(text)
            except OSError as error:
                if error.errno not in _GONE:
                    raise
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except OSError as error:
                if error.errno not in _GONE:
                    raise
                self.gone = True

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return not self.gone and self._file.isatty()


class HangupSafeDriver(LinuxDriver):
    """LinuxDriver whose output survives a hang-up and which does not resume on a terminal
    that has gone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Textual types it as the standard stream; the writer thread only writes, flushes
        # and asks its fileno.
        self._file = cast(Any, TerminalOutput(cast("IO[str]", self._file)))

    def _sigcont_application(self, *args: Any) -> None:
        # A SIGCONT after ctrl+z resumes; one sent by a hang-up finds no terminal any more.
        if os.isatty(self.fileno):
            super()._sigcont_application(*args)

    def run_input_thread(self) -> None:
        """Textual's key thread, except that a wait for more input ends when the parser's
        own deadline does (see the module's note). Runs until the app stops."""
        read_escape_quickly()
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def read_keys(final: bool = False) -> None:
            if selector.select(input_wait(parser)):
                data = decode(os.read(self.fileno, 1024 * 4), final=final)
                if data:  # nothing: stdin is piped and at its end
                    for event in parser.feed(data):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                read_keys()
            selector.unregister(self.fileno)
            read_keys(final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass


def read_escape_quickly() -> None:
    """A lone ESC is the escape key once ESCAPE_SECONDS pass with nothing after it, unless the
    user's ESCDELAY says how long (process-wide: Textual's parser reads its constant)."""
    if "ESCDELAY" not in os.environ:
        constants.ESCAPE_DELAY = ESCAPE_SECONDS  # type: ignore[misc]  # Final in Textual


def input_wait(parser: XTermParser) -> float:
    """How long the key thread waits for input: until the parser's deadline for a sequence it
    has begun (a lone ESC becomes the escape key then), else IDLE_SECONDS."""
    deadline: float | None = getattr(parser, "_timeout_time", None)  # gone: wait as Textual did
    if deadline is None:
        return IDLE_SECONDS
    return min(IDLE_SECONDS, max(0.0, deadline - get_time()))
