"""Codex tokens: llxprt-code's keyring JSON, refresh before expiry, the refresh lock file
shared with llxprt-code, revoked logins, no keyring, and runtime-scoped caches."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import keyring
import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth.codex_auth import OAuthLoginRequiredError
from llxprt_runtime.auth.oauth_tokens import parse_stored_token
from llxprt_runtime.auth.refresh_lock import (
    LockOwner,
    RefreshLock,
    RefreshLockTimeoutError,
    lock_path,
    owner_liveness,
)
from tests.codex_fixtures import (
    SERVICE,
    codex_of,
    llxprt_code_token_json,
    seed_token,
    stored,
)
from tests.conftest import Dirs
from tests.keyrings import MemoryKeyring, use_keyring_backend
from tests.wire.oauth_server import FakeAuthServer


def expired_token(server: FakeAuthServer, refresh: str = "fake-refresh-live") -> str:
    server.refresh_tokens[refresh] = True
    return llxprt_code_token_json("fake-access-old", "acct-old", refresh=refresh, expires_in=-5)


async def test_a_token_written_by_llxprt_code_is_read_and_unknown_fields_survive() -> None:
    text = llxprt_code_token_json("fake-access-lc", "acct-lc")
    data = json.loads(text)
    data["newer_field"] = {"kept": True}
    seed_token("default", json.dumps(data))
    runtime = await rs.activate_isolated_runtime_context()

    token = await codex_of(runtime).current_token()

    assert (token.access_token, token.account_id) == ("fake-access-lc", "acct-lc")
    assert json.loads(token.to_json()) == data  # a rewrite keeps every field
    assert "fake-access-lc" not in repr(token)


async def test_expiry_counts_30_seconds_early() -> None:
    token = parse_stored_token(llxprt_code_token_json("a", "b", expires_in=100))
    assert not token.expired(token.expiry - 31)
    assert token.expired(token.expiry - 30)


async def test_refresh_before_expiry_with_a_new_refresh_token(
    auth_server: FakeAuthServer, dirs: Dirs
) -> None:
    seed_token("default", expired_token(auth_server))
    runtime = await rs.activate_isolated_runtime_context()

    token = await codex_of(runtime).current_token()

    (refresh,) = auth_server.grants("refresh_token")
    assert refresh.form == {
        "grant_type": "refresh_token",
        "refresh_token": "fake-refresh-live",
        "client_id": "app_EMoamEEZ73f0CkXaXp7hrann",
    }
    assert token.access_token == auth_server.issued_access[-1]
    assert token.refresh_token not in (None, "fake-refresh-live")  # rotated
    assert token.account_id == "acct-old"  # the answer had no id_token: the account is kept
    assert stored() == json.loads(token.to_json())
    assert not token.expired()
    assert not lock_path("codex", None, dirs.log / "oauth" / "locks").exists()  # released


async def test_refresh_without_a_new_refresh_token_keeps_the_old_one(
    auth_server: FakeAuthServer,
) -> None:
    auth_server.rotate_refresh_tokens = False
    seed_token("default", expired_token(auth_server))
    runtime = await rs.activate_isolated_runtime_context()

    token = await codex_of(runtime).current_token()

    assert token.refresh_token == "fake-refresh-live"
    assert token.access_token == auth_server.issued_access[-1]
    saved = stored()
    assert saved is not None and saved["refresh_token"] == "fake-refresh-live"
    assert saved["account_id"] == "acct-old"


async def test_a_revoked_refresh_token_asks_to_log_in_again(
    auth_server: FakeAuthServer,
) -> None:
    seed_token("work", expired_token(auth_server))
    auth_server.revoke_all_refresh_tokens()
    runtime = await rs.activate_isolated_runtime_context()

    with pytest.raises(OAuthLoginRequiredError) as caught:
        await codex_of(runtime).current_token("work")

    message = str(caught.value)
    assert "revoked or has expired" in message and "already been used or was revoked" in message
    assert "Log in again with `llxprt auth login codex --bucket work`" in message
    assert "`/auth codex login work`" in message
    assert "fake-refresh-live" not in message


async def test_not_logged_in_is_a_clear_message() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    with pytest.raises(OAuthLoginRequiredError, match=r"Not logged in to codex\. Log in with"):
        await codex_of(runtime).current_token()


# --- the refresh lock -------------------------------------------------------------------


def test_lock_path_and_owner_record_are_llxprt_codes(dirs: Dirs) -> None:
    locks = dirs.log / "oauth" / "locks"
    assert lock_path("codex") == locks / "codex-refresh.lock"
    assert lock_path("codex", "work") == locks / "codex-work-refresh.lock"
    lock = RefreshLock(lock_path("codex"))
    assert lock.try_claim()
    record = json.loads(lock.path.read_text())
    assert set(record) == {
        "version",
        "ownerToken",
        "pid",
        "hostname",
        "startTimeMs",
        "startTimeSource",
    }
    assert record["version"] == 1 and record["pid"] == os.getpid()
    assert record["hostname"] == socket.gethostname()
    assert record["startTimeSource"] == "canonical"  # from /proc on Linux
    assert oct(lock.path.stat().st_mode & 0o777) == "0o600"
    assert not RefreshLock(lock.path).try_claim()  # held: a second owner cannot claim it
    lock.release()
    assert not lock.path.exists()
    assert [p.name for p in lock.path.parent.iterdir()] == []  # no temp file left behind


async def test_a_lock_held_by_a_live_process_is_waited_for_then_times_out(
    auth_server: FakeAuthServer, dirs: Dirs
) -> None:
    seed_token("default", expired_token(auth_server))
    holder = RefreshLock(lock_path("codex"))
    assert holder.try_claim()
    runtime = await rs.activate_isolated_runtime_context()
    codex = codex_of(runtime)
    codex._lock_wait = 0.0

    with pytest.raises(RefreshLockTimeoutError, match="Another llxprt or llxprt-code process"):
        await codex.current_token()
    assert auth_server.grants("refresh_token") == []  # nobody spent the refresh token
    assert holder.path.exists()
    holder.release()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def test_a_stale_lock_of_a_dead_process_is_taken_over(
    auth_server: FakeAuthServer,
) -> None:
    seed_token("default", expired_token(auth_server))
    path = lock_path("codex")
    path.parent.mkdir(parents=True)
    # As llxprt-code writes it, by a process that has since died.
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "ownerToken": "3f2b8c1e-dead-4bad-8bad-000000000001",
                "pid": _dead_pid(),
                "hostname": socket.gethostname(),
                "startTimeMs": 1_700_000_000_000,
                "startTimeSource": "canonical",
            }
        )
    )
    runtime = await rs.activate_isolated_runtime_context()

    token = await codex_of(runtime).current_token()

    assert token.access_token == auth_server.issued_access[-1]
    assert not path.exists()


async def test_an_older_llxprt_codes_lock_of_a_dead_process_is_taken_over(
    auth_server: FakeAuthServer,
) -> None:
    seed_token("default", expired_token(auth_server))
    path = lock_path("codex")
    path.parent.mkdir(parents=True)
    legacy = {"pid": _dead_pid(), "timestamp": 1_700_000_000_000, "token": "old-style-token"}
    path.write_text(json.dumps(legacy))
    runtime = await rs.activate_isolated_runtime_context()

    token = await codex_of(runtime).current_token()

    assert token.access_token == auth_server.issued_access[-1]
    assert not path.exists()


def test_liveness_follows_llxprt_codes_probe() -> None:
    me = LockOwner.current()
    assert owner_liveness(me) == "live"
    reused = LockOwner("t", me.pid, me.hostname, me.start_time_ms - 60_000, "canonical")
    assert owner_liveness(reused) == "dead"  # same pid, another start time: pid reused
    elsewhere = LockOwner("t", me.pid, "another-host", me.start_time_ms, "canonical")
    assert owner_liveness(elsewhere) == "unverifiable"
    approximate = LockOwner("t", me.pid, me.hostname, 0, "approximate")
    assert owner_liveness(approximate) == "unverifiable"


class GatedKeyring(MemoryKeyring):
    """Counts reads of one account, so a test can wait for the n-th one."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.changed = threading.Condition()

    def get_password(self, service: str, username: str) -> str | None:
        value = super().get_password(service, username)
        if (service, username) == (SERVICE, "codex:default"):
            with self.changed:
                self.reads += 1
                self.changed.notify_all()
        return value

    def wait_for_reads(self, count: int) -> bool:
        # No deadline: ten seconds ran out on a loaded machine; pytest-timeout ends a hang.
        with self.changed:
            return self.changed.wait_for(lambda: self.reads >= count)


@pytest.fixture
def gated() -> Iterator[GatedKeyring]:
    backend = GatedKeyring()
    yield from use_keyring_backend(backend)  # type: ignore[misc]


async def test_a_refresh_made_by_another_process_while_we_waited_is_used(
    auth_server: FakeAuthServer, gated: GatedKeyring
) -> None:
    seed_token("default", expired_token(auth_server))
    other = RefreshLock(lock_path("codex"))  # llxprt-code, mid-refresh
    assert other.try_claim()
    runtime = await rs.activate_isolated_runtime_context()
    waiting = asyncio.create_task(codex_of(runtime).current_token())
    # Once our first read has found the token expired, we can only be waiting for the lock.
    assert await asyncio.to_thread(gated.wait_for_reads, 1)
    seed_token("default", llxprt_code_token_json("fake-access-theirs", "acct-old"))
    other.release()

    token = await waiting

    assert token.access_token == "fake-access-theirs"
    assert gated.reads == 2  # read again under the lock
    assert auth_server.grants("refresh_token") == []  # we did not spend it again


# --- no keyring, scopes -------------------------------------------------------------------


async def test_without_a_keyring_the_login_stays_in_this_runtime_and_never_in_a_file(
    auth_server: FakeAuthServer, locked_keyring: object, dirs: Dirs
) -> None:
    from tests.runtime.test_codex_login import follow_in_browser

    first = await rs.activate_isolated_runtime_context()
    second = await rs.activate_isolated_runtime_context()

    async def on_prompt(prompt: object) -> None:
        await asyncio.to_thread(follow_in_browser, prompt.url)  # type: ignore[attr-defined]

    result = await codex_of(first).login(on_prompt, ports=(0,))

    assert not result.outcome.persisted
    assert "No keyring is available" in result.message
    assert "kept for this process only" in result.message
    token = await codex_of(first).current_token()
    assert token.access_token == auth_server.issued_access[0]
    with pytest.raises(OAuthLoginRequiredError):
        await codex_of(second).current_token()
    for directory in dirs.all():
        for path in directory.rglob("*"):
            if path.is_file():
                assert token.access_token not in path.read_text(errors="replace"), path
                assert str(token.refresh_token) not in path.read_text(errors="replace"), path


async def test_logout_removes_the_login_and_flushes_only_that_runtimes_cache() -> None:
    seed_token("default", llxprt_code_token_json("fake-access-shared", "acct-1"))
    a = await rs.activate_isolated_runtime_context()
    b = await rs.activate_isolated_runtime_context()
    for runtime in (a, b):
        await rs.switch_active_provider("codex", runtime=runtime)
        credential = await runtime.oauth_manager.get_credential("codex")
        assert credential is not None and credential.headers == {"ChatGPT-Account-ID": "acct-1"}

    assert await a.oauth_manager.logout("codex") == 1

    assert keyring.get_password(SERVICE, "codex:default") is None
    assert a.token_cache.scopes() == []
    assert [s.provider_id for s in b.token_cache.scopes()] == ["codex"]
