"""`llxprt -p --profile-load LB`: the real console script on a load-balancer profile (its
members all speak OpenAI here, so each child process imports one SDK; the runtime tests
cover members of different providers)."""

from __future__ import annotations

import json
import os
import subprocess

from llxprt_runtime.auth.secret_store import KEYRING_SERVICE
from tests.conftest import Dirs
from tests.providers.conftest import sent_key
from tests.providers.lb_fixtures import MEMBERS, sent_model, servers, write_lb, write_members
from tests.test_oneshot import LLXPRT
from tests.wire.server import Fault, WireServer

__all__ = ["servers"]  # the fixture, imported for this module's tests


def run(dirs: Dirs, *args: str) -> subprocess.CompletedProcess[str]:
    keyring_file = dirs.home / "keyring.json"
    keyring_file.write_text(json.dumps({f"{KEYRING_SERVICE}/key-one": MEMBERS[0].key}))
    env = dict(
        os.environ,
        PYTHON_KEYRING_BACKEND="tests.keyrings.FileKeyring",
        LLXPRT_TEST_KEYRING_FILE=str(keyring_file),
    )
    return subprocess.run([LLXPRT, *args], input="", capture_output=True, text=True, env=env)


def test_oneshot_fails_over_to_the_next_member(dirs: Dirs, servers: list[WireServer]) -> None:
    write_members(dirs, servers, None, provider="openai")
    write_lb(dirs, "fo", "failover", failover_retry_count=0)
    servers[0].enqueue(Fault(status=500, message="down"))
    result = run(dirs, "-p", "hello", "--profile-load", "fo", "--output-format", "json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["response"] == "Echo: hello"
    assert payload["model"] == "model-two"
    first, second = servers[0].chat_requests()[0], servers[1].chat_requests()[0]
    assert (sent_key(first), sent_model(first)) == (MEMBERS[0].key, MEMBERS[0].model)
    assert (sent_key(second), sent_model(second)) == (MEMBERS[1].key, MEMBERS[1].model)
    assert servers[2].chat_requests() == []


def test_oneshot_round_robin_uses_the_first_member(dirs: Dirs, servers: list[WireServer]) -> None:
    write_members(dirs, servers, None, provider="openai")
    write_lb(dirs, "rr", "roundrobin")
    result = run(dirs, "-p", "hi", "--profile-load", "rr")
    assert (result.returncode, result.stdout) == (0, "Echo: hi\n")
    assert [len(s.chat_requests()) for s in servers] == [1, 0, 0]
    assert sent_key(servers[0].chat_requests()[0]) == MEMBERS[0].key


def test_oneshot_all_members_failing_exits_1_naming_them(
    dirs: Dirs, servers: list[WireServer]
) -> None:
    write_members(dirs, servers, None, provider="openai")
    write_lb(dirs, "fo", "failover", failover_retry_count=0)
    for server in servers:
        server.enqueue(Fault(status=503, message="busy"))
    result = run(dirs, "-p", "hi", "--profile-load", "fo")
    assert result.returncode == 1
    assert "All members of load balancer 'fo' failed" in result.stderr
    assert all(m.name in result.stderr for m in MEMBERS)
    assert not any(m.key in result.stderr for m in MEMBERS)
    assert len(result.stderr.strip().splitlines()) == 1


def test_oneshot_broken_member_exits_2(dirs: Dirs, servers: list[WireServer]) -> None:
    write_members(dirs, servers, None, provider="openai")
    write_lb(dirs, "fo", "failover", ("lb-one", "ghost"))
    result = run(dirs, "-p", "hi", "--profile-load", "fo")
    assert result.returncode == 2
    assert "member profile 'ghost' not found" in result.stderr
