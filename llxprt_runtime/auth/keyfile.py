"""Reading API keys from keyfiles."""

from __future__ import annotations

from pathlib import Path

from llxprt_runtime.errors import KeyfileError
from llxprt_runtime.settings.registry import api_key_problem

MAX_KEYFILE_BYTES = 64 * 1024


def expand_keyfile_path(path: str) -> Path:
    """`~` expanded; relative paths are relative to the working directory."""
    return Path(path).expanduser()


def read_keyfile(path: str) -> str:
    """The key in the file (first non-blank line, stripped), or a KeyfileError saying why not."""
    file = expand_keyfile_path(path)
    try:
        if file.is_dir():
            raise KeyfileError(path, "is a directory, not a file")
        raw = file.read_bytes()[: MAX_KEYFILE_BYTES + 1]
    except FileNotFoundError:
        raise KeyfileError(path, "was not found") from None
    except PermissionError:
        raise KeyfileError(path, "is not readable (permission denied)") from None
    except OSError as exc:
        raise KeyfileError(
            path, f"is not readable ({exc.strerror or type(exc).__name__})"
        ) from None
    if len(raw) > MAX_KEYFILE_BYTES:
        raise KeyfileError(path, "is too large to be a keyfile")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyfileError(path, "is not a text file") from None
    for line in text.splitlines():
        if line.strip():
            if problem := api_key_problem(line.strip()):
                raise KeyfileError(path, f"holds a key that {problem}")
            return line.strip()
    raise KeyfileError(path, "is empty")
