"""Textual's Linux driver, made safe for a terminal that goes away.

When the terminal hangs up (its window closed, an ssh connection dropped, a tmux session
killed), the kernel sends SIGHUP and SIGCONT, and from then on every write to it fails with
EIO. Textual's driver then did two things that kept llxprt from ever exiting: its SIGCONT
handler (meant for resuming after ctrl+z) started application mode again on the dead terminal,
with a second writer thread; and a writer thread dies on its first failed write, so once 30
more writes were queued the next one waited for ever. The process stayed, holding its tabs as
open, so the next start did not restore them.
"""

from __future__ import annotations

import errno
import os
from typing import IO, Any, cast

from textual.drivers.linux_driver import LinuxDriver

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
