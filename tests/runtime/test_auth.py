"""The auth precedence resolver, the runtime-scoped token cache and the OAuthManager."""

from __future__ import annotations

from pathlib import Path

import pytest

from llxprt_runtime import KeyfileError, NamedKeyNotFoundError, RuntimeServices
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth import OAuthToken, OAuthTokenRequest
from llxprt_runtime.auth.secret_store import KEYRING_SERVICE
from tests.keyrings import MemoryKeyring

ENV = {"OPENAI_API_KEY": "sk-env", "GEMINI_API_KEY": "", "GOOGLE_API_KEY": "g-env"}


class RecordingOAuthProvider:
    """A token issuer implementing the OAuthProvider protocol; records every request."""

    def __init__(self, name: str, token: str = "oauth-token") -> None:
        self.name = name
        self.token = token
        self.requests: list[OAuthTokenRequest] = []
        self.logouts: list[OAuthTokenRequest] = []

    async def get_token(self, request: OAuthTokenRequest) -> OAuthToken | None:
        self.requests.append(request)
        return OAuthToken(f"{self.token}-{request.runtime_id}")

    async def logout(self, request: OAuthTokenRequest) -> None:
        self.logouts.append(request)


async def _runtime(provider: str = "openai") -> RuntimeServices:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider(provider)
    return runtime


async def test_precedence_walks_down_the_order(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    runtime = await _runtime("openai")
    settings = runtime.settings_service
    oauth = RecordingOAuthProvider("openai")
    runtime.oauth_manager.register_provider(oauth)
    keyfile = tmp_path / "k"
    keyfile.write_text("sk-keyfile-provider")
    keyfile.chmod(0o600)
    global_keyfile = tmp_path / "g"
    global_keyfile.write_text("sk-keyfile-global")
    global_keyfile.chmod(0o600)
    memory_keyring.passwords[(KEYRING_SERVICE, "named")] = "sk-named"

    settings.set_provider_setting("openai", "auth-key", "sk-provider")
    settings.set_provider_setting("openai", "auth-keyfile", str(keyfile))
    settings.set("auth-key", "sk-global")
    settings.set("auth-key-name", "named")
    settings.set("auth-keyfile", str(global_keyfile))

    async def resolve() -> tuple[str | None, str | None]:
        result = await runtime.auth.resolve("openai", ("OPENAI_API_KEY",), environ=ENV)
        return result.token, result.method

    per_call = await runtime.auth.resolve("openai", per_call="sk-call", environ=ENV)
    assert (per_call.token, per_call.method) == ("sk-call", "per-call")
    assert await resolve() == ("sk-provider", "command-key")
    settings.set_provider_setting("openai", "auth-key", None)
    assert await resolve() == ("sk-keyfile-provider", "keyfile")
    settings.set_provider_setting("openai", "auth-keyfile", None)
    assert await resolve() == ("sk-global", "command-key")
    settings.unset("auth-key")
    assert await resolve() == ("sk-named", "named-key")
    settings.unset("auth-key-name")
    assert await resolve() == ("sk-keyfile-global", "keyfile")
    settings.unset("auth-keyfile")
    assert await resolve() == ("sk-env", "env-openai_api_key")
    oauth_result = await runtime.auth.resolve("openai", ("OPENAI_API_KEY",), environ={})
    assert oauth_result.method == "oauth-openai"
    assert oauth_result.token == f"oauth-token-{runtime.runtime_id}"
    no_oauth = await runtime.auth.resolve("openai", environ={}, include_oauth=False)
    assert (no_oauth.token, no_oauth.source) == (None, "none")


async def test_global_key_does_not_leak_to_another_provider() -> None:
    """The subagent guard: global settings only apply when the target is the active provider."""
    runtime = await _runtime("openai")
    await rs.update_active_provider_api_key("sk-openai-only")
    settings = runtime.settings_service
    settings.set_provider_setting("openai", "auth-key", None)  # leave only the global key
    assert (await runtime.auth.resolve("openai", environ={})).token == "sk-openai-only"
    other = await runtime.auth.resolve("anthropic", ("ANTHROPIC_API_KEY",), environ={})
    assert other.token is None
    env = await runtime.auth.resolve("gemini", ("GEMINI_API_KEY", "GOOGLE_API_KEY"), environ=ENV)
    assert (env.token, env.method, env.source) == (
        "g-env",
        "env-google_api_key",
        "env: GOOGLE_API_KEY",
    )


async def test_none_and_blank_values_count_as_empty() -> None:
    runtime = await _runtime("openai")
    runtime.settings_service.set_provider_setting("openai", "auth-key", "none")
    result = await runtime.auth.resolve(
        "openai", ("OPENAI_API_KEY",), environ={"OPENAI_API_KEY": "  "}
    )
    assert result.token is None


async def test_problems_surface_only_when_nothing_else_resolves(tmp_path: Path) -> None:
    runtime = await _runtime("anthropic")
    settings = runtime.settings_service
    settings.set("auth-keyfile", str(tmp_path / "missing"))
    with pytest.raises(KeyfileError, match="was not found"):
        await runtime.auth.resolve("anthropic", ("ANTHROPIC_API_KEY",), environ={})
    fallback = await runtime.auth.resolve(
        "anthropic", ("ANTHROPIC_API_KEY",), environ={"ANTHROPIC_API_KEY": "sk-env"}
    )
    assert fallback.token == "sk-env"
    assert fallback.warnings and "was not found" in fallback.warnings[0]
    settings.unset("auth-keyfile")
    settings.set("auth-key-name", "ghost")
    with pytest.raises(NamedKeyNotFoundError, match="Named key 'ghost' not found"):
        await runtime.auth.resolve("anthropic", environ={})


async def test_resolved_auth_repr_hides_the_token() -> None:
    runtime = await _runtime("openai")
    await rs.update_active_provider_api_key("sk-very-secret")
    resolved = await runtime.auth.resolve("openai", environ={})
    assert "sk-very-secret" not in repr(resolved)
    assert resolved.source == "runtime-only"


async def test_keyring_lookups_are_cached_per_runtime_and_invalidated(
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.passwords[(KEYRING_SERVICE, "shared")] = "sk-1"
    a = await _runtime("openai")
    await rs.use_named_key("shared", runtime=a)
    b = await _runtime("openai")
    await rs.use_named_key("shared", runtime=b)
    assert (await a.auth.resolve("openai", environ={})).token == "sk-1"
    memory_keyring.passwords[(KEYRING_SERVICE, "shared")] = "sk-2"
    assert (await a.auth.resolve("openai", environ={})).token == "sk-1"  # cached in A
    assert (await b.auth.resolve("openai", environ={})).token == "sk-2"  # B has its own cache
    a.settings_service.set_current_profile_name("work")  # a profile change flushes A
    assert (await a.auth.resolve("openai", environ={})).token == "sk-2"
    assert [i.reason for i in a.token_cache.invalidations] == ["profile-change"]
    assert a.token_cache.hits == 1


async def test_token_cache_invalidation_triggers() -> None:
    runtime = await _runtime("openai")
    cache = runtime.token_cache
    settings = runtime.settings_service

    def fill() -> None:
        for provider in ("openai", "anthropic"):
            cache.put(cache.scope(provider), f"t-{provider}", method="oauth-x", source="s")

    fill()
    settings.set_provider_setting("anthropic", "temperature", 0.1)
    assert [s.provider_id for s in cache.scopes()] == ["openai"]
    fill()
    settings.set("auth-key", "sk-new")
    assert cache.scopes() == []
    fill()
    settings.clear()
    assert cache.scopes() == []
    fill()
    settings.set("context-limit", 10)  # unrelated to auth: nothing dropped
    assert len(cache.scopes()) == 2
    assert [i.reason for i in cache.invalidations] == [
        "provider-change",
        "auth-change",
        "settings-cleared",
    ]
    with pytest.raises(ValueError, match="own runtime"):
        from llxprt_runtime.auth import TokenScope

        cache.put(TokenScope("other", "openai", "p"), "t", method="m", source="s")


async def test_token_cache_expiry() -> None:
    runtime = await _runtime("openai")
    now = [100.0]
    from llxprt_runtime.auth import RuntimeTokenCache

    cache = RuntimeTokenCache(runtime.runtime_id, runtime.settings_service, clock=lambda: now[0])
    scope = cache.scope("openai")
    cache.put(scope, "tok", method="oauth-openai", source="s", expires_at=110.0)
    entry = cache.get(scope)
    assert entry is not None and entry.token == "tok"
    now[0] = 111.0
    assert cache.get(scope) is None
    assert cache.invalidations[-1].reason == "expired"


async def test_oauth_requests_carry_the_runtime_scope_and_logout_flushes_only_that_scope() -> None:
    a = await _runtime("openai")
    b = await _runtime("openai")
    issuer = RecordingOAuthProvider("codex")
    a.oauth_manager.register_provider(issuer)
    b.oauth_manager.register_provider(issuer)
    a.settings_service.set_current_profile_name("work")
    token_a = await a.oauth_manager.get_token("codex")
    token_b = await b.oauth_manager.get_token("codex")
    assert token_a == f"oauth-token-{a.runtime_id}" and token_b == f"oauth-token-{b.runtime_id}"
    first = issuer.requests[0]
    assert first.runtime_id == a.runtime_id and first.profile_id == "work"
    assert first.runtime_auth_scope_id == f"{a.runtime_id}::codex::work"
    assert first.runtime_metadata["source"] == "activate_isolated_runtime_context"
    assert issuer.requests[1].profile_id == "no-profile"
    # A second request in A is served from A's cache.
    assert await a.oauth_manager.get_token("codex") == token_a
    assert len(issuer.requests) == 2
    assert await a.oauth_manager.logout("codex") == 1
    assert issuer.logouts[0].runtime_id == a.runtime_id
    assert a.token_cache.scopes() == []
    assert [s.runtime_id for s in b.token_cache.scopes()] == [b.runtime_id]


async def test_disabled_oauth_provider_hands_out_nothing() -> None:
    runtime = await _runtime("openai")
    issuer = RecordingOAuthProvider("codex")
    runtime.oauth_manager.register_provider(issuer)
    await runtime.oauth_manager.get_token("codex")
    runtime.oauth_manager.set_enabled("codex", False)
    assert await runtime.oauth_manager.get_token("codex") is None
    assert runtime.token_cache.invalidations[-1].reason == "oauth-disabled"
