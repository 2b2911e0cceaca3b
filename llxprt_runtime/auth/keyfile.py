"""Reading API keys from keyfiles: regular files only (see file_reads), private to the user.

A keyfile is read when it is set (/keyfile, --keyfile, a profile) and its key kept by the
runtime's resolver, so requests never touch the disk. `allow_pipe` is for one read at
start-up only: `--keyfile <(pass show openai)` names a pipe that can be read once.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from llxprt_runtime.errors import KeyfileError
from llxprt_runtime.file_reads import (
    KEYFILE_LIMIT,
    FileReadError,
    others_can_read,
    others_can_write,
    read_bounded,
    writable_warning,
)
from llxprt_runtime.settings.registry import api_key_problem

MAX_KEYFILE_BYTES = KEYFILE_LIMIT


@dataclass(frozen=True, slots=True)
class Keyfile:
    key: str = field(repr=False)
    warnings: tuple[str, ...] = ()


def expand_keyfile_path(path: str) -> Path:
    """`~` expanded; relative paths are relative to the working directory."""
    return Path(path).expanduser()


def read_keyfile(path: str, *, allow_pipe: bool = False) -> Keyfile:
    """The key in the file (first non-blank line, stripped), or a KeyfileError saying why not.
    Blocking: call it in a worker thread."""
    file = expand_keyfile_path(path)
    try:
        read = read_bounded(file, KEYFILE_LIMIT, allow_pipe=allow_pipe)
    except FileReadError as exc:
        raise KeyfileError(path, exc.reason) from None
    except FileNotFoundError:
        raise KeyfileError(path, "was not found") from None
    except PermissionError:
        raise KeyfileError(path, "is not readable (permission denied)") from None
    except OSError as exc:
        raise KeyfileError(
            path, f"is not readable ({exc.strerror or type(exc).__name__})"
        ) from None
    warnings: tuple[str, ...] = ()
    if stat.S_ISREG(read.mode):  # a pipe's mode says nothing about who else can read it
        if others_can_read(read.mode):
            raise KeyfileError(
                path,
                f"is readable by other users, so it is not used for a key. Fix: chmod 600 {path}",
            )
        if others_can_write(read.mode):
            warnings = (writable_warning(path, "Keyfile"),)
    try:
        text = read.data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyfileError(path, "is not a text file") from None
    for line in text.splitlines():
        if line.strip():
            if problem := api_key_problem(line.strip()):
                raise KeyfileError(path, f"holds a key that {problem}")
            return Keyfile(line.strip(), warnings)
    raise KeyfileError(path, "is empty")
