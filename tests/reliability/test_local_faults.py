"""Local faults as a user meets them in the app: broken files, a read-only or full disk, a
keyring that is missing, locked or raising, bad keyfiles, a bad theme. Each gives a clear
message naming what is wrong, loses nothing, and the tab keeps chatting."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from textual.pilot import Pilot

from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.tab import ChatTab
from llxprt_tui.screens.confirm import ConfirmScreen
from tests.conftest import Dirs
from tests.keyrings import use_keyring_backend
from tests.tui.conftest import SIZE, errors, make_app, notices, send_to, wait_until
from tests.wire.server import WireServer


async def chat_still_works(pilot: Pilot[None], tab: ChatTab) -> None:
    assert await send_to(pilot, tab, "still there?") == "Echo: still there?"


async def run(app: LlxprtApp, tab: ChatTab, command: str) -> str:
    """Run a slash command; the error it showed (empty if none)."""
    before = len(errors(app))
    await tab.execute_command(command)
    return errors(app)[before:].strip()


# --- profiles and settings files ---------------------------------------------------------------

BROKEN_PROFILES = {
    "truncated": ('{"version": 1, "provider": "openai", "mod', "not valid JSON"),
    "not an object": ("[1, 2, 3]", "expected a JSON object"),
    "wrong type": (
        '{"version": 1, "provider": "openai", "model": "m", "modelParams": {"temperature": "hot"}}',
        "temperature must be a number",
    ),
    "unknown version": (
        '{"version": 7, "provider": "openai", "model": "m"}',
        "unsupported profile version 7",
    ),
    "binary": ("\udcff\udcfe", "not UTF-8 text"),
}


@pytest.mark.parametrize("case", list(BROKEN_PROFILES))
async def test_a_broken_profile_is_explained_and_left_alone(
    case: str, wire: WireServer, dirs: Dirs
) -> None:
    text, says = BROKEN_PROFILES[case]
    profile = dirs.config / "profiles" / "broken.json"
    profile.parent.mkdir(parents=True)
    profile.write_bytes(text.encode("utf-8", "surrogateescape"))
    original = profile.read_bytes()
    app = make_app(wire, key="sk-local")
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        runtime = tab.runtime
        before = runtime.settings_service.export_state()
        message = await run(app, tab, "/profile load broken")
        assert says in message and "broken" in message
        assert runtime.settings_service.export_state() == before
        await chat_still_works(pilot, tab)
    assert profile.read_bytes() == original


BROKEN_SETTINGS = {
    "truncated": ('theme = "llxprt-li', "is not valid TOML"),
    "wrong type": ("theme = 5\n", "'theme' must be a string"),
    "bad keymap": ('keymap = "ctrl+x"\n', "[keymap] must map binding ids"),
}


@pytest.mark.parametrize("case", list(BROKEN_SETTINGS))
async def test_a_broken_settings_file_is_reported_and_never_overwritten(
    case: str, wire: WireServer, dirs: Dirs
) -> None:
    text, says = BROKEN_SETTINGS[case]
    settings = dirs.config / "tui.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text(text)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        shown = errors(app)
        assert says in shown and "tui.toml" in shown and "Using defaults" in shown
        app.set_theme_and_save("llxprt-light")  # applies for this session only
        assert app.theme == "llxprt-light"
        assert says in await run(app, tab, "/profile set-default anything")
        await chat_still_works(pilot, tab)
    assert settings.read_text() == text


# --- a read-only profile dir and a full disk (simulated: tests run as root) ------------------


async def test_a_read_only_profile_dir_is_explained(
    wire: WireServer, dirs: Dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        with monkeypatch.context() as patch:
            patch.setattr(tempfile, "mkstemp", _raise(errno.EROFS, "Read-only file system"))
            message = await run(app, tab, "/profile save mine")
            assert "mine" in message and "Read-only file system" in message
            await run(app, tab, "/export " + str(dirs.data / "chat.md"))
            assert "Could not export" in errors(app) and "Read-only" in errors(app)
        assert not (dirs.config / "profiles" / "mine.json").exists()
        await chat_still_works(pilot, tab)
        assert await run(app, tab, "/profile save mine") == ""  # writable again: it saves


async def test_a_full_disk_keeps_the_previous_files_intact(
    wire: WireServer, dirs: Dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        await run(app, tab, "/profile save mine")
        app.set_theme_and_save("llxprt-light")
        profile = dirs.config / "profiles" / "mine.json"
        settings = dirs.config / "tui.toml"
        saved = (profile.read_bytes(), settings.read_bytes())
        await run(app, tab, "/model another-model")
        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", _raise(errno.ENOSPC, "No space left on device"))
            before = len(errors(app))
            await tab.execute_command("/profile save mine")  # over a profile: it asks first
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: len(errors(app)) > before)
            message = errors(app)[before:]
            assert "No space left on device" in message and "previous file" in message
            app.set_theme_and_save("llxprt-dark")
            await pilot.pause()
            assert "Could not save the theme" in "\n".join(
                str(n.message) for n in app._notifications
            )
        assert (profile.read_bytes(), settings.read_bytes()) == saved
        leftovers = [p.name for p in dirs.config.rglob(".*.tmp")]
        assert leftovers == []
        await chat_still_works(pilot, tab)


def _raise(code: int, text: str) -> object:
    def fail(*_args: object, **_kwargs: object) -> object:
        raise OSError(code, text)

    return fail


# --- keyring -----------------------------------------------------------------------------------


class RaisingKeyring(KeyringBackend):
    """A backend that blows up with a non-keyring exception, as a broken D-Bus stack can."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise OSError(errno.ECONNRESET, "D-Bus connection reset")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise ValueError("backend exploded")

    def delete_password(self, service: str, username: str) -> None:
        raise ValueError("backend exploded")


@pytest.fixture(params=["missing", "locked", "raising"])
def broken_keyring(request: pytest.FixtureRequest) -> Iterator[str]:
    from keyring.backends.fail import Keyring as NoKeyring

    from tests.keyrings import LockedKeyring

    backends: dict[str, type[KeyringBackend]] = {
        "missing": NoKeyring,
        "locked": LockedKeyring,
        "raising": RaisingKeyring,
    }
    for _ in use_keyring_backend(backends[request.param]()):
        yield request.param


async def test_a_missing_locked_or_raising_keyring_never_stops_the_chat(
    broken_keyring: str, wire: WireServer, dirs: Dirs
) -> None:
    profile = dirs.config / "profiles" / "named.json"
    profile.parent.mkdir(parents=True)
    profile.write_text(
        '{"version": 1, "provider": "openai", "model": "m", '
        f'"ephemeralSettings": {{"auth-key-name": "work", "base-url": "{wire.url}/v1"}}}}'
    )
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        message = await run(app, tab, "/key save work sk-typed-key")
        assert message == ""  # not an error: the key is kept for this tab, and it says so
        assert "keyring" in notices(app).splitlines()[-1].lower()
        await chat_still_works(pilot, tab)
        assert wire.chat_requests()[-1].headers["authorization"] == "Bearer sk-typed-key"
        for command in ("/key load work", "/key list", "/profile load named"):
            shown = await run(app, tab, command) or notices(app).splitlines()[-1]
            assert "keyring" in shown.lower(), (command, shown)
            assert "Traceback" not in shown
        await chat_still_works(pilot, tab)


# --- keyfiles ----------------------------------------------------------------------------------


def _keyfile(tmp_path: Path, case: str) -> Path:
    path = tmp_path / f"my {case}.key"  # a space: /keyfile takes the rest of the line
    if case == "empty":
        path.write_text("\n\n")
    elif case == "directory":
        path.mkdir()
    elif case == "binary":
        path.write_bytes(b"\xff\xfe\x00key")
    if path.is_file():
        path.chmod(0o600)
    return path  # "missing": never created


KEYFILES = {
    "empty": "is empty",
    "missing": "was not found",
    "directory": "is not a regular file (a directory)",
    "binary": "is not a text file",
}


@pytest.mark.parametrize("case", list(KEYFILES))
async def test_a_bad_keyfile_is_explained_at_start_up_and_by_command(
    case: str, wire: WireServer, tmp_path: Path
) -> None:
    keyfile = _keyfile(tmp_path, case)
    app = make_app(wire, key=None, keyfile=str(keyfile))
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        shown = errors(app)
        assert "Could not apply the start-up settings" in shown and KEYFILES[case] in shown
        assert str(keyfile) in shown
        message = await run(app, tab, f"/keyfile {keyfile}")
        assert KEYFILES[case] in message
        await chat_still_works(pilot, tab)


# --- themes ------------------------------------------------------------------------------------


async def test_a_theme_with_bad_colours_is_reported_and_the_default_used(
    wire: WireServer, dirs: Dirs
) -> None:
    themes = dirs.config / "themes"
    themes.mkdir(parents=True)
    good = (Path(__file__).parents[2] / "themes" / "llxprt-dark.toml").read_text()
    (themes / "muddy.toml").write_text(
        good.replace('name = "llxprt-dark"', 'name = "muddy"').replace(
            'accent-red = "', 'accent-red = "not-a-colour', 1
        )
    )
    (dirs.config / "tui.toml").write_text('theme = "muddy"\n')
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        shown = errors(app)
        assert "muddy.toml" in shown and "'accent-red' is not a colour" in shown
        assert app.theme == "llxprt-dark"
        assert "muddy" not in app.theme_names()
        await chat_still_works(pilot, tab)


# --- a bug in a command ------------------------------------------------------------------------


async def test_an_unexpected_error_in_a_command_is_shown_and_the_app_survives(
    wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llxprt_runtime import api  # the TUI calls the runtime through its public surface

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("sk-never-shown")

    monkeypatch.setattr(api, "set_active_model", broken)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.chat_tabs()[0]
        message = await run(app, tab, "/model x")
        assert message == "/model failed unexpectedly (ZeroDivisionError)."
        await chat_still_works(pilot, tab)
