"""`llxprt -p` end to end: the real console script against the loopback wire server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llxprt_runtime.debug_log import LOG_FILE_NAME
from tests.conftest import Dirs
from tests.providers.conftest import PROVIDERS, base_url, sent_key
from tests.terminal import Terminal
from tests.wire.server import Fault, Reply, ToolCall, WireServer

LLXPRT = str(Path(sys.executable).with_name("llxprt"))
SECRET = "sk-oneshot-secret-4411"


def llxprt(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LLXPRT, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_provider_round_trips(provider: str, wire: WireServer) -> None:
    result = llxprt(
        "-p",
        "hello there",
        "--provider",
        provider,
        "--baseurl",
        base_url(provider, wire),
        "--key",
        SECRET,
        "-m",
        "model-z",
        stdin="context from a pipe",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Echo: context from a pipe\n\nhello there\n"
    request = wire.chat_requests()[-1]
    assert sent_key(request) == SECRET and request.protocol == provider
    assert "model-z" in (request.path if provider == "gemini" else request.body["model"])


def oneshot_to(wire: WireServer) -> tuple[str, ...]:
    # OpenAI: of the SDKs a child imports, the cheapest (Anthropic's costs twice the CPU).
    return ("--provider", "openai", "--baseurl", f"{wire.url}/v1", "--key", SECRET)


def test_json_output(wire: WireServer) -> None:
    wire.enqueue(Reply(text=("a", "b"), prompt_tokens=4, completion_tokens=2))
    result = llxprt("-p", "x", *oneshot_to(wire), "--output-format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["response"] == "ab" and data["model"] == wire.chat_requests()[-1].body["model"]
    assert data["model"]  # the provider's default model, named
    assert data["usage"]["prompt_tokens"] == 4 and data["usage"]["completion_tokens"] == 2


def test_stream_json_output(wire: WireServer) -> None:
    wire.enqueue(
        Reply(
            text=("c",),
            thinking=("hm",),
            tool_calls=(ToolCall("t1", "f", {"a": 1}),),
            finish="tool_calls",
        )
    )
    result = llxprt("-p", "x", *oneshot_to(wire), "--output-format", "stream-json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["type"] for e in events] == ["thinking", "text", "tool_call", "done"]
    assert events[0]["text"] == "hm" and events[1]["text"] == "c"
    assert events[2]["name"] == "f" and events[2]["parameters"] == {"a": 1}
    assert events[-1]["finish_reason"] == "tool_calls"


def test_set_and_modelparam_reach_the_request(wire: WireServer) -> None:
    result = llxprt(
        "-p",
        "x",
        "--provider",
        "openai",
        "--baseurl",
        f"{wire.url}/v1",
        "--set",
        "modelparam.temperature=0.35",
        "--set",
        "user-agent=oneshot/1",
        "--set",
        "modelparam.max_tokens=77",
    )
    assert result.returncode == 0, result.stderr
    request = wire.chat_requests()[-1]
    assert request.body["temperature"] == 0.35 and request.body["max_tokens"] == 77
    assert request.headers["user-agent"] == "oneshot/1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--provider", "acme"), "Provider 'acme' is not available"),
        (("--provider", "openai", "--set", "nonsense"), "Invalid --set format"),
        (("--provider", "openai", "--set", "streaming=loud"), "streaming must be one of"),
        (("--provider", "openai", "--keyfile", "/nonexistent/key"), "was not found"),
        (("--profile-load", "ghost"), "Profile 'ghost' not found"),
        ((), "No provider chosen"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = llxprt("-p", "x", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_unknown_flag_and_bad_output_format_exit_2() -> None:
    assert llxprt("-p", "x", "--bogus").returncode == 2
    assert llxprt("-p", "x", "--output-format", "xml").returncode == 2


def test_provider_errors_exit_1_and_never_show_the_key(wire: WireServer) -> None:
    wire.enqueue(Fault(status=401, message="invalid x-api-key"))
    result = llxprt("-p", "x", *oneshot_to(wire))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "401 Unauthorized" in lines[0] and wire.url in lines[0]
    assert SECRET not in result.stderr + result.stdout


def test_an_error_body_with_control_sequences_reaches_stderr_as_text(wire: WireServer) -> None:
    wire.enqueue(Fault(status=400, message="bad \x1b]0;owned\x07 request \x1b[2J"))
    result = llxprt("-p", "x", *oneshot_to(wire))
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "bad ␛]0;owned␇ request ␛[2J" in result.stderr


# A key of no known credential shape, with something to escape: only knowing the key itself
# can take it out of what a server echoes.
ODD_SECRET = 'Zq7\\odd"secret-5522'


def test_a_key_a_server_echoes_reaches_neither_stderr_nor_the_debug_log(
    wire: WireServer, dirs: Dirs
) -> None:
    echoed = f"raw {ODD_SECRET} json {json.dumps(ODD_SECRET)} repr {ODD_SECRET!r}"
    wire.enqueue(Fault(status=401, message=f"bad key: {echoed}"))
    flags = ("--provider", "openai", "--baseurl", f"{wire.url}/v1", "--key", ODD_SECRET)
    result = llxprt("-p", "x", *flags, "--debug")
    assert result.returncode == 1 and "bad key: raw [REDACTED]" in result.stderr
    log = (dirs.log / LOG_FILE_NAME).read_text()
    assert "401" in log
    for shown in (result.stderr, result.stdout, log):
        assert "odd" not in shown and "secret-5522" not in shown


def test_a_key_the_http_layer_would_refuse_reaches_neither_stderr_nor_the_debug_log(
    wire: WireServer, dirs: Dirs
) -> None:
    # A newline inside (a pasted key): refused by name before any request is made.
    env = {**os.environ, "OPENAI_API_KEY": "Zq7odd-first-5522\nZq7odd-second-5522"}
    result = subprocess.run(
        [LLXPRT, "-p", "x", "--provider", "openai", "--baseurl", f"{wire.url}/v1", "--debug"],
        input="",
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "OPENAI_API_KEY" in result.stderr and "control character" in result.stderr
    log = (dirs.log / LOG_FILE_NAME).read_text()
    assert "runtime cli-oneshot created" in log  # the log was written during the run
    for shown in (result.stderr, result.stdout, log):
        assert "Zq7odd" not in shown
    assert wire.chat_requests() == []


def test_no_key_for_a_remote_provider_exits_1() -> None:
    result = llxprt("-p", "x", "--provider", "gemini")
    assert result.returncode == 1
    assert "Incomplete runtime resolution (auth_token)" in result.stderr
    assert "GEMINI_API_KEY" in result.stderr


def test_version_and_help_do_not_import_heavy_modules() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "llxprt_tui.cli", "--version"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    heavy = {
        m for m in imported if m.split(".")[0] in ("textual", "openai", "anthropic", "keyring")
    }
    assert heavy == set() and "google.genai" not in imported


SEQUENCES = ("clip\x1b]52;c;aGk=\x07", " title\x1b]0;owned\x07 blank\x1b[2J")


def _on_a_terminal(wire: WireServer, *extra: str) -> bytes:
    wire.enqueue(Reply(text=SEQUENCES))
    argv = [
        LLXPRT,
        "-p",
        "x",
        "--provider",
        "openai",
        "--baseurl",
        f"{wire.url}/v1",
        "--key",
        SECRET,
    ]
    with Terminal([*argv, *extra]) as terminal:
        assert terminal.wait_exit() == 0, terminal.text()
        return terminal.output


def test_text_to_a_terminal_shows_control_sequences_as_text(wire: WireServer) -> None:
    out = _on_a_terminal(wire)
    assert b"\x1b" not in out and b"\x07" not in out
    assert "clip␛]52;c;aGk=␇ title␛]0;owned␇ blank␛[2J" in out.decode()


def test_raw_output_passes_the_bytes_to_a_terminal_when_asked(wire: WireServer) -> None:
    assert "".join(SEQUENCES).encode() in _on_a_terminal(wire, "--raw-output")


def test_text_to_a_pipe_is_the_raw_bytes(wire: WireServer) -> None:
    wire.enqueue(Reply(text=SEQUENCES))
    piped = llxprt("-p", "x", *oneshot_to(wire))
    assert piped.returncode == 0 and piped.stdout == "".join(SEQUENCES) + "\n"
