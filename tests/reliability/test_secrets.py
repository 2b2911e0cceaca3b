"""Secrets: a sentinel key set through every entry path never lands anywhere it should not.

Each path gets its own sentinel, each is proven to work (the server received it), then
everything that writes is exercised: profiles, the default profile, the theme, an export,
a forced error whose body echoes the key, the debug log, exit. Afterwards the config, data,
cache, log and home dirs, the export, every log record, every settings event, everything
shown on screen and every child process's command line are searched for the sentinels.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from llxprt_runtime import SettingsEvent
from llxprt_runtime.debug_log import LOG_FILE_NAME, LOGGERS, start_debug_log
from tests.conftest import Dirs
from tests.keyrings import MemoryKeyring
from tests.providers.conftest import base_url, sent_key
from tests.tui.conftest import (
    SIZE,
    enter_key,
    errors,
    make_app,
    notices,
    send_to,
    type_and_send,
)
from tests.wire.server import Fault, Reply, WireServer

SENTINELS = {
    "--key": "sk-SENTINEL-cli-1a2b3c",
    "/key": "sk-SENTINEL-slash-4d5e6f",
    "key entry": "sk-SENTINEL-entry-7a8b9c",
    "keyfile": "sk-SENTINEL-keyfile-0d1e2f",
    "env var": "sk-SENTINEL-env-3a4b5c",
    "keyring name": "sk-SENTINEL-ring-6d7e8f",
    "/set api-key": "sk-SENTINEL-set-2b3c4d",
    "secret header": "tok-SENTINEL-header-5e6f7a",
    "--set apiKey=": "sk-SENTINEL-setflag-8b9c0d",
}


def hits(text: str) -> list[str]:
    return [path for path, value in SENTINELS.items() if value in text]


def files_with_sentinels(*roots: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and (where := hits(path.read_bytes().decode(errors="replace"))):
                found[str(path)] = where
    return found


@pytest.fixture
def debug_log(dirs: Dirs) -> Iterator[Path]:
    start_debug_log()
    yield dirs.log / LOG_FILE_NAME
    stop_debug_logs()


def stop_debug_logs() -> None:
    """Logging is process-wide: take the debug log's handler off again."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(logging.NOTSET)


# Each entry path as a user takes it in a tab: the provider the tab talks to and what is
# typed into its prompt ("key entry" is the F2 screen; "--key" is the start-up flag).
ENTRY_PATHS: dict[str, tuple[str, tuple[str, ...]]] = {
    "--key": ("openai", ()),
    "/key": ("anthropic", (f"/key {SENTINELS['/key']}",)),
    "key entry": ("gemini", ()),
    "keyfile": ("openai-responses", ("/keyfile {keyfile}",)),
    # Tabs start from the start-up flags: /key none falls back to the env var.
    "env var": ("openai", ("/key none",)),
    "keyring name": ("anthropic", ("/key load ring-key",)),
    "/set api-key": ("gemini", (f"/set api-key {SENTINELS['/set api-key']}",)),
    "secret header": (
        "openai",
        (
            "/key none",
            "/set custom-headers "
            + json.dumps({"X-Team-Token": SENTINELS["secret header"], "X-Team": "a"}),
        ),
    ),
}


# One entry path per test (all of them in one app took 33-60 s on a loaded machine); every
# sentinel is present in each (env, keyring, --key), so each run looks for all of them.
@pytest.mark.parametrize("path", list(ENTRY_PATHS))
async def test_a_key_from_any_entry_path_is_found_nowhere(
    path: str,
    wire: WireServer,
    dirs: Dirs,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    debug_log: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    keyfile = tmp_path / "outside" / "key.txt"  # the user's own file: not walked below
    keyfile.parent.mkdir()
    keyfile.write_text(SENTINELS["keyfile"] + "\n")
    keyfile.chmod(0o600)
    monkeypatch.setenv("OPENAI_API_KEY", SENTINELS["env var"])
    memory_keyring.set_password("llxprt-code-provider-keys", "ring-key", SENTINELS["keyring name"])
    events: list[SettingsEvent] = []
    export = dirs.data / "exports" / "chat.md"
    provider, setup = ENTRY_PATHS[path]

    app = make_app(wire, key=SENTINELS["--key"] if path == "--key" else None)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        (await tab.ready()).settings_service.subscribe(events.append)
        # Typed into the prompt, as a user would.
        reach = [f"/provider {provider}", f"/baseurl {base_url(provider, wire)}"]
        for command in [*(reach if path != "--key" else []), *setup]:
            await type_and_send(pilot, command.replace("{keyfile}", str(keyfile)))
        if path == "key entry":
            await enter_key(pilot, SENTINELS["key entry"], name="entered", tab_only=False)

        await send_to(pilot, tab, f"hello from {path}")
        request = wire.chat_requests()[-1]
        sent = request.headers.get("x-team-token") if path == "secret header" else None
        assert (sent or sent_key(request)) == SENTINELS[path], path
        await tab.execute_command("/profile save secret-1")
        await tab.execute_command("/profile set-default secret-1")
        app.set_theme_and_save("llxprt-light")
        # A server that echoes the key it was sent in its error body.
        echoed = sent_key(request)
        wire.enqueue(Fault(status=401, message=f"Incorrect API key: {echoed}"))
        await send_to(pilot, tab, "this one fails")
        assert "Incorrect API key: [REDACTED]" in errors(app)
        export.parent.mkdir(mode=0o700, parents=True)  # /export creates no folders
        await tab.execute_command(f"/export {export}")
        await tab.execute_command("/key")  # says where the key comes from, not what it is

        shown = "\n".join(
            [notices(app), errors(app)]
            + [str(n.message) for n in app._notifications]
            + [tab.conversation_markdown()]
            + list(tab.prompt.prompt_history.entries)
        )
        await app.action_quit()

    assert export.is_file() and f"hello from {path}" in export.read_text()
    assert debug_log.is_file() and "runtime" in debug_log.read_text()
    assert files_with_sentinels(*dirs.all()) == {}
    # Everything written is private: profiles, settings, key-name index, debug log, export.
    written = [p for root in (dirs.config, dirs.data, dirs.log) for p in root.rglob("*")]
    names = {"secret-1.json", "tui.toml", LOG_FILE_NAME, "chat.md"}
    if path == "key entry":  # a key saved by name
        names.add("provider-key-names.json")
    assert {p.name for p in written} >= names
    modes = {str(p): oct(p.stat().st_mode & 0o777) for p in written}
    modes |= {str(d): oct(d.stat().st_mode & 0o777) for d in (dirs.config, dirs.data, dirs.log)}
    assert {p: m for p, m in modes.items() if m not in ("0o600", "0o700")} == {}
    assert all(m == "0o700" for p, m in modes.items() if Path(p).is_dir())
    assert hits(shown) == []
    assert hits("\n".join(r.getMessage() for r in caplog.records)) == []
    assert hits("\n".join(repr(event) for event in events)) == []
    assert len(wire.chat_requests()) == 2


@pytest.mark.parametrize(
    ("path", "flags"),
    [
        ("--key", ("--key", SENTINELS["--key"])),
        ("--key", (f"--key={SENTINELS['--key']}",)),
        ("keyfile", ("--keyfile", "{keyfile}")),
        ("keyring name", ("--key-name", "ring-key")),
        ("--set apiKey=", ("--set", f"apiKey={SENTINELS['--set apiKey=']}")),
        ("--set apiKey=", (f"--set=auth-key={SENTINELS['--set apiKey=']}",)),
        ("--set apiKey=", ("--set", f"API-KEY={SENTINELS['--set apiKey=']}")),
        (
            "secret header",
            (
                "--set",
                "custom-headers=" + json.dumps({"X-Team-Token": SENTINELS["secret header"]}),
            ),
        ),
    ],
)
def test_no_process_listing_shows_the_key(
    path: str, flags: tuple[str, ...], wire: WireServer, tmp_path: Path, dirs: Dirs
) -> None:
    """`llxprt -p` run as a child: while it waits on the server, neither its command line
    nor any process it started shows the key."""
    keyfile = tmp_path / "key.txt"
    keyfile.write_text(SENTINELS["keyfile"])
    keyfile.chmod(0o600)
    release = threading.Event()  # the reply waits until the processes have been looked at
    wire.enqueue(Fault(first_byte_hold=release, reply=Reply(text=("done",))))
    args = [a.replace("{keyfile}", str(keyfile)) for a in flags]
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    if path == "keyring name":
        env["PYTHON_KEYRING_BACKEND"] = "tests.keyrings.FileKeyring"
        env["LLXPRT_TEST_KEYRING_FILE"] = str(tmp_path / "ring.json")
        env["PYTHONPATH"] = str(Path(__file__).parents[2])
        ring = {"llxprt-code-provider-keys/ring-key": SENTINELS["keyring name"]}
        (tmp_path / "ring.json").write_text(json.dumps(ring))
    child = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("llxprt")),
            *("--provider", "openai", "--baseurl", base_url("openai", wire)),
            *args,
            "-p",
            "hi",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    try:
        # The request is in flight (its reply held): look at the process meanwhile.
        request = wire.wait_for_chat_requests()[0]
        sent = request.headers.get("x-team-token") if path == "secret header" else None
        assert (sent or sent_key(request)) == SENTINELS[path]
        listing = {pid: cmdline(pid) for pid in [child.pid, *descendants(child.pid)]}
    finally:
        release.set()
        out, err = child.communicate()
    assert child.returncode == 0, err.decode()
    assert out.decode().strip() == "done"
    assert all(hits(line) == [] for line in listing.values()), listing
    assert hits(out.decode() + err.decode()) == []
    assert files_with_sentinels(*dirs.all()) == {}
    if path != "keyfile" and path != "keyring name":
        assert "***" in listing[child.pid]


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def descendants(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        listed = (task / "children").read_text().split()
        for child in map(int, listed):
            children += [child, *descendants(child)]
    return children


@pytest.mark.parametrize(
    "line",
    [
        "headers={'Authorization': 'Bearer sk-SECRET-1'}",
        '"x-api-key": "sk-SECRET-1"',
        "x-goog-api-key: sk-SECRET-1",
        "request api_key=sk-SECRET-1 sent",
        "auth-key = sk-SECRET-1",
    ],
)
def test_the_debug_log_redacts_credentials_it_is_handed(line: str) -> None:
    from llxprt_runtime.debug_log import redact_credentials as redact

    assert "sk-SECRET-1" not in redact(line) and "[REDACTED]" in redact(line)


def test_the_debug_log_is_private_and_never_written_through_a_symlink(dirs: Dirs) -> None:
    target = dirs.home / "elsewhere.txt"
    target.write_text("precious")
    dirs.log.mkdir(parents=True)
    (dirs.log / LOG_FILE_NAME).symlink_to(target)
    with pytest.raises(OSError, match=r"symbolic links|Too many levels"):
        start_debug_log()
    assert target.read_text() == "precious"
    (dirs.log / LOG_FILE_NAME).unlink()
    path = start_debug_log()
    try:
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert oct(dirs.log.stat().st_mode & 0o777) == "0o700"
    finally:
        stop_debug_logs()
