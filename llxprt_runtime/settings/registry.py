"""The registry of setting keys: what each key is, how it validates, where it may go.

This is data, read by small generic code. A key's spec says its type, accepted values,
aliases, whether it persists to profiles and whether it is *runtime-only* (a secret held
in the runtime's memory and never written to any file).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Final

from llxprt_runtime.errors import REDACTED, InvalidKeyError, SettingValidationError
from llxprt_runtime.urls import display_url, mask_urls

SettingValue = bool | int | float | str | list[str] | list[int] | dict[str, object] | None


class SettingType(Enum):
    BOOLEAN = "boolean"
    NUMBER = "number"
    INTEGER = "integer"
    STRING = "string"
    ENUM = "enum"
    JSON = "json"
    HEADERS = "headers"  # a JSON object of HTTP header name -> string value
    STOP = "stop"  # one stop sequence or a list of them
    STATUS_CODES = "status-codes"  # a list of HTTP status codes (100-599)


class SettingCategory(Enum):
    PROVIDER_CONFIG = "provider-config"
    MODEL_BEHAVIOR = "model-behavior"
    CLI_BEHAVIOR = "cli-behavior"
    MODEL_PARAM = "model-param"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    type: SettingType
    category: SettingCategory
    description: str
    aliases: tuple[str, ...] = ()
    enum_values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    persist_to_profile: bool = True
    runtime_only: bool = False
    sensitive: bool = False
    extra_check: Callable[[str, SettingValue], None] | None = None
    #: A valid value shown in the message for a bad one ("must be a positive integer (e.g., 4096)").
    example: str = "4096"
    #: An enum that also takes true/false: the values they stand for (streaming: enabled, disabled).
    boolean_values: tuple[str, str] | None = None
    #: A global kept when the active provider changes (llxprt-code's DEFAULT_PRESERVE_EPHEMERALS).
    kept_on_provider_switch: bool = False

    def validate(self, value: object) -> SettingValue:
        """Return the normalized value, or raise SettingValidationError naming the key."""
        normalized = _VALIDATORS[self.type](self, value)
        if self.extra_check is not None:
            self.extra_check(self.key, normalized)
        return normalized

    @property
    def is_model_param(self) -> bool:
        return self.category is SettingCategory.MODEL_PARAM


# --- validators per type -----------------------------------------------------------------


def _bool(spec: SettingSpec, value: object) -> SettingValue:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise SettingValidationError(
        spec.key, f"{spec.key} must be either 'true' or 'false'", ("true", "false")
    )


# The largest integer a float (and so JSON in every other program) holds exactly; anything
# bigger in a file or a command is hostile or a typo, and float() of it can overflow.
MAX_SAFE_INTEGER = 2**53


def _check_magnitude(key: str, value: object) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        raise SettingValidationError(
            key, f"{key} is too large (the limit is {MAX_SAFE_INTEGER:,} either way)"
        )


def _number(spec: SettingSpec, value: object) -> SettingValue:
    _check_magnitude(spec.key, value)
    number = _as_number(value)
    _check_magnitude(spec.key, number)
    if number is None:
        raise SettingValidationError(spec.key, f"{spec.key} must be a number")
    _check_range(spec, number)
    return number


def _integer(spec: SettingSpec, value: object) -> SettingValue:
    _check_magnitude(spec.key, value)
    number = _as_number(value)
    _check_magnitude(spec.key, number)
    if number is None or not float(number).is_integer():
        raise SettingValidationError(spec.key, _integer_message(spec))
    integer = int(number)
    if spec.positive and integer <= 0:
        raise SettingValidationError(spec.key, _integer_message(spec))
    _check_range(spec, integer)
    return integer


def _integer_message(spec: SettingSpec) -> str:
    if spec.positive:
        return f"{spec.key} must be a positive integer (e.g., {spec.example})"
    if spec.minimum == 0:
        return f"{spec.key} must be a non-negative integer"
    return f"{spec.key} must be an integer"


def _string(spec: SettingSpec, value: object) -> SettingValue:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SettingValidationError(spec.key, f"{spec.key} must be a string")
    text = str(value).strip()
    if not text:
        raise SettingValidationError(spec.key, f"{spec.key} must not be empty")
    return text


def _enum(spec: SettingSpec, value: object) -> SettingValue:
    text = str(value).strip() if isinstance(value, str | bool | int) else None
    if isinstance(value, bool):
        text = "true" if value else "false"
    lowered = {choice.lower(): choice for choice in spec.enum_values}
    if text is not None and text.lower() in lowered:
        return lowered[text.lower()]
    if spec.boolean_values and text is not None and text.lower() in ("true", "false"):
        return spec.boolean_values[0] if text.lower() == "true" else spec.boolean_values[1]
    choices = ", ".join(spec.enum_values)
    raise SettingValidationError(
        spec.key, f"{spec.key} must be one of: {choices}", spec.enum_values
    )


def _json(spec: SettingSpec, value: object) -> SettingValue:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise SettingValidationError(
                spec.key, f"{spec.key} must be valid JSON ({exc.msg})"
            ) from exc
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    raise SettingValidationError(spec.key, f"{spec.key} must be a JSON object, list or scalar")


_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _headers(spec: SettingSpec, value: object) -> SettingValue:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise SettingValidationError(
                spec.key,
                f"{spec.key} must be a JSON object of header names to values, "
                f'e.g. {{"X-Team": "platform"}} ({exc.msg})',
            ) from exc
    if not isinstance(value, dict):
        raise SettingValidationError(
            spec.key, f'{spec.key} must be a JSON object, e.g. {{"X-Team": "platform"}}'
        )
    headers: dict[str, object] = {}
    for name, header_value in value.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise SettingValidationError(
                spec.key, f"{spec.key}: '{name}' is not a valid header name"
            )
        if not isinstance(header_value, str | int | float) or isinstance(header_value, bool):
            raise SettingValidationError(
                spec.key, f"{spec.key}: the value of header '{name}' must be a string"
            )
        text = str(header_value)
        if "\n" in text or "\r" in text:
            raise SettingValidationError(
                spec.key, f"{spec.key}: the value of header '{name}' must be on one line"
            )
        headers[name] = text
    return headers


def _stop(spec: SettingSpec, value: object) -> SettingValue:
    if isinstance(value, str):
        if not value.strip().startswith("["):
            return value
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise SettingValidationError(spec.key, f"{spec.key} must be valid JSON") from None
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return [str(item) for item in value]
    raise SettingValidationError(spec.key, f"{spec.key} must be a string or a list of strings")


def _status_codes(spec: SettingSpec, value: object) -> SettingValue:
    if isinstance(value, str):
        try:
            value = json.loads(value if value.strip().startswith("[") else f"[{value}]")
        except json.JSONDecodeError:
            value = None
    codes = value if isinstance(value, list) else None
    if not codes or not all(
        isinstance(c, int) and not isinstance(c, bool) and 100 <= c <= 599 for c in codes
    ):
        raise SettingValidationError(
            spec.key, f"{spec.key} must be a list of HTTP status codes, e.g. [429, 500, 503]"
        )
    return [int(c) for c in codes]


_VALIDATORS: Mapping[SettingType, Callable[[SettingSpec, object], SettingValue]] = MappingProxyType(
    {
        SettingType.BOOLEAN: _bool,
        SettingType.NUMBER: _number,
        SettingType.INTEGER: _integer,
        SettingType.STRING: _string,
        SettingType.ENUM: _enum,
        SettingType.JSON: _json,
        SettingType.HEADERS: _headers,
        SettingType.STOP: _stop,
        SettingType.STATUS_CODES: _status_codes,
    }
)


def _as_number(value: object) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else None  # float() would overflow
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if re.fullmatch(r"[+-]?\d+", text) else number
    return None


def _check_range(spec: SettingSpec, number: float) -> None:
    low, high = spec.minimum, spec.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            bounds = f"between {_fmt(low)} and {_fmt(high)}"
        elif low is not None:
            bounds = f"at least {_fmt(low)}"
        else:
            bounds = f"at most {_fmt(high or 0)}"
        raise SettingValidationError(spec.key, f"{spec.key} must be {bounds} (got {number})")


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


KEY_NAME_PATTERN: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _check_key_name(key: str, value: SettingValue) -> None:
    if not isinstance(value, str) or not KEY_NAME_PATTERN.match(value):
        raise SettingValidationError(
            key,
            f"{key}: key name '{value}' is invalid. Use only letters, numbers, dashes, "
            "underscores, and dots (1-64 chars).",
        )


_KEY_ADVICE: Final = (
    "an API key is one line of printable ASCII characters; check how it was copied, "
    "saved or exported"
)


def api_key_problem(value: str) -> str | None:
    """What makes `value` (already trimmed) impossible as an API key, or None. Such a key
    would be refused by the HTTP layer with the key itself in the message."""
    for position, char in enumerate(value, start=1):
        if ord(char) < 0x20 or ord(char) == 0x7F:
            return (
                f"contains a control character (such as a newline or tab) at character "
                f"{position}: {_KEY_ADVICE}"
            )
        if ord(char) > 0x7E:
            return (
                f"contains a non-ASCII character at character {position} (a typographic "
                f"dash or quote, or a non-breaking space, often comes with a copied key): "
                f"{_KEY_ADVICE}"
            )
    return None


def check_api_key(value: str, source: str = "The API key") -> str:
    """`value` trimmed (a trailing newline from a file or variable goes), or an
    InvalidKeyError naming `source` and what is wrong (never the key)."""
    key = value.strip()
    problem = api_key_problem(key)
    if problem is not None:
        raise InvalidKeyError(f"{source} {problem}.")
    return key


def _check_api_key(key: str, value: SettingValue) -> None:
    if isinstance(value, str):
        check_api_key(value)


def _check_url(key: str, value: SettingValue) -> None:
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
        raise SettingValidationError(
            key, f"{key} must be an http:// or https:// URL (got '{value}')"
        )


# --- the registry ------------------------------------------------------------------------

_P = SettingCategory.PROVIDER_CONFIG
_B = SettingCategory.MODEL_BEHAVIOR
_C = SettingCategory.CLI_BEHAVIOR
_M = SettingCategory.MODEL_PARAM
_T = SettingType

_SPECS: Final[tuple[SettingSpec, ...]] = (
    # Provider, auth and transport.
    SettingSpec(
        "auth-key",
        _T.STRING,
        _P,
        "Inline API key for the active provider (kept in memory only).",
        aliases=("apiKey", "api-key"),
        persist_to_profile=False,
        runtime_only=True,
        sensitive=True,
        extra_check=_check_api_key,
    ),
    SettingSpec(
        "auth-keyfile",
        _T.STRING,
        _P,
        "Path of a file holding the API key.",
        aliases=("apiKeyfile", "api-keyfile"),
    ),
    SettingSpec(
        "auth-key-name",
        _T.STRING,
        _P,
        "Name of an API key saved in the OS keyring (/key save).",
        extra_check=_check_key_name,
    ),
    SettingSpec(
        "base-url",
        _T.STRING,
        _P,
        "Provider endpoint, e.g. http://127.0.0.1:8080/v1.",
        aliases=("baseUrl", "baseURL"),
        extra_check=_check_url,
    ),
    SettingSpec(
        "requires-auth", _T.BOOLEAN, _P, "false for keyless local servers (Ollama, LM Studio)."
    ),
    SettingSpec("model", _T.STRING, _P, "Model name for the active provider."),
    SettingSpec(
        "custom-headers", _T.HEADERS, _P, 'Extra HTTP headers as JSON, e.g. {"X-Team": "a"}.'
    ),
    SettingSpec(
        "user-agent",
        _T.STRING,
        _P,
        "User-Agent header sent with requests.",
        aliases=("User-Agent",),
    ),
    SettingSpec(
        "socket-timeout", _T.INTEGER, _P, "Request timeout in milliseconds.", positive=True
    ),
    SettingSpec(
        "api-version", _T.STRING, _P, "API version (Gemini: v1beta, v1; Azure-style APIs)."
    ),
    SettingSpec(
        "tool-format",
        _T.ENUM,
        _P,
        "Tool-call wire format override.",
        aliases=("toolFormat",),
        enum_values=(
            "auto",
            "openai",
            "anthropic",
            "deepseek",
            "qwen",
            "kimi",
            "mistral",
            "hermes",
            "xml",
            "llama",
            "gemma",
        ),
    ),
    SettingSpec("GOOGLE_CLOUD_PROJECT", _T.STRING, _P, "Vertex AI project (Gemini)."),
    SettingSpec(
        "GOOGLE_CLOUD_LOCATION", _T.STRING, _P, "Vertex AI location, e.g. us-central1 (Gemini)."
    ),
    SettingSpec(
        "streaming",
        _T.ENUM,
        _C,
        "Stream replies as they arrive.",
        enum_values=("enabled", "disabled"),
        boolean_values=("enabled", "disabled"),
        kept_on_provider_switch=True,
    ),
    SettingSpec(
        "context-limit",
        _T.INTEGER,
        _C,
        "Context window size in tokens.",
        positive=True,
        example="100000",
        kept_on_provider_switch=True,
    ),
    SettingSpec(
        "retries",
        _T.INTEGER,
        _C,
        "How many times a failed request is retried.",
        minimum=0,
        maximum=100,
    ),
    SettingSpec("retrywait", _T.INTEGER, _C, "Initial retry delay in milliseconds.", minimum=0),
    # Load-balancer profiles (llxprt-code's names; read by providers/load_balancer.py).
    SettingSpec(
        "failover_retry_count",
        _T.INTEGER,
        _C,
        "Load balancer (failover): retries on the same member before the next one.",
        minimum=0,
        maximum=100,
    ),
    SettingSpec(
        "failover_retry_delay_ms",
        _T.INTEGER,
        _C,
        "Load balancer (failover): milliseconds between retries on one member.",
        minimum=0,
    ),
    SettingSpec(
        "failover_on_network_errors",
        _T.BOOLEAN,
        _C,
        "Load balancer (failover): a network error moves to the next member.",
    ),
    SettingSpec(
        "failover_status_codes",
        _T.STATUS_CODES,
        _C,
        "Load balancer (failover): statuses that move on (default 429 and 5xx).",
    ),
    SettingSpec(
        "timeout_ms",
        _T.INTEGER,
        _C,
        "Load balancer: milliseconds to wait for a member's first chunk.",
        positive=True,
    ),
    SettingSpec(
        "tpm_threshold",
        _T.INTEGER,
        _C,
        "Load balancer: tokens-per-minute threshold (kept in profiles; not used by llxprt).",
        minimum=0,
    ),
    SettingSpec(
        "circuit_breaker_enabled",
        _T.BOOLEAN,
        _C,
        "Load balancer: skip a member that keeps failing, until it recovers.",
    ),
    SettingSpec(
        "circuit_breaker_failure_threshold",
        _T.INTEGER,
        _C,
        "Load balancer: failures within the window that open a member's breaker.",
        positive=True,
    ),
    SettingSpec(
        "circuit_breaker_failure_window_ms",
        _T.INTEGER,
        _C,
        "Load balancer: the window (ms) in which failures are counted.",
        positive=True,
    ),
    SettingSpec(
        "circuit_breaker_recovery_timeout_ms",
        _T.INTEGER,
        _C,
        "Load balancer: milliseconds an open breaker waits before trying the member again.",
        minimum=0,
    ),
    # Reasoning / thinking.
    SettingSpec("reasoning.enabled", _T.BOOLEAN, _B, "Ask the model to think before answering."),
    SettingSpec(
        "reasoning.effort",
        _T.ENUM,
        _B,
        "Reasoning effort.",
        enum_values=("minimal", "low", "medium", "high", "xhigh", "max"),
    ),
    SettingSpec(
        "reasoning.budgetTokens",
        _T.INTEGER,
        _B,
        "Thinking budget in tokens (Anthropic, Gemini).",
        positive=True,
    ),
    SettingSpec("reasoning.maxTokens", _T.INTEGER, _B, "Maximum reasoning tokens.", positive=True),
    SettingSpec(
        "reasoning.includeInResponse", _T.BOOLEAN, _B, "Show thinking in the conversation."
    ),
    SettingSpec(
        "reasoning.includeInContext", _T.BOOLEAN, _B, "Send earlier thinking back to the model."
    ),
    SettingSpec(
        "reasoning.stripFromContext",
        _T.ENUM,
        _B,
        "Which earlier thinking to drop from history.",
        enum_values=("all", "allButLast", "none"),
    ),
    SettingSpec(
        "reasoning.summary",
        _T.ENUM,
        _B,
        "Reasoning summary (OpenAI Responses).",
        enum_values=("auto", "concise", "detailed", "none"),
    ),
    SettingSpec(
        "text.verbosity",
        _T.ENUM,
        _B,
        "Answer verbosity (OpenAI Responses).",
        enum_values=("low", "medium", "high"),
    ),
    # Model parameters (stored per provider; /set modelparam).
    SettingSpec("temperature", _T.NUMBER, _M, "Sampling temperature.", minimum=0, maximum=2),
    SettingSpec(
        "max_tokens",
        _T.INTEGER,
        _M,
        "Maximum tokens in the reply.",
        aliases=("max-tokens", "maxTokens"),
        positive=True,
        kept_on_provider_switch=True,
    ),
    SettingSpec("top_p", _T.NUMBER, _M, "Nucleus sampling.", minimum=0, maximum=1),
    SettingSpec("top_k", _T.INTEGER, _M, "Top-k sampling.", positive=True),
    SettingSpec("seed", _T.INTEGER, _M, "Sampling seed."),
    SettingSpec("stop", _T.STOP, _M, "Stop sequence or list of them."),
    SettingSpec("presence_penalty", _T.NUMBER, _M, "Presence penalty.", minimum=-2, maximum=2),
    SettingSpec("frequency_penalty", _T.NUMBER, _M, "Frequency penalty.", minimum=-2, maximum=2),
    SettingSpec(
        "response_format",
        _T.JSON,
        _M,
        "Response format object (OpenAI).",
        aliases=("response-format", "responseFormat"),
    ),
    SettingSpec(
        "tool_choice",
        _T.JSON,
        _M,
        "Tool choice (auto, none, or an object).",
        aliases=("tool-choice", "toolChoice"),
    ),
)

SETTING_SPECS: Final[Mapping[str, SettingSpec]] = MappingProxyType({s.key: s for s in _SPECS})
_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {alias.lower(): spec.key for spec in _SPECS for alias in (spec.key, *spec.aliases)}
)

#: Global settings kept when the active provider changes (DEFAULT_PRESERVE_EPHEMERALS).
PRESERVED_ON_PROVIDER_SWITCH: Final = frozenset(s.key for s in _SPECS if s.kept_on_provider_switch)


def resolve_alias(key: str) -> str:
    """Map any spelling of a key (alias, case) to its canonical name; unknown keys pass through."""
    return _ALIASES.get(key.strip().lower(), key.strip())


def get_spec(key: str) -> SettingSpec | None:
    return SETTING_SPECS.get(resolve_alias(key))


def require_spec(key: str) -> SettingSpec:
    """The spec of a key accepted by /set, or a SettingValidationError naming the keys close
    to it (a list of all of them would bury the one that was meant)."""
    spec = get_spec(key)
    if spec is None:
        from difflib import get_close_matches

        valid = [s.key for s in _SPECS]
        close = get_close_matches(resolve_alias(key).lower(), valid, n=4, cutoff=0.6)
        hint = f"Did you mean: {', '.join(close)}?" if close else "No setting has a similar name."
        raise SettingValidationError(key, f"Invalid setting key: {key}. {hint}", valid)
    return spec


def validate_setting(key: str, value: object) -> tuple[str, SettingValue]:
    """Validate an ephemeral (global) setting; returns (canonical key, normalized value)."""
    spec = require_spec(key)
    return spec.key, spec.validate(value)


def validate_model_param(name: str, value: object) -> tuple[str, SettingValue]:
    """Validate a model parameter. Unregistered names pass through, as providers accept extras."""
    canonical = resolve_alias(name)
    spec = SETTING_SPECS.get(canonical)
    if spec is not None and not spec.is_model_param:
        raise SettingValidationError(
            name, f"'{name}' is a setting, not a model parameter. Use /set {spec.key} <value>."
        )
    if not canonical or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", canonical):
        raise SettingValidationError(name, f"Invalid model parameter name: '{name}'")
    if spec is None:
        return canonical, _coerce_free_value(check_free_value(canonical, value))
    return spec.key, spec.validate(value)


def parse_setting_text(raw: str) -> SettingValue:
    """Parse a value typed by a user (/set, --set): number, true/false, JSON, else the string."""
    text = raw.strip()
    number = _as_number(text)
    if number is not None:
        return number
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text[:1] in ("{", "[", '"'):
        try:
            return _coerce_free_value(json.loads(text))
        except json.JSONDecodeError:
            return text
    return text


def check_free_value(key: str, value: object) -> object:
    """`value` for a name the registry does not know (extra model params, llxprt-code
    settings we keep): any JSON value, but a number must be one a float holds."""
    _check_magnitude(key, value)
    if isinstance(value, float) and not math.isfinite(value):
        raise SettingValidationError(key, f"{key} must be a finite number")
    return value


def _coerce_free_value(value: object) -> SettingValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    raise SettingValidationError("value", f"Unsupported value: {value!r}")


def is_provider_config_key(key: str) -> bool:
    spec = get_spec(key)
    return spec is not None and spec.category is SettingCategory.PROVIDER_CONFIG


def is_runtime_only_key(key: str) -> bool:
    spec = get_spec(key)
    return spec is not None and spec.runtime_only


# --- secrets: the one place that decides what is never shown, remembered or written --------

#: Words of a header name (split at `-`, `_`, `.`) that mark its value as a credential.
_SECRET_HEADER_WORDS: Final = frozenset(
    {"authorization", "auth", "cookie", "token", "secret", "password", "passwd", "key"}
)
_SECRET_HEADER_ENDINGS: Final = ("token", "apikey", "secret", "password", "credentials")


def is_secret_setting(key: str) -> bool:
    """Whether `key` (any alias, any case) holds a secret: never shown, never written."""
    spec = get_spec(key)
    return spec is not None and (spec.runtime_only or spec.sensitive)


def is_secret_header(name: str) -> bool:
    """Whether an HTTP header's value is a credential (Authorization, *-Key, *-Token,
    Cookie, Proxy-Authorization, ...): runtime-only, like `auth-key`."""
    words = [w for w in re.split(r"[-_.\s]+", name.strip().lower()) if w]
    return any(w in _SECRET_HEADER_WORDS or w.endswith(_SECRET_HEADER_ENDINGS) for w in words)


def secret_headers(key: str, value: object) -> list[str]:
    """The names of the credential headers in `value` when `key` is a headers setting
    (`custom-headers`); [] for any other setting."""
    spec = get_spec(key)
    if spec is None or spec.type is not SettingType.HEADERS:
        return []
    headers = _header_mapping(value)
    return [str(name) for name in headers or {} if is_secret_header(str(name))]


def text_holds_secret(text: str) -> bool:
    """Whether free text (a command's arguments) holds a URL with `user:password@`."""
    return mask_urls(text) != text


def setting_holds_secret(key: str, value: object) -> bool:
    """Whether setting `key` to `value` puts a secret in it. A headers value that cannot be
    read is assumed to hold one: it cannot be checked, so it is not shown."""
    if is_secret_setting(key):
        return True
    if isinstance(value, str) and display_url(value) != value:
        return True  # a URL with `user:password@`
    spec = get_spec(key)
    if spec is None or spec.type is not SettingType.HEADERS or value is None:
        return False
    return _header_mapping(value) is None or bool(secret_headers(key, value))


def setting_line_holds_secret(text: str) -> bool:
    """Whether the arguments of `/set` (`KEY VALUE`, `modelparam KEY VALUE`, `KEY=VALUE`) or
    one `--set KEY=VALUE` entry hold a secret."""
    words = text.strip().split(None, 1)
    if not words or words[0].lower() == "unset":
        return False
    if words[0].lower() == "modelparam":
        words = words[1].split(None, 1) if len(words) > 1 else []
        if not words:
            return False
    first = words[0]
    if "=" in first:  # KEY=VALUE (the --set form)
        key, _, value = " ".join(words).partition("=")
        key = key.removeprefix("modelparam.")
        return setting_holds_secret(key, value) if value.strip() else is_secret_setting(key)
    if len(words) == 1:
        return False  # `/set KEY` describes the key
    return setting_holds_secret(first, words[1])


def shown_setting_value(key: str, value: object) -> object:
    """`value` as it may be shown or logged: secrets become [REDACTED], credential headers
    are masked, a base URL's password is hidden."""
    if value is None:
        return None
    if is_secret_setting(key):
        return REDACTED
    spec = get_spec(key)
    if spec is not None and spec.type is SettingType.HEADERS:
        headers = _header_mapping(value)
        if headers is None:
            return REDACTED
        return {
            name: REDACTED if is_secret_header(str(name)) else header_value
            for name, header_value in headers.items()
        }
    if spec is not None and spec.key == "base-url" and isinstance(value, str):
        return display_url(value)
    return value


def _header_mapping(value: object) -> Mapping[object, object] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, Mapping) else None


def setting_specs() -> Sequence[SettingSpec]:
    return _SPECS
