"""Atomic, private file writes: a crash or a full disk never leaves a half-written file."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) with mode 0700; tighten an existing dir we own."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_DIR_MODE)


def write_private_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (temp file in the same dir, fsync, os.replace), 0600.

    On any failure the previous file stays intact and the temp file is removed. A symlink at
    `path` is replaced by a regular file, never followed.
    """
    ensure_private_dir(path.parent)
    tmp = _private_temp_copy(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_new_text(path: Path, text: str) -> None:
    """Write `text` to a new file at `path`, 0600, complete or not at all.

    Nothing already at `path` (a file, a symlink, a directory) is replaced or followed:
    FileExistsError. A missing folder is not created: FileNotFoundError. The text goes to a
    temp file in the same folder, which is then hard-linked into place (an atomic create).
    """
    tmp = _private_temp_copy(path, text)
    try:
        try:
            os.link(tmp, path)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
                raise
            # No hard links here (FAT, some network filesystems): create-exclusive instead.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            with os.fdopen(os.open(path, flags, PRIVATE_FILE_MODE), "w", encoding="utf-8") as f:
                f.write(text)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


# mkstemp's names above: "." + the file's name + "." + 8 random characters + ".tmp".
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
STALE_TEMP_SECONDS = 600  # older than any save in progress (another llxprt may be saving)


def remove_stale_temp_files(directory: Path, *, now: float | None = None) -> list[Path]:
    """Remove the temp files a killed save left in `directory`; the paths removed."""
    cutoff = (time.time() if now is None else now) - STALE_TEMP_SECONDS
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
    return removed


def _private_temp_copy(path: Path, text: str) -> Path:
    """`text` in a 0600 temp file beside `path`, flushed to disk; removed if writing fails."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp
