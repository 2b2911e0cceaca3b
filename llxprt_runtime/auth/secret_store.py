"""SecretStore: API keys in the OS keyring, shared with llxprt-code.

Service `llxprt-code-provider-keys`, account = the key's name. Every keyring call runs in
a worker thread (Secret Service calls are blocking D-Bus round trips). When no usable
backend exists the caller gets KeyringUnavailableError; there is no plaintext fallback.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar, cast

from llxprt_runtime.atomic import write_private_text
from llxprt_runtime.errors import InvalidKeyNameError, KeyringUnavailableError, SecretStoreError
from llxprt_runtime.file_reads import read_text
from llxprt_runtime.settings.registry import KEY_NAME_PATTERN, check_api_key

_log = logging.getLogger(__name__)

KEYRING_SERVICE = "llxprt-code-provider-keys"
_T = TypeVar("_T")


def validate_key_name(name: str) -> str:
    if not KEY_NAME_PATTERN.match(name):
        raise InvalidKeyNameError(name)
    return name


class SecretStore:
    """Named API keys in the OS keyring.

    `index_file` remembers the *names* saved through llxprt (never values), because the
    keyring API cannot enumerate accounts on every backend; on Secret Service the keyring
    itself is searched too, so keys saved by llxprt-code are listed as well.
    """

    def __init__(self, index_file: Path, service: str = KEYRING_SERVICE) -> None:
        self.service = service
        self._index_file = index_file

    async def get(self, name: str) -> str | None:
        validate_key_name(name)
        return await self._call(lambda kr: kr.get_password(self.service, name))

    async def save(self, name: str, value: str) -> None:
        validate_key_name(name)
        if not value.strip():
            raise SecretStoreError("API key value cannot be empty.")
        key = check_api_key(value)
        await self._call(lambda kr: self._write_and_read_back(kr, name, key))
        await asyncio.to_thread(self._update_index, add=name)

    async def delete(self, name: str) -> bool:
        """Delete a key; False when no such key existed."""
        validate_key_name(name)

        def delete(kr: _KeyringModule) -> bool:
            from keyring.errors import PasswordDeleteError

            if kr.get_password(self.service, name) is None:
                return False
            try:
                kr.delete_password(self.service, name)
            except PasswordDeleteError:
                return False
            return True

        deleted = await self._call(delete)
        await asyncio.to_thread(self._update_index, remove=name)
        return deleted

    async def exists(self, name: str) -> bool:
        return await self.get(name) is not None

    async def list_names(self) -> list[str]:
        """Names of the saved keys (from the keyring where it can enumerate, and our index)."""
        await self.check_available()  # "none" must not hide a keyring that is not there
        enumerated = await self._call(self._enumerate)
        indexed = await asyncio.to_thread(self._read_index)
        names = set(enumerated)
        for name in indexed - names:
            if await self.get(name) is not None:
                names.add(name)
        return sorted(names)

    async def check_available(self) -> None:
        """Raise KeyringUnavailableError unless a usable backend answers."""
        await self._call(lambda kr: kr.get_password(self.service, "__llxprt_probe__"))

    # --- internals ----------------------------------------------------------------------

    def _write_and_read_back(self, kr: _KeyringModule, name: str, key: str) -> None:
        """Store `key`, then read it back: a backend that accepts writes and keeps nothing
        (keyring's `null` backend, a misconfigured one) is no keyring at all."""
        kr.set_password(self.service, name, key)
        if kr.get_password(self.service, name) != key:
            backend = type(kr.get_keyring())
            raise KeyringUnavailableError(
                f"the keyring backend {backend.__module__}.{backend.__qualname__} "
                "did not keep the key"
            )

    async def _call(self, operation: Callable[[_KeyringModule], _T]) -> _T:
        return await asyncio.to_thread(self._call_sync, operation)

    def _call_sync(self, operation: Callable[[_KeyringModule], _T]) -> _T:
        import keyring
        from keyring.errors import KeyringError, KeyringLocked, NoKeyringError

        try:
            return operation(cast(_KeyringModule, keyring))
        except KeyringUnavailableError:
            raise
        except NoKeyringError as exc:
            raise KeyringUnavailableError("no keyring backend is installed") from exc
        except KeyringLocked as exc:
            raise KeyringUnavailableError("the keyring is locked") from exc
        except KeyringError as exc:
            raise KeyringUnavailableError(f"the keyring failed: {type(exc).__name__}") from exc
        except RuntimeError as exc:  # e.g. Secret Service without a session bus
            raise KeyringUnavailableError(f"the keyring could not start: {exc}") from exc
        except OSError as exc:  # a D-Bus socket that went away
            reason = exc.strerror or type(exc).__name__
            raise KeyringUnavailableError(f"the keyring failed: {reason}") from exc
        except Exception as exc:  # a broken backend must not take the app down
            # Only the type: a backend's own message could repeat what it was given.
            raise KeyringUnavailableError(f"the keyring failed: {type(exc).__name__}") from exc

    def _enumerate(self, kr: _KeyringModule) -> list[str]:
        backend = kr.get_keyring()
        if type(backend).__module__ != "keyring.backends.SecretService":
            return []
        collection = backend.get_preferred_collection()  # type: ignore[attr-defined]
        names = []
        for item in collection.search_items({"service": self.service}):
            username = item.get_attributes().get("username")
            if username and KEY_NAME_PATTERN.match(username):
                names.append(str(username))
        return names

    def _read_index(self) -> set[str]:
        try:
            data = json.loads(read_text(self._index_file))
        except (OSError, ValueError):  # missing, special, not UTF-8 or not JSON: no names
            return set()
        if not isinstance(data, list):
            return set()
        return {n for n in data if isinstance(n, str) and KEY_NAME_PATTERN.match(n)}

    def _update_index(self, *, add: str | None = None, remove: str | None = None) -> None:
        names = self._read_index()
        if add:
            names.add(add)
        if remove:
            names.discard(remove)
        try:
            write_private_text(self._index_file, json.dumps(sorted(names), indent=2) + "\n")
        except OSError:
            _log.warning("could not update the key-name index at %s", self._index_file)


class _KeyringModule(Protocol):
    """The parts of the `keyring` module we call (typing only)."""

    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...
    def get_keyring(self) -> object: ...
