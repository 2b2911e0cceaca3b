"""CliOverrides: the start-up flags a runtime is bootstrapped from (see bootstrap.py).

Kept apart from bootstrap so the app can hold its flags without importing the runtime.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CliOverrides:
    provider: str | None = None
    model: str | None = None
    key: str | None = None
    keyfile: str | None = None
    key_name: str | None = None
    base_url: str | None = None
    settings: tuple[str, ...] = ()  # "key=value" or "modelparam.NAME=value"
    profile: str | None = None  # --profile-load
    keyfile_key: str | None = None  # the key a --keyfile pipe gave, read once at start-up

    def __repr__(self) -> str:  # a crash traceback shows it: never the key nor a secret
        from llxprt_runtime.errors import REDACTED
        from llxprt_runtime.settings.registry import setting_line_holds_secret
        from llxprt_runtime.urls import display_url

        key = REDACTED if self.key else None
        settings = [
            f"{entry.partition('=')[0]}={REDACTED}" if setting_line_holds_secret(entry) else entry
            for entry in self.settings
        ]
        base_url = display_url(self.base_url) if self.base_url else None
        return (
            f"CliOverrides(provider={self.provider!r}, model={self.model!r}, key={key}, "
            f"keyfile={self.keyfile!r}, key_name={self.key_name!r}, base_url={base_url!r}, "
            f"settings={settings!r}, profile={self.profile!r})"
        )
