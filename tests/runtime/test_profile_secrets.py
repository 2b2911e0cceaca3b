"""Profiles never hold a secret, and nothing secret is dropped without a word (issue 11,
Secrets 5 and 7): an inline `auth-key` is reported on load and moved into the keyring (or
reported as left out) on save; secret custom headers are never written to a profile."""

from __future__ import annotations

import json

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth import KEYRING_SERVICE
from tests.conftest import Dirs
from tests.keyrings import MemoryKeyring

KEY = "sk-SENTINEL-inline-1f2e3d"
HEADER = "Bearer tok-SENTINEL-header-4a5b"
INLINE = {
    "version": 1,
    "provider": "openai",
    "model": "gpt-5",
    "modelParams": {},
    "ephemeralSettings": {"auth-key": KEY, "streaming": "enabled"},
}


def write_profile(dirs: Dirs, name: str, data: dict[str, object]) -> None:
    folder = dirs.config / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data))


async def test_loading_an_inline_key_says_it_is_in_plain_text(dirs: Dirs) -> None:
    write_profile(dirs, "old", INLINE)
    runtime = await rs.activate_isolated_runtime_context()
    loaded = await rs.load_profile_by_name("old", runtime=runtime)
    assert any("holds an API key in plain text" in w for w in loaded.warnings)
    assert all(KEY not in w for w in loaded.warnings)
    assert rs.has_inline_profile_key(runtime=runtime)
    assert (await runtime.auth.resolve("openai", environ={})).token == KEY


async def test_saving_moves_the_inline_key_into_the_keyring_under_a_name(
    dirs: Dirs, memory_keyring: MemoryKeyring
) -> None:
    write_profile(dirs, "old", INLINE)
    runtime = await rs.activate_isolated_runtime_context()
    await rs.load_profile_by_name("old", runtime=runtime)
    saved = await rs.save_profile_snapshot("old", key_name="old-openai", runtime=runtime)
    assert "moved into the OS keyring as 'old-openai'" in saved.message
    text = saved.path.read_text()
    assert KEY not in text
    assert json.loads(text)["ephemeralSettings"]["auth-key-name"] == "old-openai"
    assert memory_keyring.passwords[(KEYRING_SERVICE, "old-openai")] == KEY
    assert not rs.has_inline_profile_key(runtime=runtime)
    again = await rs.activate_isolated_runtime_context()
    await rs.load_profile_by_name("old", runtime=again)
    assert (await again.auth.resolve("openai", environ={})).token == KEY


async def test_saving_without_a_name_says_the_key_was_left_out(dirs: Dirs) -> None:
    write_profile(dirs, "old", INLINE)
    runtime = await rs.activate_isolated_runtime_context()
    await rs.load_profile_by_name("old", runtime=runtime)
    saved = await rs.save_profile_snapshot("old", runtime=runtime)
    assert KEY not in saved.path.read_text()
    assert "left out" in saved.message and "API key" in saved.message
    assert "/key save" in saved.message and KEY not in saved.message
    assert saved.left_out


async def test_a_typed_key_is_reported_as_left_out_too() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    await rs.update_active_provider_api_key(KEY, runtime=runtime)
    saved = await rs.save_profile_snapshot("typed", runtime=runtime)
    assert KEY not in saved.path.read_text()
    assert "left out" in saved.message and KEY not in saved.message
    assert not rs.has_inline_profile_key(runtime=runtime)  # typed, not from a file


async def test_secret_headers_are_never_written_and_the_save_says_so() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    headers = {"Authorization": HEADER, "X-Team": "platform", "X-Portkey-Api-Key": "pk-1234abcd"}
    await rs.set_ephemeral_setting("custom-headers", json.dumps(headers), runtime=runtime)
    saved = await rs.save_profile_snapshot("headers", runtime=runtime)
    text = saved.path.read_text()
    assert "tok-SENTINEL" not in text and "pk-1234abcd" not in text
    assert json.loads(text)["ephemeralSettings"]["custom-headers"] == {"X-Team": "platform"}
    assert "Authorization" in saved.message and "X-Portkey-Api-Key" in saved.message
    assert "left out" in saved.message and "tok-SENTINEL" not in saved.message
    # ... and how to keep them: set again after loading; a key goes into the keyring.
    assert "set them again after loading" in saved.message and "/key save NAME" in saved.message


async def test_a_profile_holding_a_secret_header_says_so_on_load(dirs: Dirs) -> None:
    data = dict(INLINE, ephemeralSettings={"custom-headers": {"Authorization": HEADER}})
    write_profile(dirs, "hdr", data)
    runtime = await rs.activate_isolated_runtime_context()
    loaded = await rs.load_profile_by_name("hdr", runtime=runtime)
    assert any("plain text" in w and "Authorization" in w for w in loaded.warnings)
    assert all("tok-SENTINEL" not in w for w in loaded.warnings)
