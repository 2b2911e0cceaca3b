"""The auth precedence resolver: where a call's API key comes from.

Order, per call (the reference's rules):
1. a per-call value;
2. the provider's own `auth-key`, then its `auth-keyfile`;
3. the global `auth-key`, `auth-key-name` (OS keyring), `auth-keyfile` — only when the
   active provider is the target (or none is active): the guard that keeps a foreground
   key from leaking into a call for another provider (a subagent);
4. the provider's environment variables (OPENAI_API_KEY, ...);
5. OAuth, through the runtime's OAuthManager.
Values are trimmed and the literal `none` counts as empty.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from llxprt_runtime.auth.keyfile import read_keyfile
from llxprt_runtime.auth.oauth import OAuthManager
from llxprt_runtime.auth.secret_store import SecretStore
from llxprt_runtime.auth.token_cache import RuntimeTokenCache
from llxprt_runtime.errors import (
    InvalidKeyError,
    KeyfileError,
    LlxprtError,
    NamedKeyNotFoundError,
)
from llxprt_runtime.settings.registry import api_key_problem, check_api_key
from llxprt_runtime.settings.service import SettingsService


@dataclass(frozen=True, slots=True)
class ResolvedAuth:
    """A resolved credential. `source` is safe to show; the token never appears in repr."""

    token: str | None
    method: str | None  # per-call | command-key | named-key | keyfile | env-<var> | oauth-<p>
    source: str  # e.g. "keyring: work", "keyfile: ~/.openai_key", "env: OPENAI_API_KEY", "none"
    warnings: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)  # sent with it (OAuth account)

    def __repr__(self) -> str:
        shown = "[REDACTED]" if self.token else None
        return f"ResolvedAuth(method={self.method!r}, source={self.source!r}, token={shown})"


NO_AUTH = ResolvedAuth(None, None, "none")


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One configured credential source: a key, a keyfile path, a keyring name, an env var."""

    kind: str  # key | keyfile | keyring | env
    value: str
    var: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "key":
            return "runtime-only"
        if self.kind == "env":
            return f"env: {self.var}"
        return f"{self.kind}: {self.value}"

    def __repr__(self) -> str:
        shown = "[REDACTED]" if self.kind in ("key", "env") else self.value
        return f"_Candidate({self.kind}, {shown})"


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return None if not text or text.lower() == "none" else text


@dataclass(slots=True)
class AuthPrecedenceResolver:
    """Resolves credentials for one runtime (its settings, cache, keyring and OAuth)."""

    settings: SettingsService
    token_cache: RuntimeTokenCache
    secret_store: SecretStore
    oauth_manager: OAuthManager | None = None
    # Keys read from keyfiles, by path: a keyfile is read when it is set, not per request
    # (a pipe from `--keyfile <(...)` can be read only once, and reads belong off the loop).
    keyfiles: dict[str, str] = field(default_factory=dict, repr=False)

    def remember_keyfile(self, path: str, key: str) -> None:
        self.keyfiles[path.strip()] = key

    async def resolve(
        self,
        provider: str,
        env_key_names: Sequence[str] = (),
        *,
        per_call: str | None = None,
        include_oauth: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> ResolvedAuth:
        """The first credential that resolves, in precedence order.

        Raises the first problem met (an unreadable keyfile, a missing keyring key) only
        when nothing later in the order resolves; otherwise it is carried in `warnings`.
        """
        problems: list[LlxprtError] = []
        result = await self._resolve(
            provider, env_key_names, per_call, include_oauth, environ or os.environ, problems
        )
        if result.token is None and problems:
            raise problems[0]
        return ResolvedAuth(
            result.token,
            result.method,
            result.source,
            tuple(str(p) for p in problems),
            result.headers,
        )

    def _candidates(
        self, provider: str, env_key_names: Sequence[str], environ: Mapping[str, str]
    ) -> list[_Candidate]:
        """The configured sources, in precedence order (OAuth, always last, excluded)."""
        settings = self.settings
        found: list[_Candidate] = []
        if token := _clean(settings.get_provider_setting(provider, "auth-key")):
            found.append(_Candidate("key", token))
        if path := _clean(settings.get_provider_setting(provider, "auth-keyfile")):
            found.append(_Candidate("keyfile", path))
        if settings.active_provider in (None, provider):  # the subagent-leak guard
            if token := _clean(settings.get("auth-key")):
                found.append(_Candidate("key", token))
            if name := _clean(settings.get("auth-key-name")):
                found.append(_Candidate("keyring", name))
            if path := _clean(settings.get("auth-keyfile")):
                found.append(_Candidate("keyfile", path))
        for var in env_key_names:
            if token := _clean(environ.get(var)):
                found.append(_Candidate("env", token, var))
        return found

    async def _resolve(
        self,
        provider: str,
        env_key_names: Sequence[str],
        per_call: str | None,
        include_oauth: bool,
        environ: Mapping[str, str],
        problems: list[LlxprtError],
    ) -> ResolvedAuth:
        if token := _clean(per_call):
            check_api_key(token, "The per-call key")
            return ResolvedAuth(token, "per-call", "per-call key")
        for candidate in self._candidates(provider, env_key_names, environ):
            resolved: ResolvedAuth | None
            if candidate.kind == "key":
                resolved = ResolvedAuth(candidate.value, "command-key", candidate.label)
            elif candidate.kind == "env":
                var = candidate.var or ""
                resolved = ResolvedAuth(candidate.value, f"env-{var.lower()}", candidate.label)
            elif candidate.kind == "keyfile":
                resolved = await self._from_keyfile(candidate.value, problems)
            else:
                resolved = await self._from_keyring(provider, candidate.value, problems)
            if resolved is not None and resolved.token is not None:
                # Every key passes here, whatever its source: one that could not be a key
                # is refused now, before an HTTP library quotes it back in an error.
                if problem := api_key_problem(resolved.token):
                    problems.append(InvalidKeyError(f"{_described(candidate)} {problem}."))
                    continue
            if resolved is not None:
                return resolved
        if include_oauth and self.oauth_manager is not None:
            if credential := await self.oauth_manager.get_credential(provider):
                return ResolvedAuth(
                    credential.token,
                    f"oauth-{provider}",
                    credential.source,
                    headers=credential.headers,
                )
        return NO_AUTH

    def describe(
        self,
        provider: str,
        env_key_names: Sequence[str] = (),
        environ: Mapping[str, str] | None = None,
    ) -> str:
        """Where `provider`'s key would come from, without reading any secret (no keyfile or
        keyring access): for status lines. Same order as resolve()."""
        candidates = self._candidates(
            provider, env_key_names, os.environ if environ is None else environ
        )
        if candidates:
            return candidates[0].label
        if self.oauth_manager is not None and self.oauth_manager.supports(provider):
            return self.oauth_manager.describe(provider)
        return "none"

    async def _from_keyfile(self, path: str, problems: list[LlxprtError]) -> ResolvedAuth | None:
        key = self.keyfiles.get(path)
        if key is None:
            try:
                key = (await asyncio.to_thread(read_keyfile, path)).key
            except KeyfileError as exc:
                problems.append(exc)
                return None
            self.keyfiles[path] = key
        return ResolvedAuth(key, "keyfile", f"keyfile: {path}")

    async def _from_keyring(
        self, provider: str, name: str, problems: list[LlxprtError]
    ) -> ResolvedAuth | None:
        # Keyring look-ups are D-Bus round trips: cache them per (runtime, provider, profile).
        scope = self.token_cache.scope(provider)
        cached = self.token_cache.get(scope)
        if cached is not None and cached.method == "named-key" and cached.source.endswith(name):
            return ResolvedAuth(cached.token, cached.method, cached.source)
        try:
            token = await self.secret_store.get(name)
        except LlxprtError as exc:
            problems.append(exc)
            return None
        if token is None:
            problems.append(NamedKeyNotFoundError(name))
            return None
        source = f"keyring: {name}"
        self.token_cache.put(scope, token, method="named-key", source=source)
        return ResolvedAuth(token, "named-key", source)


def _described(candidate: _Candidate) -> str:
    if candidate.kind == "env":
        return f"The key in {candidate.var}"
    if candidate.kind == "keyring":
        return f"The keyring key '{candidate.value}'"
    if candidate.kind == "keyfile":
        return f"The key in {candidate.value}"
    return "The API key"
