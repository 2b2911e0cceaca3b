"""Three member profiles on three loopback servers with three keys from three sources, and
load-balancer profiles over them: shared by the runtime, -p and TUI load-balancer tests."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend

from llxprt_runtime.auth.secret_store import KEYRING_SERVICE
from tests.conftest import Dirs
from tests.providers.conftest import base_url
from tests.wire.server import RecordedRequest, WireServer


@dataclass(frozen=True)
class MemberSpec:
    name: str
    provider: str
    model: str
    key: str


# Each member is a different provider, and its key comes from a different source.
MEMBERS = (
    MemberSpec("lb-one", "openai", "model-one", "test-key-one"),  # OS keyring (auth-key-name)
    MemberSpec("lb-two", "anthropic", "model-two", "test-key-two"),  # auth-keyfile
    MemberSpec("lb-three", "gemini", "model-three", "test-key-three"),  # inline auth-key
)
NAMES = tuple(m.name for m in MEMBERS)


class FakeClock:
    """A clock the test moves by hand: breaker windows and recoveries without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def refused_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def write_profile(dirs: Dirs, name: str, data: dict[str, Any]) -> Path:
    path = dirs.config / "profiles" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    return path


def write_members(
    dirs: Dirs,
    servers: list[WireServer],
    keyring_backend: KeyringBackend | None,
    *,
    urls: dict[str, str] | None = None,
    provider: str | None = None,
) -> None:
    """The three member profiles; `keyring_backend` receives lb-one's key (None: the caller
    stores it elsewhere, e.g. a child process's file keyring). `provider` makes all three
    members that provider (a child process then imports one SDK, not three)."""
    one, two, three = MEMBERS
    if keyring_backend is not None:
        keyring_backend.set_password(KEYRING_SERVICE, "key-one", one.key)
    keyfile = dirs.home / "two.key"
    keyfile.write_text(two.key + "\n")
    keyfile.chmod(0o600)
    sources: dict[str, dict[str, Any]] = {
        one.name: {"auth-key-name": "key-one"},
        two.name: {"auth-keyfile": str(keyfile)},
        three.name: {"auth-key": three.key},
    }
    for member, server in zip(MEMBERS, servers, strict=True):
        kind = provider or member.provider
        url = (urls or {}).get(member.name) or base_url(kind, server)
        write_profile(
            dirs,
            member.name,
            {
                "version": 1,
                "provider": kind,
                "model": member.model,
                "modelParams": {"temperature": 0.3},
                "ephemeralSettings": {"base-url": url, **sources[member.name]},
            },
        )


def write_lb(
    dirs: Dirs, name: str, policy: str, members: tuple[str, ...] = NAMES, **settings: Any
) -> Path:
    """A load-balancer profile exactly as llxprt-code writes one."""
    return write_profile(
        dirs,
        name,
        {
            "version": 1,
            "type": "loadbalancer",
            "policy": policy,
            "profiles": list(members),
            "provider": "",
            "model": "",
            "modelParams": {},
            "ephemeralSettings": {"retrywait": 0, **settings},
        },
    )


def sent_model(request: RecordedRequest) -> str:
    if isinstance(request.body, dict) and "model" in request.body:
        return str(request.body["model"])
    return request.path.split("/models/")[1].split(":")[0]  # Gemini: in the path


@pytest.fixture
def servers() -> Iterator[list[WireServer]]:
    with WireServer() as a, WireServer() as b, WireServer() as c:
        yield [a, b, c]
