"""Providers the user adds in `<config>/providers.toml`, read as hostile input.

    [providers.groq]
    protocol = "openai"                        # openai | openai-responses | anthropic | gemini
    base-url = "https://api.groq.com/openai/v1"
    default-model = "llama-3.3-70b-versatile"
    key-env = "GROQ_API_KEY"                   # optional: the variable holding its key
    display-name = "Groq"                      # optional
    models = ["llama-3.3-70b-versatile"]       # optional: offered when the server lists none
    local-needs-key = true                     # optional: a loopback URL still takes a key
    images = false                             # optional: the server takes no images

A bad entry is skipped with a problem naming the file, the line of its table and what is
wrong; the other entries still load. A file that cannot be read or parsed adds no provider
and one problem. Nothing here raises for what the file holds.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

from llxprt_runtime import paths
from llxprt_runtime.file_reads import SETTINGS_LIMIT, read_text
from llxprt_runtime.providers.catalog import (
    BUILTIN_PROVIDERS,
    PROTOCOLS,
    REFUSED_PROVIDERS,
    ProviderInfo,
)

#: Names a user entry may not take: the load balancer's, besides the built-ins' and refused.
RESERVED_NAMES: Final = frozenset({"load-balancer"})

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_KEYS: Final = frozenset(
    {
        "protocol",
        "base-url",
        "default-model",
        "key-env",
        "display-name",
        "models",
        "local-needs-key",
        "images",
    }
)
_TEXT_LIMIT = 200


@dataclass(frozen=True, slots=True)
class UserProviders:
    providers: tuple[ProviderInfo, ...] = ()
    #: One sentence per entry (or file) not loaded, naming the file and line.
    problems: tuple[str, ...] = ()


class _EntryError(ValueError):
    pass


def read_user_providers(path: Path | None = None) -> UserProviders:
    """The providers in `path` (default: `<config>/providers.toml`); blocking: call it in a
    worker thread. A missing file gives none and no problem."""
    file = path or paths.user_providers_file()
    try:
        text = read_text(file, SETTINGS_LIMIT)  # regular and bounded: a FIFO cannot hang us
    except FileNotFoundError:
        return UserProviders()
    except (OSError, UnicodeDecodeError) as exc:
        return UserProviders(problems=(f"{file}: cannot be read ({exc}); no provider added.",))
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError (it names the line), or a huge integer
        return UserProviders(problems=(f"{file}: not valid TOML ({exc}); no provider added.",))
    table = data.get("providers", {})
    others = sorted(key for key in data if key != "providers")
    problems: list[str] = []
    if others:
        listed = ", ".join(repr(key) for key in others)
        problems.append(f"{file}: unknown top-level keys {listed} (entries go in [providers.NAME])")
    if not isinstance(table, dict):
        problems.append(f"{file}: 'providers' must be a table of [providers.NAME] entries")
        return UserProviders(problems=tuple(problems))
    providers: list[ProviderInfo] = []
    for name, entry in table.items():
        where = f"{file}:{_line_of(text, name)}"
        try:
            providers.append(_entry(file, name, entry))
        except _EntryError as exc:
            problems.append(f"{where}: provider {name!r} not added: {exc}")
    return UserProviders(tuple(providers), tuple(problems))


def _line_of(text: str, name: str) -> str:
    """The line number of `[providers.NAME]` (or of the first line naming NAME), else '?'."""
    quoted = re.escape(name)
    header = rf"^[ \t]*\[[ \t]*providers[ \t]*\.[ \t]*[\"']?{quoted}[\"']?[ \t]*\]"
    key = rf"^[ \t]*[\"']?{quoted}[\"']?[ \t]*[.=]"  # [providers] then NAME = {...}
    found = re.search(header, text, re.MULTILINE) or re.search(key, text, re.MULTILINE)
    return str(text.count("\n", 0, found.start()) + 1) if found else "?"


def _entry(file: Path, name: str, entry: object) -> ProviderInfo:
    if not _NAME.fullmatch(name):
        raise _EntryError(
            "a name is 1-64 lower-case letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    if name in BUILTIN_PROVIDERS or name in RESERVED_NAMES or name in REFUSED_PROVIDERS:
        raise _EntryError("that name is taken by llxprt; choose another")
    if not isinstance(entry, dict):
        raise _EntryError("expected a table ([providers.NAME] with protocol, base-url, ...)")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise _EntryError(
            f"unknown keys {', '.join(map(repr, unknown))} (known: {', '.join(sorted(_KEYS))})"
        )
    protocol = _text(entry, "protocol")
    if protocol not in PROTOCOLS:
        raise _EntryError(f"'protocol' must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    base_url = _text(entry, "base-url")
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or " " in base_url:
        raise _EntryError(f"'base-url' must be an http:// or https:// URL, not {base_url!r}")
    model = _text(entry, "default-model")
    key_env = entry.get("key-env", ())
    env_names = (key_env,) if isinstance(key_env, str) else key_env
    if not isinstance(env_names, list | tuple) or not all(
        isinstance(v, str) and _ENV_NAME.fullmatch(v) for v in env_names
    ):
        raise _EntryError("'key-env' must be an environment variable name (or a list of them)")
    models = entry.get("models", [model])
    if not isinstance(models, list) or not models:
        raise _EntryError("'models' must be a non-empty list of model names")
    local_needs_key = entry.get("local-needs-key", False)
    if not isinstance(local_needs_key, bool):
        raise _EntryError("'local-needs-key' must be true or false")
    images = entry.get("images", True)
    if not isinstance(images, bool):
        raise _EntryError("'images' must be true or false")
    return ProviderInfo(
        name=name,
        display_name=_text(entry, "display-name", name),
        default_model=model,
        default_base_url=base_url.rstrip("/"),
        env_key_names=tuple(env_names),
        fallback_models=tuple(_text({"models": m}, "models") for m in models),
        protocol=protocol,
        loopback_needs_key=local_needs_key,
        images=images,
        source=str(file),
    )


def _text(entry: Mapping[str, object], key: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if value is None:
        raise _EntryError(f"'{key}' is missing")
    if not isinstance(value, str) or not value.strip():
        raise _EntryError(f"'{key}' must be a non-empty string")
    if len(value) > _TEXT_LIMIT or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise _EntryError(f"'{key}' must be one line of at most {_TEXT_LIMIT} characters")
    return value.strip()
