"""A key that could not be a key (a control character, a newline inside, non-ASCII) is
refused with a clear message from every entry path, and never stored (issue 11, Secrets 3).
A trailing newline (a keyfile, `export KEY="$(cat file)"`) is stripped first."""

from __future__ import annotations

from pathlib import Path

import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth import SecretStore
from llxprt_runtime.auth.keyfile import read_keyfile
from llxprt_runtime.bootstrap import apply_cli_overrides
from llxprt_runtime.errors import KeyfileError, LlxprtError
from llxprt_runtime.overrides import CliOverrides
from tests.keyrings import MemoryKeyring

BAD_KEYS = {
    "newline inside": ("sk-first-1234\nsk-second-5678", "control character"),
    "carriage return": ("sk-abcd-1234\rinjected", "control character"),
    "escape": ("sk-abcd\x1b[2J1234", "control character"),
    "delete": ("sk-abcd\x7f1234", "control character"),
    "en dash": ("sk\u2013abcd-1234", "non-ASCII"),
    "nbsp": ("sk-abcd\u00a01234", "non-ASCII"),
}


@pytest.fixture(params=sorted(BAD_KEYS))
def bad(request: pytest.FixtureRequest) -> tuple[str, str]:
    return BAD_KEYS[request.param]


async def test_slash_key_refuses(bad: tuple[str, str]) -> None:
    value, why = bad
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    with pytest.raises(LlxprtError) as caught:
        await rs.update_active_provider_api_key(value, runtime=runtime)
    assert why in str(caught.value) and value not in str(caught.value)
    assert "sk-first" not in str(caught.value) and "sk-abcd" not in str(caught.value)
    assert runtime.settings_service.get_provider_setting("openai", "auth-key") is None
    assert runtime.settings_service.get("auth-key") is None


async def test_set_auth_key_refuses(bad: tuple[str, str]) -> None:
    value, why = bad
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    with pytest.raises(LlxprtError, match=why):
        await rs.set_ephemeral_setting("api-key", value, runtime=runtime)
    assert runtime.settings_service.get("auth-key") is None


async def test_the_key_flag_refuses(bad: tuple[str, str]) -> None:
    value, why = bad
    runtime = await rs.activate_isolated_runtime_context()
    with pytest.raises(LlxprtError, match=why) as caught:
        await apply_cli_overrides(CliOverrides(provider="openai", key=value), runtime=runtime)
    assert "sk-first" not in str(caught.value) and "sk-abcd" not in str(caught.value)


async def test_saving_to_the_keyring_refuses(
    bad: tuple[str, str], memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    value, why = bad
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    with pytest.raises(LlxprtError, match=why):
        await rs.save_active_provider_key(value, name="work", runtime=runtime)
    with pytest.raises(LlxprtError, match=why):
        await SecretStore(tmp_path / "names.json").save("work", value)
    assert memory_keyring.passwords == {}
    assert runtime.settings_service.get("auth-key") is None


def test_a_keyfile_refuses(bad: tuple[str, str], tmp_path: Path) -> None:
    value, why = bad
    keyfile = tmp_path / "key.txt"
    # A keyfile's first line is its key (line breaks end it): a bell stands in for them.
    keyfile.write_text(value.replace("\n", "\x07").replace("\r", "\x07") + "\n")
    keyfile.chmod(0o600)
    with pytest.raises(KeyfileError, match=why) as caught:
        read_keyfile(str(keyfile))
    assert "sk-first" not in str(caught.value) and "sk-abcd" not in str(caught.value)


def test_a_trailing_newline_is_stripped_first(tmp_path: Path) -> None:
    keyfile = tmp_path / "key.txt"
    keyfile.write_text("sk-plain-key-1234\r\n")
    keyfile.chmod(0o600)
    assert read_keyfile(str(keyfile)).key == "sk-plain-key-1234"


async def test_a_trailing_newline_from_the_environment_is_stripped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-1234\n")
    resolved = await runtime.auth.resolve("openai", ("OPENAI_API_KEY",))
    assert resolved.token == "sk-env-key-1234"


async def test_a_key_from_the_environment_refuses(
    bad: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    value, why = bad
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    monkeypatch.setenv("OPENAI_API_KEY", value)
    with pytest.raises(LlxprtError, match=why) as caught:
        await runtime.auth.resolve("openai", ("OPENAI_API_KEY",))
    assert "OPENAI_API_KEY" in str(caught.value)
    assert "sk-first" not in str(caught.value) and "sk-abcd" not in str(caught.value)


async def test_a_key_read_from_the_keyring_refuses(
    bad: tuple[str, str], memory_keyring: MemoryKeyring
) -> None:
    value, why = bad
    memory_keyring.set_password("llxprt-code-provider-keys", "bad", value)
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    with pytest.raises(LlxprtError, match=why) as loading:
        await rs.use_named_key("bad", runtime=runtime)
    # A name set another way (a profile, --key-name) is checked when the key is resolved.
    runtime.settings_service.set("auth-key-name", "bad")
    with pytest.raises(LlxprtError, match=why) as resolving:
        await runtime.auth.resolve("openai")
    shown = str(loading.value) + str(resolving.value)
    assert "keyring key 'bad'" in shown
    assert "sk-first" not in shown and "sk-abcd" not in shown
