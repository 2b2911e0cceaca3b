"""The llxprt profile, JSON version 1, byte-compatible with llxprt-code's files.

`{version: 1, provider, model, modelParams, ephemeralSettings, auth?}`; unknown top-level
fields are kept so a profile written by a newer llxprt-code survives a round trip.
A load-balancer profile (`"type": "loadbalancer"`) names standard member profiles instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from llxprt_runtime.errors import ProfileError
from llxprt_runtime.settings.registry import (
    SettingValue,
    check_free_value,
    get_spec,
    resolve_alias,
    validate_model_param,
    validate_setting,
)

PROFILE_VERSION = 1
_KNOWN_FIELDS = ("version", "provider", "model", "modelParams", "ephemeralSettings", "auth")


@dataclass(frozen=True, slots=True)
class Profile:
    provider: str
    model: str
    model_params: dict[str, SettingValue] = field(default_factory=dict)
    ephemeral_settings: dict[str, SettingValue] = field(default_factory=dict)
    auth: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    version: int = PROFILE_VERSION

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "provider": self.provider,
            "model": self.model,
            "modelParams": dict(self.model_params),
            "ephemeralSettings": dict(self.ephemeral_settings),
        }
        if self.auth is not None:
            data["auth"] = dict(self.auth)
        for key, value in self.extra.items():
            data.setdefault(key, value)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), indent=2, ensure_ascii=False) + "\n"

    @property
    def summary(self) -> str:
        return f"{self.provider}:{self.model}"

    def __repr__(self) -> str:
        keys = sorted(self.ephemeral_settings)
        return f"Profile(provider={self.provider!r}, model={self.model!r}, settings={keys})"


def parse_profile_text(name: str, text: str) -> AnyProfile:
    """Parse a profile file's text; ProfileError says exactly what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(
            name,
            f"Profile '{name}' is corrupted: not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}).",
        ) from None
    except ValueError:  # an integer of more than 4,300 digits: Python refuses to convert it
        raise ProfileError(
            name, f"Profile '{name}' is invalid: it holds a number too large to read."
        ) from None
    return parse_profile(name, data)


def parse_profile(name: str, data: object) -> AnyProfile:
    if not isinstance(data, dict):
        raise ProfileError(name, f"Profile '{name}' is invalid: expected a JSON object.")
    balancer = data.get("type") == "loadbalancer"  # it has no provider or model of its own
    required = ("version",) if balancer else ("version", "provider", "model")
    missing = [key for key in required if key not in data]
    if missing:
        raise ProfileError(
            name, f"Profile '{name}' is invalid: missing required fields ({', '.join(missing)})."
        )
    version = data["version"]
    if version != PROFILE_VERSION or isinstance(version, bool):
        raise ProfileError(
            name,
            f"Profile '{name}' has unsupported profile version {json.dumps(version)} "
            f"(llxprt reads version {PROFILE_VERSION}).",
        )
    if balancer:
        return parse_load_balancer_profile(name, data)
    provider, model = data["provider"], data["model"]
    for field_name, value in (("provider", provider), ("model", model)):
        if not isinstance(value, str) or not value.strip():
            raise ProfileError(
                name, f"Profile '{name}' is invalid: '{field_name}' must be a non-empty string."
            )
    model_params = _parse_section(name, data, "modelParams", model_param=True)
    ephemerals = _parse_section(name, data, "ephemeralSettings", model_param=False)
    auth = data.get("auth")
    if auth is not None and not isinstance(auth, dict):
        raise ProfileError(name, f"Profile '{name}' is invalid: 'auth' must be an object.")
    extra = {k: v for k, v in data.items() if k not in _KNOWN_FIELDS}
    return Profile(
        provider=provider.strip(),
        model=model.strip(),
        model_params=model_params,
        ephemeral_settings=ephemerals,
        auth=auth,
        extra=extra,
    )


LoadBalancerPolicy = Literal["roundrobin", "failover"]
LOAD_BALANCER_POLICIES: Final[tuple[LoadBalancerPolicy, ...]] = ("roundrobin", "failover")
_LB_FIELDS = (
    *("version", "type", "policy", "profiles", "provider", "model"),
    *("modelParams", "ephemeralSettings", "contextLimit"),
)


@dataclass(frozen=True, slots=True)
class LoadBalancerProfile:
    """llxprt-code's load-balancer profile: member profiles by name, a policy, and its own
    settings (the failover_* and circuit_breaker_* keys among them)."""

    policy: LoadBalancerPolicy
    profiles: tuple[str, ...]
    model_params: dict[str, SettingValue] = field(default_factory=dict)
    ephemeral_settings: dict[str, SettingValue] = field(default_factory=dict)
    context_limit: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    version: int = PROFILE_VERSION

    def to_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "type": "loadbalancer",
            "policy": self.policy,
            "profiles": list(self.profiles),
            "provider": "",
            "model": "",
            "modelParams": dict(self.model_params),
            "ephemeralSettings": dict(self.ephemeral_settings),
        }
        if self.context_limit is not None:
            data["contextLimit"] = self.context_limit
        for key, value in self.extra.items():
            data.setdefault(key, value)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_json_dict(), indent=2, ensure_ascii=False) + "\n"

    @property
    def summary(self) -> str:
        return f"load balancer ({self.policy}): {', '.join(self.profiles)}"

    def __repr__(self) -> str:
        return f"LoadBalancerProfile(policy={self.policy!r}, profiles={list(self.profiles)})"


AnyProfile = Profile | LoadBalancerProfile


def parse_load_balancer_profile(name: str, data: Mapping[str, object]) -> LoadBalancerProfile:
    """The load-balancer form of parse_profile (version already checked)."""
    policy = data.get("policy")
    if policy not in LOAD_BALANCER_POLICIES:
        raise ProfileError(
            name,
            f"Load balancer profile '{name}' has an invalid policy {json.dumps(policy)} "
            "(expected 'roundrobin' or 'failover').",
        )
    members = data.get("profiles")
    if (
        not isinstance(members, list)
        or not members
        or not all(isinstance(m, str) and m.strip() for m in members)
    ):
        raise ProfileError(
            name,
            f"Load balancer profile '{name}' is invalid: 'profiles' must be a non-empty list "
            "of profile names.",
        )
    context_limit = data.get("contextLimit")
    if context_limit is not None and (
        not isinstance(context_limit, int) or isinstance(context_limit, bool) or context_limit <= 0
    ):
        raise ProfileError(
            name,
            f"Load balancer profile '{name}' is invalid: 'contextLimit' must be a positive "
            "integer.",
        )
    return LoadBalancerProfile(
        policy="roundrobin" if policy == "roundrobin" else "failover",
        profiles=tuple(str(m).strip() for m in members),
        model_params=_parse_section(name, data, "modelParams", model_param=True),
        ephemeral_settings=_parse_section(name, data, "ephemeralSettings", model_param=False),
        context_limit=context_limit,
        extra={k: v for k, v in data.items() if k not in _LB_FIELDS},
    )


def _parse_section(
    name: str, data: Mapping[str, object], section: str, *, model_param: bool
) -> dict[str, SettingValue]:
    raw = data.get(section)
    if raw is None:
        return {}  # older profiles omit modelParams (llxprt-code #2477)
    if not isinstance(raw, dict):
        raise ProfileError(name, f"Profile '{name}' is invalid: '{section}' must be an object.")
    parsed: dict[str, SettingValue] = {}
    for key, value in raw.items():
        if value is None:
            continue  # an explicit null means "unset" in llxprt-code profiles
        try:
            if model_param:
                canonical, normalized = validate_model_param(str(key), value)
            elif get_spec(str(key)) is None:
                # Settings of llxprt-code features we don't have are kept as they are.
                canonical = resolve_alias(str(key))
                normalized = _plain(check_free_value(canonical, value))
            else:
                canonical, normalized = validate_setting(str(key), value)
        except ValueError as exc:
            raise ProfileError(
                name, f"Profile '{name}' has an invalid value in {section}: {exc}"
            ) from None
        parsed[canonical] = normalized
    return parsed


def _plain(value: object) -> SettingValue:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    return json.dumps(value)
