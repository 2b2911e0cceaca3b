"""Our own settings file, `<config dir>/tui.toml`: default profile, theme, keymap.

Read with `tomllib`, written atomically with `tomli_w`. llxprt-code's `settings.json` is
read for `defaultProfile` when ours names none, and never rewritten.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llxprt_runtime import paths
from llxprt_runtime.atomic import write_private_text
from llxprt_runtime.errors import UserSettingsError
from llxprt_runtime.file_reads import read_text


@dataclass(frozen=True, slots=True)
class UserSettings:
    default_profile: str | None = None
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # unknown tables survive a rewrite


def load_user_settings(path: Path | None = None) -> UserSettings:
    """The settings in `path` (default: tui.toml); a missing file gives the defaults."""
    file = path or paths.user_settings_file()
    try:
        data = tomllib.loads(read_text(file))
    except FileNotFoundError:
        return UserSettings()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserSettingsError(f"Could not read {file}: {exc}") from None
    except ValueError as exc:  # TOMLDecodeError, or an integer of over 4,300 digits
        raise UserSettingsError(f"{file} is not valid TOML: {exc}") from None
    return _from_mapping(file, data)


def _from_mapping(file: Path, data: Mapping[str, Any]) -> UserSettings:
    default_profile = data.get("default-profile")
    theme = data.get("theme")
    keymap = data.get("keymap", {})
    if default_profile is not None and not isinstance(default_profile, str):
        raise UserSettingsError(f"{file}: 'default-profile' must be a string")
    if theme is not None and not isinstance(theme, str):
        raise UserSettingsError(f"{file}: 'theme' must be a string")
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        raise UserSettingsError(f"{file}: [keymap] must map binding ids to key strings")
    extra = {k: v for k, v in data.items() if k not in ("default-profile", "theme", "keymap")}
    return UserSettings(default_profile or None, theme or None, dict(keymap), extra)


def save_user_settings(settings: UserSettings, path: Path | None = None) -> Path:
    import tomli_w

    file = path or paths.user_settings_file()
    data: dict[str, Any] = dict(settings.extra)
    if settings.default_profile:
        data["default-profile"] = settings.default_profile
    if settings.theme:
        data["theme"] = settings.theme
    if settings.keymap:
        data["keymap"] = dict(settings.keymap)
    write_private_text(file, tomli_w.dumps(data))
    return file


def resolve_default_profile_name(environ: Mapping[str, str] | None = None) -> str | None:
    """`LLXPRT_PROFILE`, else tui.toml's default-profile, else llxprt-code's defaultProfile."""
    env = os.environ if environ is None else environ
    if name := env.get("LLXPRT_PROFILE", "").strip():
        return name
    try:
        ours = load_user_settings().default_profile
    except UserSettingsError:
        ours = None
    if ours:
        return ours
    for file in (paths.llxprt_code_settings_file(), paths.legacy_llxprt_code_settings_file()):
        try:
            data = json.loads(read_text(file))
        except (OSError, ValueError):  # unreadable, special, not UTF-8 or not JSON
            continue
        value = data.get("defaultProfile") if isinstance(data, dict) else None
        if isinstance(value, str) and value.strip() and value.strip().lower() != "none":
            return value.strip()
    return None
