"""Start-up flag precedence (apply_cli_overrides), in process with a real keyring backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llxprt_runtime import SettingValidationError
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth import KEYRING_SERVICE
from llxprt_runtime.bootstrap import CliOverrides, apply_cli_overrides, parse_set_arguments
from llxprt_runtime.errors import NoProviderChosenError
from tests.conftest import Dirs
from tests.keyrings import MemoryKeyring


def _profile(dirs: Dirs, name: str, **ephemerals: object) -> None:
    path = dirs.config / "profiles" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "provider": "anthropic",
                "model": "claude-opus-5",
                "modelParams": {"temperature": 0.1},
                "ephemeralSettings": ephemerals,
            }
        )
    )


async def _resolve(provider: str = "anthropic") -> tuple[str | None, str]:
    runtime = rs.resolve_runtime()
    result = await runtime.auth.resolve(provider, environ={})
    return result.token, result.source


@pytest.fixture
def keyfile(tmp_path: Path) -> str:
    path = tmp_path / "k"
    path.write_text("sk-from-keyfile")
    path.chmod(0o600)
    return str(path)


async def test_key_precedence(dirs: Dirs, memory_keyring: MemoryKeyring, keyfile: str) -> None:
    memory_keyring.passwords[(KEYRING_SERVICE, "flag-name")] = "sk-flag-name"
    memory_keyring.passwords[(KEYRING_SERVICE, "profile-name")] = "sk-profile-name"
    _profile(dirs, "p", **{"auth-key-name": "profile-name"})
    cases = [
        (
            CliOverrides(profile="p", key="sk-flag", key_name="flag-name", keyfile=keyfile),
            "sk-flag",
        ),
        (CliOverrides(profile="p", key_name="flag-name", keyfile=keyfile), "sk-flag-name"),
        (CliOverrides(profile="p", keyfile=keyfile), "sk-profile-name"),
        (CliOverrides(provider="anthropic", keyfile=keyfile), "sk-from-keyfile"),
    ]
    for overrides, expected in cases:
        await rs.activate_isolated_runtime_context()
        await apply_cli_overrides(overrides)
        assert (await _resolve())[0] == expected, overrides


async def test_flags_beat_the_profile(dirs: Dirs) -> None:
    _profile(dirs, "p", **{"context-limit": 5000})
    runtime = await rs.activate_isolated_runtime_context()
    result = await apply_cli_overrides(
        CliOverrides(
            profile="p",
            model="claude-haiku-4-5",
            base_url="http://127.0.0.1:5/x",
            settings=("context-limit=9000", "modelparam.temperature=0.9"),
        )
    )
    assert result.profile_name == "p"
    assert runtime.config.get_model() == "claude-haiku-4-5"
    assert runtime.settings_service.get("context-limit") == 9000
    assert runtime.settings_service.get_provider_setting("anthropic", "temperature") == 0.9
    assert runtime.settings_service.get("base-url") == "http://127.0.0.1:5/x"


async def test_default_profile_is_used_unless_provider_is_given(
    dirs: Dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profile(dirs, "def")
    monkeypatch.setenv("LLXPRT_PROFILE", "def")
    runtime = await rs.activate_isolated_runtime_context()
    assert (await apply_cli_overrides(CliOverrides())).profile_name == "def"
    assert runtime.config.get_provider() == "anthropic"
    other = await rs.activate_isolated_runtime_context()
    assert (await apply_cli_overrides(CliOverrides(provider="gemini"))).profile_name is None
    assert other.config.get_provider() == "gemini"


async def test_no_provider_at_all_is_a_clear_error() -> None:
    await rs.activate_isolated_runtime_context()
    with pytest.raises(NoProviderChosenError, match="No provider chosen"):
        await apply_cli_overrides(CliOverrides())


def test_set_argument_parsing() -> None:
    assert parse_set_arguments(["a=1", "modelparam.top_k=5", "x= y "]) == [
        (False, "a", 1),
        (True, "top_k", 5),
        (False, "x", "y"),
    ]
    for bad in ("novalue", "=1", "modelparam=3"):
        with pytest.raises(SettingValidationError, match="Invalid --set format"):
            parse_set_arguments([bad])


def test_overrides_repr_hides_the_key() -> None:
    assert "sk-hidden" not in repr(CliOverrides(key="sk-hidden"))
