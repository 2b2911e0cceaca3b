"""Real keyring backends for tests: subclasses of keyring's KeyringBackend, set per test."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """An in-memory backend that also records which threads called it."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}
        self.calling_threads: list[str] = []

    def _record(self) -> None:
        self.calling_threads.append(threading.current_thread().name)

    def get_password(self, service: str, username: str) -> str | None:
        self._record()
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._record()
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._record()
        if (service, username) not in self.passwords:
            raise PasswordDeleteError("not found")
        del self.passwords[(service, username)]


class LockedKeyring(KeyringBackend):
    """A backend whose collection is locked, as gnome-keyring is before --unlock."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class DroppingKeyring(KeyringBackend):
    """A backend that accepts every write and keeps nothing, as keyring's `null` backend
    does (or a misconfigured one that writes to where it never reads back)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes += 1

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError("not found")


def use_keyring_backend(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make `backend` keyring's backend for the duration of a (generator) fixture."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class FileKeyring(KeyringBackend):
    """A JSON-file backend for child processes (`PYTHON_KEYRING_BACKEND=tests.keyrings.
    FileKeyring`, file in `LLXPRT_TEST_KEYRING_FILE`), so a test can hand a subprocess a key."""

    priority = 1

    @property
    def _file(self) -> Path:
        return Path(os.environ["LLXPRT_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        return json.loads(self._file.read_text()) if self._file.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._file.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._file.write_text(json.dumps(data))
