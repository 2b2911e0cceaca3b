"""llxprt-code's OAuth refresh lock file, so llxprt and llxprt-code never both spend one
refresh token (the server revokes a refresh token once used: the loser would be logged out).

Path `<log dir>/oauth/locks/<provider>[-<bucket>]-refresh.lock` (no bucket part for
`default`). The lock is claimed by hard-linking a fully written temp file to that path, so
the lock file never exists half-written; its JSON is llxprt-code's owner record
`{version: 1, ownerToken, pid, hostname, startTimeMs, startTimeSource}`. A lock whose owner
is provably gone (same host, no such pid, or a pid reused by a process that started at
another time) is stale and taken over; one whose owner cannot be checked is waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from llxprt_runtime import paths
from llxprt_runtime.atomic import ensure_private_dir
from llxprt_runtime.auth.oauth_tokens import DEFAULT_BUCKET, validate_bucket
from llxprt_runtime.errors import LlxprtError

LOCK_VERSION = 1
DEFAULT_WAIT_SECONDS = 10.0  # llxprt-code's DEFAULT_LOCK_WAIT_MS
POLL_SECONDS = 0.1
_START_TOLERANCE_MS = 2000  # llxprt-code's PROCESS_START_TOLERANCE_MS

StartTimeSource = Literal["canonical", "approximate", "unavailable"]
Liveness = Literal["live", "dead", "unverifiable"]


class RefreshLockTimeoutError(LlxprtError):
    def __init__(self, path: Path, waited: float) -> None:
        self.path = path
        super().__init__(
            f"Another llxprt or llxprt-code process is refreshing this login (lock {path} held "
            f"for over {waited:.0f} s). Try again in a moment; if no other process runs, "
            "delete that lock file."
        )


def lock_path(provider: str, bucket: str | None = None, lock_dir: Path | None = None) -> Path:
    name = validate_bucket(provider)
    resolved = validate_bucket(bucket)
    directory = lock_dir if lock_dir is not None else paths.log_dir() / "oauth" / "locks"
    stem = name if resolved == DEFAULT_BUCKET else f"{name}-{resolved}"
    return directory / f"{stem}-refresh.lock"


def process_start_ms(pid: int) -> int | None:
    """When `pid` started (ms since the epoch), from /proc; None where that is not known."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, ValueError):
        return None
    # Field 22 (starttime, in clock ticks since boot) counted after the ")" that ends comm.
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        ticks = int(fields[19])
    except (IndexError, ValueError):
        return None
    return int((boot + ticks / os.sysconf("SC_CLK_TCK")) * 1000)


@dataclass(frozen=True, slots=True)
class LockOwner:
    owner_token: str
    pid: int
    hostname: str
    start_time_ms: float
    start_time_source: StartTimeSource
    version: int = LOCK_VERSION

    @staticmethod
    def current() -> LockOwner:
        started = process_start_ms(os.getpid())
        source: StartTimeSource = "canonical" if started is not None else "approximate"
        if started is None:
            started = int(time.time() * 1000 - time.monotonic() * 1000)
        return LockOwner(str(uuid.uuid4()), os.getpid(), socket.gethostname(), started, source)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "ownerToken": self.owner_token,
                "pid": self.pid,
                "hostname": self.hostname,
                "startTimeMs": self.start_time_ms,
                "startTimeSource": self.start_time_source,
            }
        )


def parse_owner(text: str) -> LockOwner | None:
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if "version" not in data:
        return _legacy_owner(data)
    if data.get("version") != LOCK_VERSION:
        return None
    token, pid, host, start = (
        data.get("ownerToken"),
        data.get("pid"),
        data.get("hostname"),
        data.get("startTimeMs"),
    )
    if not (isinstance(token, str) and token and isinstance(host, str) and host):
        return None
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return None
    if isinstance(start, bool) or not isinstance(start, int | float):
        return None
    raw_source = data.get("startTimeSource")
    source: StartTimeSource = "approximate"
    if raw_source in ("canonical", "unavailable"):
        source = "canonical" if raw_source == "canonical" else "unavailable"
    return LockOwner(token, pid, host, float(start), source)


def _legacy_owner(data: dict[str, Any]) -> LockOwner | None:
    """Older llxprt-code wrote `{pid, timestamp, token}` (no host: the lock dir is local).
    Its owner is only checked for a missing pid, as llxprt-code's legacy recovery does."""
    pid, token = data.get("pid"), data.get("token")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return None
    if not isinstance(token, str) or not token:
        return None
    return LockOwner(token, pid, socket.gethostname(), 0.0, "unavailable")


def owner_liveness(owner: LockOwner | None) -> Liveness:
    """llxprt-code's probe: only a same-host owner can be checked; a missing pid is dead; a
    pid whose start time differs from the recorded canonical one was reused (dead)."""
    if owner is None or owner.hostname != socket.gethostname():
        return "unverifiable"
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return "dead"
    except OSError:
        return "unverifiable"
    if owner.start_time_source != "canonical":
        return "unverifiable"
    observed = process_start_ms(owner.pid)
    if observed is None:
        return "unverifiable"
    return "dead" if abs(observed - owner.start_time_ms) > _START_TOLERANCE_MS else "live"


class RefreshLock:
    """One claim on a refresh lock file: `async with lock.hold(): ...`."""

    def __init__(self, path: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
        self.path = path
        self.wait_seconds = wait_seconds
        self.owner = LockOwner.current()

    def try_claim(self) -> bool:
        """One attempt, taking over a stale lock (blocking file calls: run it in a thread)."""
        ensure_private_dir(self.path.parent)
        if self._link_attempt():
            return True
        if owner_liveness(self._read_owner()) == "dead":
            self._remove_stale()
            return self._link_attempt()
        return False

    def _link_attempt(self) -> bool:
        temp = self.path.with_name(f".{self.path.name}.{self.owner.owner_token}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.owner.to_json())
            os.link(temp, self.path)
            return True
        except FileExistsError:
            return False
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()

    def _read_owner(self) -> LockOwner | None:
        try:
            return parse_owner(self.path.read_text(encoding="utf-8")[:4096])
        except OSError:
            return None

    def _remove_stale(self) -> None:
        # Rename away first, then check it is still the dead owner's file: a live process
        # that claimed the lock between our read and the rename gets its file put back.
        owner = self._read_owner()
        aside = self.path.with_name(f".{self.path.name}.{self.owner.owner_token}.stale")
        try:
            self.path.rename(aside)
        except OSError:
            return
        moved = None
        with contextlib.suppress(OSError):
            moved = parse_owner(aside.read_text(encoding="utf-8")[:4096])
        if owner is not None and moved is not None and moved.owner_token != owner.owner_token:
            with contextlib.suppress(OSError):
                os.link(aside, self.path)
        with contextlib.suppress(OSError):
            aside.unlink()

    def release(self) -> None:
        """Remove the lock file if it is still ours."""
        current = self._read_owner()
        if current is not None and current.owner_token == self.owner.owner_token:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    async def acquire(self) -> None:
        deadline = time.monotonic() + self.wait_seconds
        while not await asyncio.to_thread(self.try_claim):
            if time.monotonic() >= deadline:
                raise RefreshLockTimeoutError(self.path, self.wait_seconds)
            await asyncio.sleep(POLL_SECONDS)

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            await asyncio.to_thread(self.release)
