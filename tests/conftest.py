"""Fixtures that build real things: isolated config dirs, a runtime registry, a keyring."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from llxprt_runtime import RuntimeRegistry, use_runtime_registry
from tests.keyrings import LockedKeyring, MemoryKeyring, use_keyring_backend
from tests.wire.oauth_server import FakeAuthServer
from tests.wire.server import WireServer

PROVIDER_ENV_VARS = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_BASE_URL",
    "GOOGLE_GEMINI_BASE_URL",
    "LLXPRT_PROFILE",
    "LLXPRT_CODEX_AUTH_BASE",
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Every built-in provider's module and SDK, imported once per process that runs tests,
    before the first: an SDK costs up to 1.5 s of CPU to import, which would otherwise land
    on whichever test first uses its provider (several times that on a loaded machine).
    That the app imports them lazily is checked in fresh interpreters (test_sdk_import,
    test_startup, test_import_hygiene)."""
    from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS
    from llxprt_runtime.providers.manager import import_provider_modules

    xdist_controller = not hasattr(session.config, "workerinput") and bool(
        session.config.getoption("numprocesses", None)
    )
    if not xdist_controller:  # the controller of `-n 2` runs no tests
        for info in BUILTIN_PROVIDERS.values():
            import_provider_modules(info)


@dataclass(frozen=True)
class Dirs:
    home: Path
    config: Path
    data: Path
    cache: Path
    log: Path

    def all(self) -> tuple[Path, ...]:
        return (self.home, self.config, self.data, self.cache, self.log)


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dirs:
    """Every test gets its own HOME and llxprt dirs, and no provider keys from the env."""
    d = Dirs(
        home=tmp_path / "home",
        config=tmp_path / "config",
        data=tmp_path / "data",
        cache=tmp_path / "cache",
        log=tmp_path / "log",
    )
    d.home.mkdir()
    monkeypatch.setenv("HOME", str(d.home))
    monkeypatch.setenv("LLXPRT_CONFIG_HOME", str(d.config))
    monkeypatch.setenv("LLXPRT_DATA_HOME", str(d.data))
    monkeypatch.setenv("LLXPRT_CACHE_HOME", str(d.cache))
    monkeypatch.setenv("LLXPRT_LOG_HOME", str(d.log))
    for var in PROVIDER_ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return d


@pytest.fixture(autouse=True)
def registry() -> Iterator[RuntimeRegistry]:
    with use_runtime_registry() as reg:
        yield reg


@pytest.fixture(autouse=True)
def memory_keyring(request: pytest.FixtureRequest) -> Iterator[KeyringBackend]:
    """A real (in-memory) keyring backend per test; Secret Service tests bring their own."""
    if request.node.get_closest_marker("secret_service"):
        yield keyring.get_keyring()
        return
    yield from use_keyring_backend(MemoryKeyring())


@pytest.fixture
def locked_keyring() -> Iterator[KeyringBackend]:
    """A keyring whose collection is locked, as gnome-keyring is before it is unlocked."""
    yield from use_keyring_backend(LockedKeyring())


@pytest.fixture
def auth_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAuthServer]:
    """A loopback fake of the OpenAI authorization server, used via LLXPRT_CODEX_AUTH_BASE."""
    with FakeAuthServer() as server:
        monkeypatch.setenv("LLXPRT_CODEX_AUTH_BASE", server.url)
        yield server


@pytest.fixture
def wire() -> Iterator[WireServer]:
    """A loopback server speaking the four vendors' protocols, recording every request."""
    with WireServer() as server:
        yield server
