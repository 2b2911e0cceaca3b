from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from llxprt_runtime import ProfileError, RuntimeServices
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth import KEYRING_SERVICE
from llxprt_runtime.errors import InvalidProfileNameError
from llxprt_runtime.profiles.model import Profile
from llxprt_runtime.profiles.user_settings import load_user_settings, resolve_default_profile_name
from tests.conftest import Dirs
from tests.keyrings import MemoryKeyring

SENTINEL = "sk-SENTINEL-7f3a9c-never-on-disk"

OPENAI_WITH_KEYRING = {
    "version": 1,
    "provider": "openai",
    "model": "gpt-4.1",
    "modelParams": {"temperature": 0.2, "max_tokens": 8192},
    "ephemeralSettings": {
        "base-url": "https://api.openai.com/v1",
        "auth-key-name": "openai-work",
        "context-limit": 128000,
        "streaming": "enabled",
        "tool-output-max-tokens": 50000,
    },
}
ANTHROPIC_WITH_KEYFILE = {
    "version": 1,
    "provider": "anthropic",
    "model": "claude-sonnet-4-5",
    "modelParams": {},
    "ephemeralSettings": {
        "auth-keyfile": "~/.keys/anthropic.key",
        "context-limit": 200000,
        "prompt-caching": "1h",
        "reasoning.enabled": True,
        "reasoning.budgetTokens": 16000,
        "reasoning.includeInContext": True,
        "reasoning.stripFromContext": "allButLast",
        "custom-headers": {"X-Team": "platform"},
    },
}
GEMINI_VERTEX = {
    "version": 1,
    "provider": "gemini",
    "model": "gemini-2.5-pro",
    "modelParams": {"temperature": 0.7, "top_p": 0.95},
    "ephemeralSettings": {
        "GOOGLE_CLOUD_PROJECT": "my-gcp-project",
        "GOOGLE_CLOUD_LOCATION": "us-central1",
        "context-limit": 1000000,
        "compression-threshold": 0.8,
    },
}


def _write_profile(dirs: Dirs, name: str, data: object) -> Path:
    path = dirs.config / "profiles" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


async def _configured_runtime() -> RuntimeServices:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    await rs.set_active_model("gpt-4.1-mini")
    await rs.set_active_model_param("temperature", 0.4)
    await rs.set_active_model_param("seed", 7)
    await rs.update_active_provider_base_url("http://127.0.0.1:8080/v1")
    await rs.set_ephemeral_setting("context-limit", 64000)
    await rs.set_ephemeral_setting("custom-headers", {"X-Team": "core"})
    return runtime


async def test_save_and_load_round_trip(dirs: Dirs) -> None:
    await _configured_runtime()
    saved = await rs.save_profile_snapshot("work")
    assert saved.path == dirs.config / "profiles" / "work.json"
    data = json.loads(saved.path.read_text())
    assert list(data) == ["version", "provider", "model", "modelParams", "ephemeralSettings"]
    assert data == {
        "version": 1,
        "provider": "openai",
        "model": "gpt-4.1-mini",
        "modelParams": {"temperature": 0.4, "seed": 7},
        "ephemeralSettings": {
            "base-url": "http://127.0.0.1:8080/v1",
            "context-limit": 64000,
            "custom-headers": {"X-Team": "core"},
        },
    }
    assert saved.path.read_text().startswith('{\n  "version": 1,')
    assert stat.S_IMODE(saved.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.path.parent.stat().st_mode) == 0o700

    other = await rs.activate_isolated_runtime_context()
    loaded = await rs.load_profile_by_name("work")
    assert loaded.profile_name == "work" and loaded.provider_changed
    assert loaded.info_messages[0] == "Model set to 'gpt-4.1-mini' for provider 'openai'."
    assert other.config.get_model() == "gpt-4.1-mini"
    assert other.settings_service.current_profile_name == "work"
    assert rs.build_runtime_profile_snapshot().to_json_dict() == data


@pytest.mark.parametrize("example", [OPENAI_WITH_KEYRING, ANTHROPIC_WITH_KEYFILE, GEMINI_VERTEX])
async def test_llxprt_code_profiles_load_unmodified_and_round_trip(
    dirs: Dirs, memory_keyring: MemoryKeyring, example: dict[str, object]
) -> None:
    memory_keyring.passwords[(KEYRING_SERVICE, "openai-work")] = "sk-work"
    (dirs.home / ".keys").mkdir()
    (dirs.home / ".keys" / "anthropic.key").write_text("sk-ant\n")
    (dirs.home / ".keys" / "anthropic.key").chmod(0o600)
    _write_profile(dirs, "upstream", example)
    runtime = await rs.activate_isolated_runtime_context()
    result = await rs.load_profile_by_name("upstream")
    assert result.warnings == ()
    assert runtime.config.get_provider() == example["provider"]
    saved = await rs.save_profile_snapshot("again")
    assert json.loads(saved.path.read_text()) == example


async def test_an_inline_auth_key_loads_runtime_only_and_is_never_written_back(
    dirs: Dirs,
) -> None:
    legacy_style = {
        "version": 1,
        "provider": "openai",
        "model": "gpt-5",
        "modelParams": {},
        "ephemeralSettings": {"auth-key": SENTINEL, "streaming": "enabled"},
    }
    _write_profile(dirs, "old", legacy_style)
    runtime = await rs.activate_isolated_runtime_context()
    await rs.load_profile_by_name("old")
    assert (await runtime.auth.resolve("openai", environ={})).token == SENTINEL
    saved = await rs.save_profile_snapshot("old-resaved")
    assert SENTINEL not in saved.path.read_text()
    assert json.loads(saved.path.read_text())["ephemeralSettings"] == {"streaming": "enabled"}


BROKEN_PROFILES = [
    ("corrupt", '{"version": 1, "provider": ', "is corrupted: not valid JSON"),
    ("not-object", "[1, 2]", "expected a JSON object"),
    ("missing", {"version": 1, "provider": "openai"}, "missing required fields (model)"),
    ("future", {"version": 2, "provider": "openai", "model": "m"}, "unsupported profile version 2"),
    (
        "unknown-provider",
        {"version": 1, "provider": "acme", "model": "m", "ephemeralSettings": {}},
        "Provider 'acme' is not available (registered providers: anthropic, codex, gemini, openai",
    ),
    (
        "bad-value",
        {"version": 1, "provider": "openai", "model": "m", "modelParams": {"temperature": "hot"}},
        "invalid value in modelParams: temperature must be a number",
    ),
    (
        "bad-setting",
        {"version": 1, "provider": "openai", "model": "m", "ephemeralSettings": {"streaming": 3}},
        "streaming must be one of: enabled, disabled",
    ),
    (
        "no-key",
        {
            "version": 1,
            "provider": "openai",
            "model": "m",
            "ephemeralSettings": {"auth-key-name": "absent"},
        },
        "uses keyring key 'absent', which is not in the keyring",
    ),
    (
        "lb",
        {
            "version": 1,
            "type": "loadbalancer",
            "policy": "failover",
            "profiles": ["a", "b"],
            "provider": "",
            "model": "",
        },
        "Load balancer 'lb': member profile 'a' not found",
    ),
    (
        "lb-policy",
        {"version": 1, "type": "loadbalancer", "policy": "random", "profiles": ["a"]},
        "invalid policy \"random\" (expected 'roundrobin' or 'failover')",
    ),
    (
        "lb-setting",
        {
            "version": 1,
            "type": "loadbalancer",
            "policy": "failover",
            "profiles": ["a"],
            "ephemeralSettings": {"failover_status_codes": [429, "five hundred"]},
        },
        "failover_status_codes must be a list of HTTP status codes",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BROKEN_PROFILES)
async def test_a_bad_profile_gives_a_specific_error_and_changes_nothing(
    dirs: Dirs, name: str, content: object, message: str
) -> None:
    _write_profile(dirs, name, content)
    runtime = await _configured_runtime()
    await rs.update_active_provider_api_key("sk-keep-me")
    before = runtime.settings_service.export_state()
    events: list[object] = []
    runtime.settings_service.subscribe(events.append)
    with pytest.raises(ProfileError) as info:
        await rs.load_profile_by_name(name)
    assert message in str(info.value)
    assert runtime.settings_service.export_state() == before
    assert events == []  # checked before anything was touched


async def test_missing_profile(dirs: Dirs) -> None:
    await rs.activate_isolated_runtime_context()
    with pytest.raises(ProfileError, match="Profile 'ghost' not found"):
        await rs.load_profile_by_name("ghost")


@pytest.mark.parametrize("name", ["../x", "/etc/x", "", " ", "a/b", "a\\b", "..", ".hidden"])
async def test_invalid_profile_names_are_refused(dirs: Dirs, name: str) -> None:
    await _configured_runtime()
    with pytest.raises(InvalidProfileNameError, match="Invalid profile name"):
        await rs.save_profile_snapshot(name)
    with pytest.raises(InvalidProfileNameError):
        await rs.load_profile_by_name(name)
    assert not (dirs.config / "x.json").exists()
    assert (
        not (dirs.config / "profiles").exists() or list((dirs.config / "profiles").iterdir()) == []
    )


async def test_a_failing_write_leaves_the_previous_file_intact(
    dirs: Dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _configured_runtime()
    first = await rs.save_profile_snapshot("p")
    original = first.path.read_bytes()
    await rs.set_active_model("changed-model")

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ProfileError, match=r"No space left on device.*previous file"):
        await rs.save_profile_snapshot("p")
    monkeypatch.undo()
    assert first.path.read_bytes() == original
    assert sorted(p.name for p in first.path.parent.iterdir()) == ["p.json"]  # no temp left


async def test_saving_over_a_symlink_never_writes_outside_the_profiles_dir(dirs: Dirs) -> None:
    outside = dirs.home / "outside.json"
    outside.write_text("precious")
    link = dirs.config / "profiles" / "linked.json"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    await _configured_runtime()
    await rs.save_profile_snapshot("linked")
    assert outside.read_text() == "precious"
    assert not link.is_symlink() and json.loads(link.read_text())["provider"] == "openai"


async def test_list_shows_broken_profiles_with_their_error_and_reads_legacy(dirs: Dirs) -> None:
    _write_profile(dirs, "good", GEMINI_VERTEX)
    _write_profile(dirs, "broken", "{oops")
    legacy = dirs.home / ".llxprt" / "profiles"
    legacy.mkdir(parents=True)
    (legacy / "old.json").write_text(json.dumps(ANTHROPIC_WITH_KEYFILE))
    (legacy / "good.json").write_text(json.dumps(OPENAI_WITH_KEYRING))  # shadowed by the new dir
    await rs.activate_isolated_runtime_context()
    entries = await rs.list_saved_profiles()
    assert [e.name for e in entries] == ["broken", "good", "old"]
    broken, good, old = entries
    assert broken.profile is None and broken.error and "corrupted" in broken.error
    assert isinstance(good.profile, Profile) and good.profile.provider == "gemini"
    assert not good.legacy
    assert old.legacy and isinstance(old.profile, Profile) and old.profile.provider == "anthropic"
    assert (dirs.config / "profiles" / "broken.json").read_text() == "{oops"  # never rewritten
    loaded = await rs.load_profile_by_name("old")
    assert loaded.provider_name == "anthropic"
    assert loaded.warnings and "was not found" in loaded.warnings[0]


async def test_delete_profile(dirs: Dirs) -> None:
    runtime = await _configured_runtime()
    await rs.save_profile_snapshot("temp")
    assert runtime.settings_service.current_profile_name == "temp"
    await rs.set_default_profile_name("temp")
    message = await rs.delete_profile_by_name("temp")
    assert "deleted" in message and "default is now cleared" in message
    assert runtime.settings_service.current_profile_name is None
    assert load_user_settings().default_profile is None
    with pytest.raises(ProfileError, match="not found"):
        await rs.delete_profile_by_name("temp")


async def test_default_profile_resolution(dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> None:
    await _configured_runtime()
    await rs.save_profile_snapshot("mine")
    upstream_settings = dirs.config / "settings.json"
    upstream_settings.write_text(json.dumps({"defaultProfile": "theirs", "ui": {"theme": "x"}}))
    before = upstream_settings.read_bytes()
    assert resolve_default_profile_name() == "theirs"
    with pytest.raises(ProfileError, match="not found"):
        await rs.set_default_profile_name("nope")
    assert await rs.set_default_profile_name("mine") == (
        "Profile 'mine' set as default. It will be loaded automatically on startup."
    )
    assert resolve_default_profile_name() == "mine"
    tui = dirs.config / "tui.toml"
    assert 'default-profile = "mine"' in tui.read_text()
    assert stat.S_IMODE(tui.stat().st_mode) == 0o600
    monkeypatch.setenv("LLXPRT_PROFILE", "from-env")
    assert resolve_default_profile_name() == "from-env"
    monkeypatch.delenv("LLXPRT_PROFILE")
    await rs.set_default_profile_name("none")
    assert resolve_default_profile_name() == "theirs"
    assert upstream_settings.read_bytes() == before  # llxprt-code's file is never rewritten


async def test_a_saved_key_value_appears_in_no_file(
    dirs: Dirs, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    runtime = await _configured_runtime()
    await rs.update_active_provider_api_key(SENTINEL)
    await rs.save_profile_snapshot("with-inline-key")
    await runtime.secret_store.save("saved-name", SENTINEL)
    await rs.use_named_key("saved-name")
    await rs.save_profile_snapshot("with-key-name")
    await rs.set_default_profile_name("with-key-name")
    keyfile = tmp_path / "sentinel.key"
    keyfile.write_text(SENTINEL)
    keyfile.chmod(0o600)
    await rs.update_active_provider_keyfile(str(keyfile))
    await rs.save_profile_snapshot("with-keyfile")

    hits = [
        path
        for root in dirs.all()
        for path in root.rglob("*")
        if path.is_file() and SENTINEL.encode() in path.read_bytes()
    ]
    assert hits == []
    saved = json.loads((dirs.config / "profiles" / "with-key-name.json").read_text())
    assert saved["ephemeralSettings"]["auth-key-name"] == "saved-name"
    assert "auth-key" not in saved["ephemeralSettings"]
    with_keyfile = json.loads((dirs.config / "profiles" / "with-keyfile.json").read_text())
    assert with_keyfile["ephemeralSettings"]["auth-keyfile"] == str(keyfile)
    assert memory_keyring.passwords[(KEYRING_SERVICE, "saved-name")] == SENTINEL
