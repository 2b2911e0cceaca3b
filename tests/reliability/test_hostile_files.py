"""Files we read can be hostile: special files (FIFOs, devices, symlinks to them), huge
files, and files other users may read or change. Only regular files are read, bounded, off
the event loop; a keyfile is read once per change; permissions are checked as ssh does."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from llxprt_runtime import file_reads
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth.keyfile import read_keyfile
from llxprt_runtime.errors import KeyfileError, ProfileError
from llxprt_runtime.file_reads import KEYFILE_LIMIT
from llxprt_runtime.providers.content import IContent
from llxprt_tui.app import LlxprtApp
from llxprt_tui.screens.profiles import ProfilesScreen
from tests.conftest import Dirs
from tests.providers.conftest import collect, runtime_for, sent_key
from tests.test_oneshot import LLXPRT
from tests.tui.conftest import (
    SIZE,
    errors,
    make_app,
    notices,
    pause_until,
    type_and_send,
    wait_until,
)
from tests.wire.server import WireServer

ROOT = Path(__file__).resolve().parents[2]
PROFILE = {"version": 1, "provider": "openai", "model": "m-1"}


def private_file(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def everything(app: LlxprtApp) -> str:
    return notices(app) + "\n" + errors(app)


def profiles_dir(dirs: Dirs) -> Path:
    path = dirs.config / "profiles"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


# --- special files ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "symlink to /dev/zero", "directory"])
async def test_a_keyfile_that_is_not_a_regular_file_is_refused_unread(
    tmp_path: Path, kind: str, wire: WireServer
) -> None:
    path = tmp_path / "key"
    if kind == "fifo":
        os.mkfifo(path, 0o600)  # no writer: opening it for reading would wait forever
    elif kind == "directory":
        path.mkdir()
    else:
        path = Path("/dev/zero") if kind == "/dev/zero" else path
        if kind.startswith("symlink"):
            path.symlink_to("/dev/zero")  # reading it would never end
    await runtime_for("openai", wire, key=None)
    with pytest.raises(KeyfileError, match="is not a regular file"):
        await rs.update_active_provider_keyfile(str(path))


async def test_a_keyfile_is_read_once_per_change(tmp_path: Path, wire: WireServer) -> None:
    keyfile = private_file(tmp_path / "key", "key-file-one\n")
    runtime = await runtime_for("openai", wire, key=None)
    await rs.update_active_provider_keyfile(str(keyfile))
    await collect(runtime, IContent.human("a"))
    keyfile.write_text("key-file-two\n")  # changed on disk: not re-read per request
    await collect(runtime, IContent.human("b"))
    keyfile.unlink()  # gone: requests still use the key read when it was set
    await collect(runtime, IContent.human("c"))
    private_file(keyfile, "key-file-two\n")
    await rs.update_active_provider_keyfile(str(keyfile))  # set again: read again
    await collect(runtime, IContent.human("d"))
    sent = [sent_key(r) for r in wire.chat_requests()]
    assert sent == ["key-file-one"] * 3 + ["key-file-two"]


def oneshot(*args: str, pass_fds: tuple[int, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LLXPRT, *args],
        input="",
        capture_output=True,
        text=True,
        env=dict(os.environ),
        pass_fds=pass_fds,
    )


def test_process_substitution_as_keyfile_is_read_once_at_start_up(wire: WireServer) -> None:
    """`--keyfile <(pass show openai)`: a pipe at /dev/fd/N, readable exactly once."""
    read_end, write_end = os.pipe()
    os.write(write_end, b"key-from-a-pipe\n")
    os.close(write_end)
    try:
        url = f"{wire.url}/v1"
        args = ("-p", "hi", "--provider", "openai", "--baseurl", url)
        result = oneshot(*args, "--keyfile", f"/dev/fd/{read_end}", pass_fds=(read_end,))
    finally:
        os.close(read_end)
    assert result.returncode == 0, result.stderr
    assert [sent_key(r) for r in wire.chat_requests()] == ["key-from-a-pipe"]


def test_a_named_fifo_with_no_writer_as_keyfile_does_not_hang_oneshot(
    tmp_path: Path, wire: WireServer
) -> None:
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo, 0o600)
    url = f"{wire.url}/v1"
    args = ["-p", "hi", "--provider", "openai", "--baseurl", url, "--keyfile", str(fifo)]
    # The real command line, its pipe deadline cut from 30 s to 1 s: what is tested is that
    # the deadline ends the read and the run says why, not how long the product waits.
    script = (
        "import sys, llxprt_runtime.file_reads as reads; reads.PIPE_TIMEOUT_SECONDS = 1.0\n"
        "from llxprt_tui.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        input="",
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert str(fifo) in result.stderr and "Traceback" not in result.stderr
    assert wire.chat_requests() == []


@pytest.mark.parametrize("kind", ["fifo", "symlink to /dev/zero"])
async def test_a_profile_that_is_not_a_regular_file_is_listed_with_a_note_and_never_opened(
    dirs: Dirs, kind: str
) -> None:
    profiles = profiles_dir(dirs)
    private_file(profiles / "good.json", json.dumps(PROFILE))
    odd = profiles / "x.json"
    if kind == "fifo":
        os.mkfifo(odd, 0o600)
    else:
        odd.symlink_to("/dev/zero")
    await rs.activate_isolated_runtime_context()
    entries = await rs.list_saved_profiles()
    assert [e.name for e in entries] == ["good", "x"]
    assert entries[0].profile is not None
    assert entries[1].profile is None and "is not a regular file" in (entries[1].error or "")
    with pytest.raises(ProfileError, match="is not a regular file"):
        await rs.load_profile_by_name("x")


async def test_a_fifo_in_the_profiles_dir_does_not_wedge_the_profiles_screen(
    dirs: Dirs, wire: WireServer
) -> None:
    profiles = profiles_dir(dirs)
    os.mkfifo(profiles / "x.json", 0o600)
    private_file(profiles / "good.json", json.dumps(PROFILE))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await type_and_send(pilot, "/profile list")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        screen = app.screen
        assert isinstance(screen, ProfilesScreen)
        await wait_until(pilot, lambda: len(screen.entries) == 2)


async def test_a_profile_larger_than_a_mebibyte_is_refused(dirs: Dirs) -> None:
    profiles = profiles_dir(dirs)
    big = dict(PROFILE, padding="x" * (1024 * 1024))
    private_file(profiles / "big.json", json.dumps(big))
    await rs.activate_isolated_runtime_context()
    with pytest.raises(ProfileError, match="too large"):
        await rs.load_profile_by_name("big")


def test_a_keyfile_larger_than_its_bound_is_refused(tmp_path: Path) -> None:
    # A valid key on the first line: only the size can be what refuses it.
    line = "sk-big-keyfile-1234\n"
    at_bound = private_file(tmp_path / "at", line + "#" * (KEYFILE_LIMIT - len(line)))
    assert at_bound.stat().st_size == KEYFILE_LIMIT
    assert read_keyfile(str(at_bound)).key == "sk-big-keyfile-1234"
    over = private_file(tmp_path / "over", line + "#" * (KEYFILE_LIMIT + 1 - len(line)))
    with pytest.raises(KeyfileError, match=r"is too large \(over 64 KiB\)") as info:
        read_keyfile(str(over))
    assert str(over) in str(info.value) and "sk-big" not in str(info.value)


async def test_files_are_read_off_the_event_loop(
    dirs: Dirs, tmp_path: Path, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each read of a regular file records which file and whether an event loop runs in the
    # reading thread: a read on the loop would freeze the app while the disk answers.
    reads: list[tuple[str, bool]] = []
    real_read = file_reads._read_regular

    def spying_read(fd: int, limit: int) -> bytes:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        reads.append((str(Path(f"/proc/self/fd/{fd}").readlink()), on_loop))
        return real_read(fd, limit)

    monkeypatch.setattr(file_reads, "_read_regular", spying_read)
    keyfile = private_file(tmp_path / "key", "sk-from-a-keyfile-1234\n")
    profile = private_file(profiles_dir(dirs) / "good.json", json.dumps(PROFILE))
    # `run_app` builds the app (reading tui.toml and the themes) before it starts the loop.
    app = await asyncio.to_thread(make_app, wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await type_and_send(pilot, f"/keyfile {keyfile}")
        await type_and_send(pilot, "/profile load good")
        await type_and_send(pilot, "/profile list")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        screen = app.screen
        assert isinstance(screen, ProfilesScreen)
        await wait_until(pilot, lambda: len(screen.entries) == 1)
    read_paths = [path for path, _ in reads]
    assert str(keyfile) in read_paths and str(profile) in read_paths
    assert any(path.endswith("themes/default.toml") for path in read_paths)
    assert [path for path, on_loop in reads if on_loop] == []


# --- permissions, as ssh checks them -------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
async def test_a_keyfile_others_can_read_is_refused_with_the_fix(
    tmp_path: Path, wire: WireServer, mode: int
) -> None:
    keyfile = private_file(tmp_path / "key", "key-shared\n")
    keyfile.chmod(mode)
    await runtime_for("openai", wire, key=None)
    with pytest.raises(KeyfileError) as info:
        await rs.update_active_provider_keyfile(str(keyfile))
    assert "readable by other users" in str(info.value)
    assert f"chmod 600 {keyfile}" in str(info.value)


async def test_a_keyfile_others_can_write_is_used_with_a_warning(
    tmp_path: Path, wire: WireServer
) -> None:
    keyfile = private_file(tmp_path / "key", "key-writable\n")
    keyfile.chmod(0o622)
    runtime = await runtime_for("openai", wire, key=None)
    result = await rs.update_active_provider_keyfile(str(keyfile))
    assert f"{keyfile} is writable by other users" in result.message
    assert f"chmod go-w {keyfile}" in result.message
    await collect(runtime, IContent.human("hi"))
    assert sent_key(wire.chat_requests()[-1]) == "key-writable"


async def test_a_profile_or_profiles_dir_others_can_write_is_warned_about(dirs: Dirs) -> None:
    profiles = profiles_dir(dirs)
    path = private_file(profiles / "shared.json", json.dumps(PROFILE))
    await rs.activate_isolated_runtime_context()
    assert (await rs.load_profile_by_name("shared")).warnings == ()
    path.chmod(0o666)
    profiles.chmod(0o777)
    warnings = " ".join((await rs.load_profile_by_name("shared")).warnings)
    assert f"{path} is writable by other users" in warnings
    assert f"chmod go-w {path}" in warnings
    assert f"{profiles} is writable by other users" in warnings
    assert f"chmod go-w {profiles}" in warnings


async def test_the_app_shows_the_warnings_for_files_others_can_write(
    dirs: Dirs, tmp_path: Path, wire: WireServer
) -> None:
    profiles = profiles_dir(dirs)
    path = private_file(profiles / "shared.json", json.dumps(PROFILE))
    path.chmod(0o666)
    profiles.chmod(0o777)
    keyfile = private_file(tmp_path / "key", "sk-shared-keyfile-1234\n")
    keyfile.chmod(0o602)  # others may write it, not read it: used, with a warning
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await type_and_send(pilot, "/profile load shared")
        await pause_until(pilot, lambda: f"chmod go-w {profiles}" in everything(app))
        shown = everything(app)
        assert f"{path} is writable by other users" in shown and f"chmod go-w {path}" in shown
        assert f"{profiles} is writable by other users" in shown
        await type_and_send(pilot, f"/keyfile {keyfile}")
        await pause_until(pilot, lambda: f"chmod go-w {keyfile}" in everything(app))
        assert f"{keyfile} is writable by other users" in everything(app)


async def test_settings_and_theme_files_that_are_fifos_are_refused_unread(
    dirs: Dirs, tmp_path: Path
) -> None:
    from llxprt_runtime.errors import UserSettingsError
    from llxprt_runtime.profiles.user_settings import load_user_settings
    from llxprt_tui.themes import ThemeFileError, read_json_theme, read_toml_theme

    dirs.config.mkdir(parents=True, exist_ok=True)
    os.mkfifo(dirs.config / "tui.toml", 0o600)
    with pytest.raises(UserSettingsError, match="is not a regular file"):
        load_user_settings()
    os.mkfifo(tmp_path / "x.toml", 0o600)
    (tmp_path / "z.json").symlink_to("/dev/zero")
    with pytest.raises(ThemeFileError, match="is not a regular file"):
        read_toml_theme(tmp_path / "x.toml")
    with pytest.raises(ThemeFileError, match="is not a regular file"):
        read_json_theme(tmp_path / "z.json")
