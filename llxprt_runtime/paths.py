"""Where llxprt reads and writes: the same places llxprt-code uses, so profiles are shared.

Each function reads the environment when called (tests and tabs may point elsewhere); no
path is cached at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR_NAME = "llxprt-code"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """`LLXPRT_CONFIG_HOME`, else the platform config dir (~/.config/llxprt-code on Linux)."""
    from platformdirs import user_config_path  # cheap, but only needed here

    return _env_path("LLXPRT_CONFIG_HOME") or user_config_path(APP_DIR_NAME, appauthor=False)


def data_dir() -> Path:
    from platformdirs import user_data_path

    return _env_path("LLXPRT_DATA_HOME") or user_data_path(APP_DIR_NAME, appauthor=False)


def cache_dir() -> Path:
    from platformdirs import user_cache_path

    return _env_path("LLXPRT_CACHE_HOME") or user_cache_path(APP_DIR_NAME, appauthor=False)


def log_dir() -> Path:
    from platformdirs import user_state_path

    return _env_path("LLXPRT_LOG_HOME") or user_state_path(APP_DIR_NAME, appauthor=False)


def profiles_dir() -> Path:
    return config_dir() / "profiles"


def legacy_profiles_dir() -> Path:
    """llxprt-code's old location, read (never written) so old profiles still load."""
    return Path.home() / ".llxprt" / "profiles"


def user_settings_file() -> Path:
    """Our own settings (default profile, theme, keymap)."""
    return config_dir() / "tui.toml"


def user_providers_file() -> Path:
    """Providers the user adds (name, protocol, base URL, model, key variable)."""
    return config_dir() / "providers.toml"


def llxprt_code_settings_file() -> Path:
    """llxprt-code's settings.json: read for `defaultProfile`, never rewritten by us."""
    return config_dir() / "settings.json"


def legacy_llxprt_code_settings_file() -> Path:
    return Path.home() / ".llxprt" / "settings.json"
