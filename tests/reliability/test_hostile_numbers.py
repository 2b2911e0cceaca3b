"""Hostile numbers in files and commands become typed errors, never OverflowError/ValueError
tracebacks: every value goes through the setting registry's validation."""

from __future__ import annotations

import contextlib

import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.errors import ProfileError, SettingValidationError
from llxprt_runtime.settings.registry import (
    parse_setting_text,
    setting_specs,
    validate_model_param,
    validate_setting,
)
from llxprt_tui.screens.profiles import ProfilesScreen
from tests.conftest import Dirs
from tests.test_oneshot import llxprt
from tests.tui.conftest import SIZE, errors, make_app, notices, type_and_send, wait_until
from tests.wire.server import WireServer

HUGE = "1" + "0" * 400  # a float cannot hold it: OverflowError on conversion
ENORMOUS = "1" + "0" * 4400  # over Python's 4,300-digit int conversion limit: ValueError
HOSTILE = [10**400, -(10**400), HUGE, "-" + HUGE, "1e400", float("inf"), "nan"]


def profile_text(number: str) -> str:
    return (
        '{"version": 1, "provider": "openai", "model": "m", '
        f'"ephemeralSettings": {{"socket-timeout": {number}}}}}'
    )


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: f"{type(v).__name__}:{str(v)[:8]}")
def test_every_setting_turns_a_hostile_number_into_a_setting_error(value: object) -> None:
    for spec in setting_specs():
        validate = validate_model_param if spec.is_model_param else validate_setting
        # Anything but SettingValidationError (OverflowError, int()'s ValueError) fails.
        with contextlib.suppress(SettingValidationError):
            validate(spec.key, value)


def test_a_huge_number_is_named_in_the_message() -> None:
    with pytest.raises(SettingValidationError, match="socket-timeout is too large"):
        validate_setting("socket-timeout", 10**400)
    with pytest.raises(SettingValidationError, match="too large"):
        validate_model_param("seed", 10**400)  # not a registered param: still checked
    with pytest.raises(SettingValidationError):
        validate_setting("socket-timeout", parse_setting_text(HUGE))


@pytest.mark.parametrize("number", [HUGE, ENORMOUS], ids=["400 zeros", "4400 zeros"])
async def test_a_profile_with_a_hostile_number_is_a_profile_error(dirs: Dirs, number: str) -> None:
    profiles = dirs.config / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "hostile.json").write_text(profile_text(number))
    await rs.activate_isolated_runtime_context()
    with pytest.raises(ProfileError, match="Profile 'hostile'"):
        await rs.load_profile_by_name("hostile")
    [entry] = await rs.list_saved_profiles()
    assert entry.profile is None and entry.error and "hostile" in entry.error


@pytest.mark.parametrize("number", [HUGE, ENORMOUS], ids=["400 zeros", "4400 zeros"])
def test_oneshot_reports_a_hostile_profile_in_one_line(dirs: Dirs, number: str) -> None:
    profiles = dirs.config / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "hostile.json").write_text(profile_text(number))
    result = llxprt("-p", "x", "--profile-load", "hostile")
    assert result.returncode == 2  # as for every unusable --profile-load
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Profile 'hostile'" in lines[0], result.stderr


@pytest.mark.parametrize("number", [HUGE, ENORMOUS], ids=["400 zeros", "4400 zeros"])
async def test_the_app_starts_and_lists_a_hostile_default_profile(
    dirs: Dirs, wire: WireServer, number: str
) -> None:
    profiles = dirs.config / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "hostile.json").write_text(profile_text(number))
    (dirs.config / "tui.toml").write_text('default-profile = "hostile"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await wait_until(pilot, lambda: "Profile 'hostile'" in errors(app) + notices(app))
        await type_and_send(pilot, "/profile list")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        screen = app.screen
        assert isinstance(screen, ProfilesScreen)
        [entry] = screen.entries
        assert entry.profile is None and entry.error
