"""`llxprt serve` without a browser: its flags, the host check, the missing extra, the token
comparison and what an app process may ask the page to do."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest
from textual_serve.download_manager import DownloadManager

from llxprt_tui.serve.command import MISSING_EXTRA, app_command, build_serve_parser, page_url
from llxprt_tui.serve.server import GuardedAppService, token_matches


def llxprt_serve(*flags: str, code: str = "") -> subprocess.CompletedProcess[str]:
    program = f"{code}\nimport sys\nfrom llxprt_tui.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", program, "serve", *flags],
        capture_output=True,
        text=True,
    )


def test_a_host_other_than_loopback_is_refused_without_allow_remote() -> None:
    result = llxprt_serve("--host", "0.0.0.0")
    assert result.returncode == 2 and result.stdout == ""
    assert "--host 0.0.0.0 is not loopback" in result.stderr
    assert "--allow-remote" in result.stderr and "SSH tunnel" in result.stderr


def test_allow_remote_warns_that_keys_cross_the_connection() -> None:
    # 192.0.2.1 is a documentation address no machine has: it warns, then cannot bind.
    result = llxprt_serve("--host", "192.0.2.1", "--allow-remote", "--port", "0")
    assert "keys typed in the page travel over this connection" in result.stderr
    assert "ssh -L" in result.stderr
    assert result.returncode == 1 and "cannot listen on 192.0.2.1" in result.stderr
    assert "token=" not in result.stdout + result.stderr


def test_key_is_refused_with_the_alternatives() -> None:
    result = llxprt_serve("--key", "not-a-real-key")
    assert result.returncode == 2
    assert "--key-name" in result.stderr and "--keyfile" in result.stderr


def test_max_apps_below_one_is_refused() -> None:
    result = llxprt_serve("--max-apps", "0")
    assert result.returncode == 2
    assert "--max-apps 0: at least 1" in result.stderr


def test_a_missing_serve_extra_is_named() -> None:
    result = llxprt_serve(code="import sys\nsys.modules['textual_serve'] = None")
    assert result.returncode == 2
    assert result.stderr.strip() == MISSING_EXTRA
    assert "pip install 'llxprt[serve]'" in MISSING_EXTRA


def test_start_up_flags_reach_the_app_command_quoted() -> None:
    hostile = "x=$(touch /tmp/llxprt-pwned); echo 'quoted'"
    args = build_serve_parser().parse_args(
        [
            "--provider",
            "openai",
            "--baseurl",
            "http://127.0.0.1:9/v1",
            "--set",
            hostile,
            "--set",
            "modelparam.temperature=0.2",
            "-m",
            "model a",
        ]
    )
    assert shlex.split(app_command(args)) == [
        sys.executable,
        "-m",
        "llxprt_tui.cli",
        "--provider",
        "openai",
        "--model",
        "model a",
        "--baseurl",
        "http://127.0.0.1:9/v1",
        "--set",
        hostile,
        "--set",
        "modelparam.temperature=0.2",
    ]


def test_page_url_brackets_an_ipv6_host() -> None:
    assert page_url("::1", 8000, "t") == "http://[::1]:8000/?token=t"
    assert page_url("127.0.0.1", 8000, "t") == "http://127.0.0.1:8000/?token=t"


@pytest.mark.parametrize(
    ("given", "matches"),
    [
        ("right-token", True),
        ("right-tokex", False),
        ("", False),
        ("right-token2", False),
        ("é\udcff", False),
    ],
)
def test_token_comparison(given: str, matches: bool) -> None:
    assert token_matches(given, "right-token") is matches


@pytest.mark.parametrize(
    ("meta", "sent"),
    [
        (
            {"type": "open_url", "url": "https://example.org/a", "new_tab": False},
            ["open_url", {"url": "https://example.org/a", "new_tab": True}],
        ),
        ({"type": "open_url", "url": "javascript:alert(1)", "new_tab": True}, None),
        ({"type": "open_url", "url": "file:///etc/passwd", "new_tab": True}, None),
        ({"type": "open_url", "url": " data:text/html,<b>x</b>", "new_tab": True}, None),
        (
            {
                "type": "deliver_file_start",
                "key": "k",
                "path": "/etc/passwd",
                "open_method": "download",
                "mime_type": "text/plain",
                "encoding": None,
            },
            None,
        ),
    ],
)
async def test_an_app_may_only_open_web_links_in_a_new_tab(
    meta: dict[str, object], sent: list[object] | None
) -> None:
    to_page: list[str] = []

    async def write_str(text: str) -> None:
        to_page.append(text)

    async def ignore(*_args: object) -> None:
        return None

    service = GuardedAppService(
        "true",
        write_bytes=ignore,
        write_str=write_str,
        close=ignore,
        download_manager=DownloadManager(),
    )
    await service.on_meta(json.dumps(meta).encode())
    assert [json.loads(text) for text in to_page] == ([] if sent is None else [sent])
