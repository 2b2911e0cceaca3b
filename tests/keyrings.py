"""Real keyring backends for tests: subclasses of keyring's KeyringBackend, set per test."""

from __future__ import annotations

import threading
from collections.abc import Iterator

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


def use_keyring_backend(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make `backend` keyring's backend for the duration of a (generator) fixture."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
