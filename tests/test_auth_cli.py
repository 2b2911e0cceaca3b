"""`llxprt auth login|logout|status` end to end: the real console script, a loopback fake
authorization server, and a file keyring the subprocess shares with the test."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from llxprt_runtime.auth.codex_auth import LoginPrompt
from llxprt_tui.auth_cli import prompt_lines
from tests.codex_fixtures import llxprt_code_token_json
from tests.wire.oauth_server import FakeAuthServer
from tests.wire.server import WireServer

LLXPRT = str(Path(sys.executable).with_name("llxprt"))
ROOT = Path(__file__).parents[1]


@pytest.fixture
def keyring_file(tmp_path: Path) -> Path:
    return tmp_path / "keyring.json"


def llxprt_auth(
    *args: str, server: FakeAuthServer, keyring_file: Path, browser: bool = True
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        LLXPRT_CODEX_AUTH_BASE=server.url,
        PYTHON_KEYRING_BACKEND="tests.keyrings.FileKeyring",
        LLXPRT_TEST_KEYRING_FILE=str(keyring_file),
        PYTHONPATH=str(ROOT),
    )
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        env.pop(var, None)
    if browser:
        env["BROWSER"] = f"{shlex.quote(sys.executable)} -m tests.wire.fake_browser %s"
    return subprocess.run(
        [LLXPRT, "auth", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )


def stored(keyring_file: Path) -> dict[str, dict[str, object]]:
    data = json.loads(keyring_file.read_text()) if keyring_file.exists() else {}
    return {k: json.loads(v) for k, v in data.items()}


def test_login_in_the_browser_then_status_then_logout(
    auth_server: FakeAuthServer, keyring_file: Path
) -> None:
    login = llxprt_auth("login", "codex", server=auth_server, keyring_file=keyring_file)

    assert login.returncode == 0, login.stderr
    assert "Your browser was opened to log in. If it did not open, visit:" in login.stdout
    assert f"{auth_server.url}/oauth/authorize?" in login.stdout
    assert "Logged in to codex (account acct-111…)." in login.stdout
    token = stored(keyring_file)["llxprt-code-oauth/codex:default"]
    assert token["account_id"] == auth_server.account_id
    assert token["access_token"] == auth_server.issued_access[0]
    assert auth_server.issued_access[0] not in login.stdout + login.stderr


def test_status_and_logout_of_a_login_llxprt_code_made(
    auth_server: FakeAuthServer, keyring_file: Path
) -> None:
    keyring_file.write_text(
        json.dumps(
            {
                "llxprt-code-oauth/codex:default": llxprt_code_token_json(
                    "fake-access-lc", "acct-11111111-2222", expires_in=7200
                )
            }
        )
    )
    status = llxprt_auth("status", server=auth_server, keyring_file=keyring_file)
    assert status.returncode == 0
    assert status.stdout.splitlines() == [
        "codex: logged in",
        "  default: account acct-111…, expires in 2 h",
    ]

    logout = llxprt_auth("logout", "codex", server=auth_server, keyring_file=keyring_file)
    assert logout.stdout.strip() == "Logged out of codex (bucket default)."
    assert stored(keyring_file) == {}
    after = llxprt_auth("status", "codex", server=auth_server, keyring_file=keyring_file)
    assert after.stdout.strip() == "codex: not logged in (llxprt auth login codex)"


def test_prompt_mode_uses_the_login(keyring_file: Path, wire: WireServer) -> None:
    keyring_file.write_text(
        json.dumps(
            {"llxprt-code-oauth/codex:default": llxprt_code_token_json("fake-access-p", "acct-p")}
        )
    )
    env = dict(os.environ)
    env.update(
        PYTHON_KEYRING_BACKEND="tests.keyrings.FileKeyring",
        LLXPRT_TEST_KEYRING_FILE=str(keyring_file),
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [
            LLXPRT,
            "-p",
            "hi codex",
            "--provider",
            "codex",
            "--baseurl",
            f"{wire.url}/backend-api/codex",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Echo: hi codex"
    (request,) = wire.chat_requests()
    assert request.headers["authorization"] == "Bearer fake-access-p"
    assert request.headers["chatgpt-account-id"] == "acct-p"
    assert request.headers["originator"] == "codex_cli_rs"


def test_device_login_into_a_bucket_and_logout_all(
    auth_server: FakeAuthServer, keyring_file: Path
) -> None:
    for bucket in ("work", "home"):
        login = llxprt_auth(
            "login",
            "codex",
            "--device",
            "--bucket",
            bucket,
            server=auth_server,
            keyring_file=keyring_file,
            browser=False,
        )
        assert login.returncode == 0, login.stderr
        assert "and enter the code:  WXYZ-1234" in login.stdout
        assert f"  {auth_server.url}/codex/device" in login.stdout
        assert f"Logged in to codex in bucket '{bucket}'" in login.stdout
    assert set(stored(keyring_file)) == {
        "llxprt-code-oauth/codex:work",
        "llxprt-code-oauth/codex:home",
    }
    logout = llxprt_auth("logout", "codex", "--all", server=auth_server, keyring_file=keyring_file)
    assert logout.stdout.strip() == "Logged out of codex (home, work)."
    assert stored(keyring_file) == {}


def test_without_a_browser_the_url_is_printed_and_bad_input_is_specific(
    auth_server: FakeAuthServer, keyring_file: Path
) -> None:
    lines = prompt_lines(LoginPrompt("browser", "https://auth.example/x\x1b[31m"))
    assert lines[0] == "Open this URL in a browser to log in:"
    assert "\x1b" not in "".join(lines)  # a hostile URL cannot reach the terminal raw

    claude = llxprt_auth("login", "claudecode", server=auth_server, keyring_file=keyring_file)
    assert claude.returncode == 2
    assert "Anthropic has asked third-party clients" in claude.stderr
    unknown = llxprt_auth("login", "acme", server=auth_server, keyring_file=keyring_file)
    assert unknown.returncode == 2
    assert "no login for 'acme' (logins: codex)" in unknown.stderr
    bad = llxprt_auth(
        "logout", "codex", "--bucket", "a b", server=auth_server, keyring_file=keyring_file
    )
    assert bad.returncode == 1 and "Bucket name 'a b' is invalid" in bad.stderr
    assert "Traceback" not in claude.stderr + unknown.stderr + bad.stderr
