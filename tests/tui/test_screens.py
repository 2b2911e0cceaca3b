"""Pickers, the profile screen and key entry, driven with Pilot against the loopback wire
server and a real keyring backend."""

from __future__ import annotations

import json

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from llxprt_tui.app import LlxprtApp
from llxprt_tui.screens.key_entry import NO_KEYRING, KeyEntryScreen
from llxprt_tui.screens.picker import PickerScreen
from llxprt_tui.screens.profiles import ProfilesScreen
from llxprt_tui.themes import builtin_theme_dir, theme_files
from tests.conftest import Dirs
from tests.keyrings import MemoryKeyring
from tests.tui.conftest import (
    SIZE,
    active,
    enter_key,
    errors,
    make_app,
    notices,
    send_and_wait,
    type_and_send,
    wait_until,
)
from tests.wire.server import Fault, WireServer


async def picker(pilot: Pilot[None]) -> PickerScreen:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PickerScreen))
    screen = pilot.app.screen
    assert isinstance(screen, PickerScreen)
    loading = screen.query_one("LoadingIndicator")
    await wait_until(pilot, lambda: not loading.display)
    await pilot.pause()
    return screen


def shown_ids(screen: PickerScreen) -> list[str]:
    options = screen.query_one(OptionList)
    return [options.get_option_at_index(i).id or "" for i in range(options.option_count)]


def status(screen: PickerScreen) -> str:
    return str(screen.query_one(".picker-status", Static).render())


# --- provider picker --------------------------------------------------------------------------


async def test_provider_picker_shows_key_sources_and_switches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-never-shown")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.press("ctrl+o")
        screen = await picker(pilot)
        assert shown_ids(screen) == ["openai", "openai-responses", "anthropic", "gemini", "codex"]
        rendered = [str(o.prompt) for o in screen.query_one(OptionList).options]
        assert "ANTHROPIC_API_KEY" in rendered[2] and "sk-ant-never-shown" not in rendered[2]
        assert "key: none" in rendered[0]
        assert "key: oauth: codex" in rendered[4]
        await pilot.press(*"anth")
        assert shown_ids(screen) == ["anthropic"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
        await pilot.pause()
        tab = active(pilot)
        assert tab.runtime.settings_service.active_provider == "anthropic"
        assert "Provider set to anthropic" in notices(app)


async def test_a_provider_from_providers_toml_is_in_the_picker_and_answers(
    dirs: Dirs, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    dirs.config.mkdir(parents=True, exist_ok=True)
    (dirs.config / "providers.toml").write_text(
        "[providers.local-llama]\n"
        'protocol = "openai"\n'
        f'base-url = "{wire.url}/v1"\n'
        'default-model = "llama-local"\n'
        'display-name = "Local llama.cpp"\n'
        'key-env = "LOCAL_LLAMA_KEY"\n'
        "\n[providers.broken]\n"
        'protocol = "telepathy"\n'
    )
    monkeypatch.setenv("LOCAL_LLAMA_KEY", "llama-key-never-shown")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        assert "providers.toml:8: provider 'broken' not added: 'protocol'" in errors(app)
        await pilot.press("ctrl+o")
        screen = await picker(pilot)
        assert shown_ids(screen)[-1] == "local-llama"
        (rendered,) = [str(o.prompt) for o in screen.query_one(OptionList).options][-1:]
        assert "Local llama.cpp" in rendered and "LOCAL_LLAMA_KEY" in rendered
        assert "llama-key-never-shown" not in rendered
        await pilot.press(*"llama", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
        tab = await send_and_wait(pilot, "hello llama")
        assert tab.runtime.settings_service.active_provider == "local-llama"
        (request,) = wire.chat_requests()
        assert request.body["model"] == "llama-local"
        assert request.headers["authorization"] == "Bearer llama-key-never-shown"


async def test_provider_with_no_argument_opens_the_picker_and_escape_changes_nothing(
    wire: WireServer,
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "/provider")
        await picker(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert active(pilot).runtime.settings_service.active_provider == "openai"


# --- model picker -------------------------------------------------------------------------------


async def test_model_picker_acts_on_the_tab_it_was_opened_from(wire: WireServer) -> None:
    wire.models = tuple(f"model-{i:03}" for i in range(300))  # a big catalogue
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        first = active(pilot)
        await type_and_send(pilot, "/model")
        screen = await picker(pilot)
        assert len(shown_ids(screen)) == 300
        # While the picker is open, tab 2 becomes the active tab.
        second = await app.new_tab()
        await pilot.pause()
        assert app.active_tab() is second
        screen.query_one(Input).value = "model-123"
        await pilot.pause()
        assert shown_ids(screen) == ["model-123"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: first.runtime.config.get_model() == "model-123")
        assert second.runtime.config.get_model() == "gpt-5"  # tab 2 untouched


async def test_model_listing_failure_shows_the_error_and_accepts_a_typed_name(
    wire: WireServer,
) -> None:
    wire.models_fault = Fault(status=403, message="listing models is not allowed")
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "/model")
        screen = await picker(pilot)
        assert "Could not load the list" in status(screen)
        assert "Type a name" in status(screen)
        await pilot.press(*"my-model", "enter")
        await wait_until(pilot, lambda: active(pilot).runtime.config.get_model() == "my-model")


# --- profiles -------------------------------------------------------------------------------------


async def test_profile_picker_lists_profiles_and_invalid_ones_cannot_be_chosen(
    wire: WireServer, dirs: Dirs
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/model model-b")
        await send_and_wait(pilot, "/profile save work")
        broken = dirs.config / "profiles" / "broken.json"
        broken.write_text("{ not json")
        await send_and_wait(pilot, "/set unset auth-key")
        await send_and_wait(pilot, "/model model-c")
        await type_and_send(pilot, "/profile load")
        screen = await picker(pilot)
        assert shown_ids(screen) == ["broken", "work"]
        options = screen.query_one(OptionList)
        assert options.get_option_at_index(0).disabled
        assert options.highlighted == 1  # the first choosable one
        await pilot.press("enter")
        await wait_until(pilot, lambda: active(pilot).runtime.config.get_model() == "model-b")
        assert "Profile 'work' loaded" in notices(app)
        assert broken.read_text() == "{ not json"


async def profiles_screen(pilot: Pilot[None]) -> ProfilesScreen:
    await type_and_send(pilot, "/profile list")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ProfilesScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ProfilesScreen)
    await pilot.pause()
    return screen


def details(screen: ProfilesScreen) -> str:
    return str(screen.query_one("#profile-details", Static).render())


def listed(screen: ProfilesScreen) -> list[str]:
    return [e.name for e in screen.entries]


async def answer_name(pilot: Pilot[None], name: str) -> None:
    await pilot.pause()
    field = pilot.app.screen.query_one(Input)
    field.value = name
    await pilot.press("enter")
    await pilot.pause()


async def test_profile_screen_actions(wire: WireServer, dirs: Dirs) -> None:
    app = make_app(wire)
    profiles = dirs.config / "profiles"
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/set modelparam temperature 0.3")
        screen = await profiles_screen(pilot)
        assert "No saved profiles yet" in details(screen)
        # save as new
        await pilot.press("s")
        await answer_name(pilot, "alpha")
        await wait_until(pilot, lambda: listed(screen) == ["alpha"])
        await wait_until(pilot, lambda: "key:      none saved" in details(screen))
        assert "provider: openai" in details(screen) and "temperature = 0.3" in details(screen)
        # duplicate, rename
        await pilot.press("c")
        await answer_name(pilot, "beta")
        await wait_until(pilot, lambda: listed(screen) == ["alpha", "beta"])
        await pilot.press("r")
        await answer_name(pilot, "gamma")
        await wait_until(pilot, lambda: listed(screen) == ["alpha", "gamma"])
        assert (profiles / "gamma.json").is_file() and not (profiles / "beta.json").exists()
        # default on, shown with a star, then delete asks first
        await pilot.press("f")
        await wait_until(pilot, lambda: screen.default == "gamma")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert listed(screen) == ["alpha", "gamma"]
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: listed(screen) == ["alpha"])
        assert screen.default is None  # deleting the default clears it
        # saving over an existing name asks first
        await pilot.press("s")
        await answer_name(pilot, "alpha")
        assert "Replace profile 'alpha'" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await pilot.pause()
        # load closes the screen and reports in the tab
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ProfilesScreen))
        await pilot.pause()
        assert "Profile 'alpha' loaded" in notices(app)
        assert "duplicated as 'beta'" in notices(app)


async def test_a_corrupt_profile_is_listed_with_its_error_and_loading_it_changes_nothing(
    wire: WireServer, dirs: Dirs
) -> None:
    profiles = dirs.config / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "bad.json").write_text('{"version": 1, "provider": "openai"')
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        before = (tab.runtime.settings_service.active_provider, tab.runtime.config.get_model())
        screen = await profiles_screen(pilot)
        assert listed(screen) == ["bad"]
        assert "This file cannot be used" in details(screen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProfilesScreen)
        assert "Could not load" in str(screen.query_one("#profile-status", Static).render())
        after = (tab.runtime.settings_service.active_provider, tab.runtime.config.get_model())
        assert after == before
        assert (profiles / "bad.json").read_text() == '{"version": 1, "provider": "openai"'


# --- key entry ------------------------------------------------------------------------------------


async def test_key_entry_saves_to_the_keyring_and_profiles_keep_only_the_name(
    wire: WireServer, dirs: Dirs, memory_keyring: MemoryKeyring
) -> None:
    app = make_app(wire, key=None)
    secret = "sk-entered-0123456789"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, KeyEntryScreen))
        field = app.screen.query_one("#key-value", Input)
        assert field.password  # masked until revealed
        await pilot.press("ctrl+r")
        assert not field.password
        await pilot.press("ctrl+r")
        await pilot.press("escape")
        await pilot.pause()
        await enter_key(pilot, secret, name="work-openai", tab_only=False)
        assert "Saved as 'work-openai' in the OS keyring" in notices(app)
        assert memory_keyring.get_password("llxprt-code-provider-keys", "work-openai") == secret
        await send_and_wait(pilot, "hello")
        assert wire.requests[-1].headers["authorization"] == f"Bearer {secret}"
        await send_and_wait(pilot, "/profile save with-key")
        await send_and_wait(pilot, "/key")
        assert "keyring" in notices(app).splitlines()[-1]  # /key names the source
        shown = notices(app) + errors(app) + "\n".join(active_history(app))
    assert secret not in shown
    saved = json.loads((dirs.config / "profiles" / "with-key.json").read_text())
    assert saved["ephemeralSettings"]["auth-key-name"] == "work-openai"
    for root in dirs.all():
        for path in root.rglob("*"):
            if path.is_file():
                assert secret not in path.read_text(errors="replace"), path


def active_history(app: LlxprtApp) -> list[str]:
    tab = app.active_tab()
    assert tab is not None
    return list(tab.prompt.prompt_history.entries)


@pytest.mark.usefixtures("locked_keyring")
async def test_key_entry_without_a_keyring_keeps_the_key_for_this_tab(wire: WireServer) -> None:
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await enter_key(pilot, "sk-memory-only", name=None, tab_only=False)
        assert NO_KEYRING in notices(app)
        await send_and_wait(pilot, "hello")
        assert wire.requests[-1].headers["authorization"] == "Bearer sk-memory-only"


async def test_key_entry_for_this_tab_only_writes_nothing(
    wire: WireServer, memory_keyring: MemoryKeyring
) -> None:
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await enter_key(pilot, "sk-tab-only", name=None, tab_only=True)
        assert "kept for this runtime only" in notices(app)
        assert memory_keyring.get_password("llxprt-code-provider-keys", "openai") is None


# --- themes ---------------------------------------------------------------------------------------


async def test_theme_picker_previews_live_reverts_on_escape_and_saves_the_choice(
    dirs: Dirs,
) -> None:
    dirs.config.mkdir(parents=True)
    (dirs.config / "tui.toml").write_text('[keymap]\nnew-tab = "ctrl+n"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        assert app.theme == "llxprt-dark"
        await type_and_send(pilot, "/theme")
        screen = await picker(pilot)
        assert "dracula" in shown_ids(screen) and "textual-dark" not in shown_ids(screen)
        screen.query_one(Input).value = "dracula"
        await pilot.pause()
        assert app.theme == "dracula"  # previewed as the highlight moved
        await pilot.press("escape")
        await pilot.pause()
        assert app.theme == "llxprt-dark"
        await type_and_send(pilot, "/theme")
        screen = await picker(pilot)
        screen.query_one(Input).value = "ayu-light"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "ayu-light"
    saved = (dirs.config / "tui.toml").read_text()
    assert 'theme = "ayu-light"' in saved
    assert 'new-tab = "ctrl+n"' in saved  # the rest of the file is kept


async def test_user_themes_in_toml_and_llxprt_json_and_a_broken_one_reported_once(
    dirs: Dirs,
) -> None:
    themes = dirs.config / "themes"
    themes.mkdir(parents=True)
    (themes / "mine.json").write_text(
        json.dumps(
            {
                "name": "My Theme",
                "type": "custom",
                "Background": "#101010",
                "Foreground": "#eeeeee",
                "LightBlue": "#88ccff",
                "AccentBlue": "#3388ff",
                "AccentPurple": "#aa66ff",
                "AccentCyan": "#33cccc",
                "AccentGreen": "#33cc66",
                "AccentYellow": "#ffcc33",
                "AccentRed": "#ff5555",
                "Comment": "#777777",
                "Gray": "#777777",
            }
        )
    )
    (themes / "bad.toml").write_text(
        'name = "bad"\n[colors]\nbackground = "#000"\nforeground = "not-a-colour"\n'
    )
    (dirs.config / "tui.toml").write_text('theme = "my-theme"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.pause()
        assert app.theme == "my-theme"
        assert "bad" not in app.theme_names()
        reported = errors(app)
        assert reported.count("bad.toml") == 1
        assert "'foreground' is not a colour" in reported


async def test_no_color_forces_the_no_colour_theme(
    monkeypatch: pytest.MonkeyPatch, dirs: Dirs
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    dirs.config.mkdir(parents=True, exist_ok=True)
    (dirs.config / "tui.toml").write_text('theme = "dracula"\n')
    app = make_app()
    async with app.run_test(size=SIZE):
        assert app.theme == "no-color"


async def test_every_builtin_theme_applies() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        names = app.theme_names()
        assert len(names) == len(theme_files(builtin_theme_dir()))  # every file loaded
        assert {"llxprt-dark", "llxprt-light", "green-screen"} <= set(names)
        for name in names:
            app.theme = name
            await pilot.pause()
            assert app.current_theme.name == name
