from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from llxprt_runtime import (
    KeyringUnavailableError,
    NamedKeyNotFoundError,
    ProfileError,
    SecretStoreError,
)
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth import KEYRING_SERVICE, SecretStore
from llxprt_runtime.errors import InvalidKeyNameError
from tests.keyrings import DroppingKeyring, MemoryKeyring, use_keyring_backend


@pytest.fixture
def store(tmp_path: Path) -> SecretStore:
    return SecretStore(tmp_path / "names.json")


async def test_save_get_list_delete(store: SecretStore, memory_keyring: MemoryKeyring) -> None:
    await store.save("openai-work", "  sk-1  ")
    await store.save("anthropic", "sk-2")
    assert memory_keyring.passwords[(KEYRING_SERVICE, "openai-work")] == "sk-1"
    assert await store.get("openai-work") == "sk-1"
    assert await store.list_names() == ["anthropic", "openai-work"]
    assert await store.delete("anthropic") is True
    assert await store.delete("anthropic") is False
    assert await store.list_names() == ["openai-work"]
    assert await store.get("anthropic") is None


async def test_keyring_calls_run_off_the_event_loop(
    store: SecretStore, memory_keyring: MemoryKeyring
) -> None:
    await store.save("k", "v")
    await store.get("k")
    loop_thread = threading.current_thread().name
    assert memory_keyring.calling_threads
    assert loop_thread not in memory_keyring.calling_threads


async def test_names_and_values_are_validated(store: SecretStore) -> None:
    for bad in ("", "has space", "a/b", "x" * 65):
        with pytest.raises(InvalidKeyNameError, match="is invalid"):
            await store.save(bad, "v")
    with pytest.raises(SecretStoreError, match="API key value cannot be empty"):
        await store.save("ok", "   ")


@pytest.fixture
def no_keyring() -> Iterator[KeyringBackend]:
    yield from use_keyring_backend(fail.Keyring())


@pytest.mark.usefixtures("no_keyring")
async def test_missing_keyring_is_a_clear_status(store: SecretStore, dirs: object) -> None:
    with pytest.raises(KeyringUnavailableError) as info:
        await store.save("k", "sk-not-persisted")
    assert "No keyring is available on this system: the key is kept for this tab only" in str(
        info.value
    )
    assert "sk-not-persisted" not in str(info.value)
    # Nothing was written anywhere as a fallback.
    written = [p for p in store._index_file.parent.rglob("*") if p.is_file()]
    assert written == []


@pytest.mark.usefixtures("locked_keyring")
async def test_locked_keyring(store: SecretStore) -> None:
    with pytest.raises(KeyringUnavailableError, match="the keyring is locked"):
        await store.get("k")


@pytest.mark.usefixtures("no_keyring")
async def test_runtime_key_stays_runtime_only_without_keyring() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    with pytest.raises(KeyringUnavailableError):
        await runtime.secret_store.save("openai", "sk-typed")
    result = await rs.update_active_provider_api_key("sk-typed")
    assert result.changed
    assert (await runtime.auth.resolve("openai", environ={})).token == "sk-typed"
    with pytest.raises(KeyringUnavailableError):
        await rs.use_named_key("openai")


# --- the real OS keyring: Secret Service over D-Bus (gnome-keyring in CI) ------------------


def _secret_service_or_skip() -> KeyringBackend:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip(
            "no D-Bus session bus: run under `sh .ci/with-keyring.sh` to test Secret Service"
        )
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    try:
        backend.get_password(KEYRING_SERVICE, "__probe__")
    except Exception as exc:
        pytest.skip(f"Secret Service is not usable on this bus: {exc}")
    return backend


@pytest.fixture
def secret_service() -> Iterator[KeyringBackend]:
    yield from use_keyring_backend(_secret_service_or_skip())


@pytest.mark.secret_service
async def test_secret_service_round_trip(
    store: SecretStore, secret_service: KeyringBackend
) -> None:
    name = f"llxprt-test-{uuid.uuid4().hex[:8]}"
    try:
        await store.save(name, "sk-secret-service")
        assert secret_service.get_password(KEYRING_SERVICE, name) == "sk-secret-service"
        assert await store.get(name) == "sk-secret-service"
        # Enumerated from the keyring itself: a key saved by another program is listed too.
        other = f"llxprt-other-{uuid.uuid4().hex[:8]}"
        secret_service.set_password(KEYRING_SERVICE, other, "sk-elsewhere")
        names = await store.list_names()
        assert name in names and other in names
        await store.delete(other)
    finally:
        await store.delete(name)
    assert await store.get(name) is None


@pytest.mark.secret_service
async def test_named_key_and_profile_through_secret_service(
    secret_service: KeyringBackend, dirs: object
) -> None:
    name = f"llxprt-profile-{uuid.uuid4().hex[:8]}"
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("anthropic")
    try:
        with pytest.raises(NamedKeyNotFoundError):
            await rs.use_named_key(name)
        await runtime.secret_store.save(name, "sk-ant-from-keyring")
        await rs.use_named_key(name)
        resolved = await runtime.auth.resolve("anthropic", environ={})
        assert (resolved.token, resolved.source) == ("sk-ant-from-keyring", f"keyring: {name}")
        await rs.save_profile_snapshot("ss")
        other = await rs.activate_isolated_runtime_context()
        loaded = await rs.load_profile_by_name("ss", runtime=other)
        assert loaded.provider_name == "anthropic"
        assert (await other.auth.resolve("anthropic", environ={})).token == "sk-ant-from-keyring"
    finally:
        await runtime.secret_store.delete(name)
    third = await rs.activate_isolated_runtime_context()
    with pytest.raises(ProfileError, match="is not in the keyring"):
        await rs.load_profile_by_name("ss", runtime=third)


async def test_saving_a_typed_key_uses_it_by_name(memory_keyring: MemoryKeyring) -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("anthropic")
    result = await rs.save_active_provider_key("sk-typed-1")
    assert (result.key_name, result.persisted) == ("anthropic", True)
    assert memory_keyring.passwords[(KEYRING_SERVICE, "anthropic")] == "sk-typed-1"
    assert runtime.settings_service.get("auth-key-name") == "anthropic"
    assert runtime.settings_service.get("auth-key") is None
    snapshot = rs.build_runtime_profile_snapshot()
    assert snapshot.ephemeral_settings["auth-key-name"] == "anthropic"
    resolved = await runtime.auth.resolve("anthropic", environ={})
    assert (resolved.token, resolved.source) == ("sk-typed-1", "keyring: anthropic")


@pytest.mark.usefixtures("no_keyring")
async def test_saving_a_typed_key_without_keyring_keeps_it_for_this_runtime() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    result = await rs.save_active_provider_key("sk-typed-2", name="work")
    assert not result.persisted and result.key_name is None
    assert result.message.startswith(
        "No keyring is available on this system: the key is kept for this tab only"
    )
    assert (await runtime.auth.resolve("openai", environ={})).token == "sk-typed-2"
    assert "auth-key-name" not in rs.build_runtime_profile_snapshot().ephemeral_settings


# --- a keyring that stores nothing is not a keyring (issue 11, Secrets 8) -----------------


@pytest.fixture(params=["dropping", "null"])
def forgetful_keyring(request: pytest.FixtureRequest) -> Iterator[KeyringBackend]:
    """A real backend whose writes do not read back: our own, and keyring's `null`."""
    from keyring.backends import null

    backend = DroppingKeyring() if request.param == "dropping" else null.Keyring()
    yield from use_keyring_backend(backend)


@pytest.mark.usefixtures("forgetful_keyring")
async def test_a_write_that_does_not_read_back_is_no_keyring(store: SecretStore) -> None:
    with pytest.raises(KeyringUnavailableError) as info:
        await store.save("k", "sk-dropped-1234")
    assert str(info.value).startswith("No keyring is available on this system")
    assert "did not keep" in str(info.value) and "sk-dropped" not in str(info.value)
    assert not store._index_file.exists()  # not listed as saved either


@pytest.mark.usefixtures("forgetful_keyring")
async def test_saving_a_typed_key_into_a_forgetful_keyring_keeps_it_for_this_runtime() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    result = await rs.save_active_provider_key("sk-typed-3", name="work")
    assert not result.persisted and result.key_name is None
    assert "No keyring is available" in result.message and "Saved" not in result.message
    assert (await runtime.auth.resolve("openai", environ={})).token == "sk-typed-3"
    assert "auth-key-name" not in rs.build_runtime_profile_snapshot().ephemeral_settings
