"""Reading files we did not write: only regular files, bounded, and never blocking on open.

A FIFO or a device named where a profile or keyfile should be would hang a read (a FIFO
with no writer) or never end it (`/dev/zero`), so the file is opened non-blocking, checked
with fstat (the same file that is read: no check-then-open race) and read up to a limit.
A pipe is read only where the caller allows it (process substitution at start-up), with
a deadline. Callers run these in a worker thread: never on the event loop.

Permissions are judged as ssh judges its files: a file others may change can redirect what
we send (a profile's `base-url`), so it is warned about; a key others may read is refused.
"""

from __future__ import annotations

import os
import select
import stat
import time
from dataclasses import dataclass
from pathlib import Path

KEYFILE_LIMIT = 64 * 1024
PROFILE_LIMIT = 1024 * 1024
SETTINGS_LIMIT = 1024 * 1024  # tui.toml, llxprt-code's settings.json, themes, the key index
PIPE_TIMEOUT_SECONDS = 30.0


class FileReadError(OSError):
    """Why a file was not read, as the end of a sentence: "is not a regular file (a FIFO)"."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class FileRead:
    data: bytes
    mode: int  # st_mode of the file that was read


def kind_of(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO or pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def not_regular_reason(mode: int) -> str:
    return f"is not a regular file ({kind_of(mode)})"


def read_bounded(path: Path, limit: int, *, allow_pipe: bool = False) -> FileRead:
    """The bytes of `path` (at most `limit`), or FileReadError/OSError saying why not."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode):
            data = _read_regular(fd, limit)
        elif stat.S_ISFIFO(mode) and allow_pipe:
            data = _read_pipe(fd, limit, PIPE_TIMEOUT_SECONDS)
        else:
            raise FileReadError(not_regular_reason(mode))
    finally:
        os.close(fd)
    if len(data) > limit:
        raise FileReadError(f"is too large (over {limit // 1024} KiB)")
    return FileRead(data, mode)


def _read_regular(fd: int, limit: int) -> bytes:
    os.set_blocking(fd, True)
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = os.read(fd, min(65536, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _read_pipe(fd: int, limit: int, timeout: float) -> bytes:
    """Until EOF, `limit` + 1 bytes, or the deadline: a writer that never finishes (or a
    FIFO nobody writes to) cannot hang start-up."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FileReadError(f"gave no end of input within {timeout:g} s")
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        try:
            chunk = os.read(fd, limit + 1 - size)
        except BlockingIOError:
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_text(path: Path, limit: int = SETTINGS_LIMIT) -> str:
    """A small UTF-8 file we read but did not write (settings, themes). Raises
    FileNotFoundError, FileReadError (special or too large), OSError, UnicodeDecodeError."""
    return read_bounded(path, limit).data.decode("utf-8")


def others_can_write(mode: int) -> bool:
    return bool(mode & (stat.S_IWGRP | stat.S_IWOTH))


def others_can_read(mode: int) -> bool:
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def writable_warning(path: Path | str, what: str) -> str:
    return (
        f"{what} {path} is writable by other users: anyone who can change it can change "
        f"where your key is sent. Fix: chmod go-w {path}"
    )
