"""`llxprt` used from a shell the way shell users expect: pipes, stdin, exit codes, messages
that name flags rather than chat commands. The real console script against the wire server."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading

import pytest

from tests.conftest import Dirs
from tests.test_oneshot import LLXPRT, SECRET, llxprt
from tests.wire.server import Fault, Reply, WireServer

#: A chat-only command named in a message (not a URL path such as /v1/models).
CHAT_COMMAND = re.compile(
    r"(?<![\w/.:-])/(retry|key|keyfile|profile|baseurl|set|model|provider|stats|auth)(?![\w/-])"
)


def on_wire(wire: WireServer, *extra: str) -> tuple[str, ...]:
    return ("--provider", "openai", "--baseurl", f"{wire.url}/v1", "--key", SECRET, *extra)


def test_a_closed_pipe_ends_quietly_as_cat_does(wire: WireServer) -> None:
    """`llxprt -p … | head -1`: no traceback, and the status of a process killed by SIGPIPE
    (the shell shows 141), the same as `cat big | head -1`."""
    rest_may_stream = threading.Event()
    wire.enqueue(
        Reply(text=("first line\n", "second line\n", "third\n"), hold=rest_may_stream, hold_at=2)
    )
    reader = subprocess.Popen(
        [LLXPRT, "-p", "x", *on_wire(wire)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None and reader.stderr is not None
    assert reader.stdout.readline() == b"first line\n"
    reader.stdout.close()  # `head -1` has what it wanted and exits
    rest_may_stream.set()
    stderr = reader.stderr.read()
    assert reader.wait() == -signal.SIGPIPE
    assert stderr == b""


def test_piped_stdin_without_p_is_a_one_shot_prompt(wire: WireServer) -> None:
    result = llxprt(*on_wire(wire), stdin="hi from a pipe")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Echo: hi from a pipe\n"


def test_piped_stdin_with_a_positional_prompt_comes_first(wire: WireServer) -> None:
    result = llxprt("review", "this", *on_wire(wire), stdin="the diff")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Echo: the diff\n\nreview this\n"


def test_a_prompt_both_positional_and_with_p_is_refused() -> None:
    result = llxprt("-p", "one", "two")
    assert result.returncode == 2 and "not both" in result.stderr


@pytest.mark.parametrize("args", [("-p", ""), ("-p", "  \n"), ()])
def test_nothing_to_send_exits_2(args: tuple[str, ...], wire: WireServer) -> None:
    result = llxprt(*args, *on_wire(wire), stdin="")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("llxprt: nothing to send")
    assert wire.chat_requests() == []


def _no_chat_commands(stderr: str) -> None:
    assert CHAT_COMMAND.search(stderr) is None, stderr


def test_provider_errors_name_flags_not_chat_commands(wire: WireServer) -> None:
    wire.enqueue(Fault(status=401, message="bad key"))
    result = llxprt("-p", "x", *on_wire(wire))
    assert result.returncode == 1 and "--key-name" in result.stderr
    _no_chat_commands(result.stderr)
    wire.enqueue(Fault(status=404, message="no such model"))
    result = llxprt("-p", "x", *on_wire(wire))
    assert result.returncode == 1 and "-m MODEL" in result.stderr
    assert "--baseurl URL" in result.stderr
    _no_chat_commands(result.stderr)


def test_a_cut_stream_says_to_run_the_command_again(wire: WireServer) -> None:
    wire.enqueue(Fault(reply=Reply(text=("part", "ial", "more")), cut_after=3))
    result = llxprt("-p", "x", *on_wire(wire))
    assert result.returncode == 1
    assert "Run the command again." in result.stderr
    _no_chat_commands(result.stderr)


def test_gave_up_does_not_promise_another_retry(wire: WireServer) -> None:
    wire.enqueue(*[Fault(status=503, message="busy")] * 2)
    result = llxprt("-p", "x", *on_wire(wire, "--set", "retries=1", "--set", "retrywait=0"))
    assert result.returncode == 1
    assert "Gave up after 2 attempts" in result.stderr
    assert "retry" not in result.stderr.split("Gave up", 1)[1]
    _no_chat_commands(result.stderr)


def test_configuration_messages_name_flags(dirs: Dirs) -> None:
    ghost = llxprt("-p", "x", "--profile-load", "ghost")
    assert ghost.returncode == 2 and str(dirs.config / "profiles") in ghost.stderr
    no_key = llxprt("-p", "x", "--provider", "gemini")
    assert no_key.returncode == 1 and "--key-name NAME" in no_key.stderr
    keyring_file = dirs.home / "keyring.json"
    keyring_file.write_text("{}")
    missing = subprocess.run(
        [LLXPRT, "-p", "x", "--provider", "openai", "--key-name", "nowhere"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=dict(
            os.environ,
            PYTHON_KEYRING_BACKEND="tests.keyrings.FileKeyring",
            LLXPRT_TEST_KEYRING_FILE=str(keyring_file),
        ),
    )
    assert missing.returncode == 2 and "keyring set llxprt-code-provider-keys" in missing.stderr
    for result in (ghost, no_key, missing):
        _no_chat_commands(result.stderr)


def test_several_start_up_problems_one_per_line() -> None:
    result = llxprt(
        "-p",
        "x",
        "--provider",
        "openai",
        "--keyfile",
        "/nonexistent/key",
        "--set",
        "streaming=loud",
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("llxprt: ") for line in lines)
    assert "was not found" in result.stderr and "streaming must be one of" in result.stderr


def test_a_bad_set_key_lists_close_matches_only() -> None:
    result = llxprt("-p", "x", "--provider", "openai", "--set", "retrys=2")
    assert result.returncode == 2
    assert "retries" in result.stderr and "retrywait" in result.stderr
    assert "socket-timeout" not in result.stderr and "Valid keys" not in result.stderr


def test_json_output_reports_errors_as_json_too(wire: WireServer) -> None:
    bad = llxprt("-p", "x", "--provider", "acme", "--output-format", "json")
    assert bad.returncode == 2
    assert json.loads(bad.stdout) == {
        "error": {"type": "ProviderNotAvailableError", "message": bad.stderr[8:].strip()}
    }
    wire.enqueue(Fault(status=401, message="bad key"))
    failed = llxprt("-p", "x", *on_wire(wire), "--output-format", "json")
    assert failed.returncode == 1
    error = json.loads(failed.stdout)["error"]
    assert error["type"] == "AuthenticationError" and "401" in error["message"]
    assert error["message"] == failed.stderr.removeprefix("llxprt: ").strip()
    assert SECRET not in failed.stdout
