"""Which settings, headers and command lines hold a secret: decided by the setting registry,
for every alias and spelling, and honoured by echo, history, process title, reprs and
notices (issue 11, Secrets 1 and 5)."""

from __future__ import annotations

import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.overrides import CliOverrides
from llxprt_runtime.settings.registry import (
    SETTING_SPECS,
    is_secret_header,
    is_secret_setting,
    setting_line_holds_secret,
    shown_setting_value,
)
from llxprt_tui.commands.spec import holds_secret
from llxprt_tui.process_title import masked_argv

KEY = "sk-SENTINEL-alias-5c6d7e"
AUTH_KEY_SPELLINGS = [
    spelling
    for alias in ("auth-key", *SETTING_SPECS["auth-key"].aliases)
    for spelling in (alias, alias.upper(), alias.lower(), alias.title())
]


@pytest.mark.parametrize("spelling", AUTH_KEY_SPELLINGS)
def test_every_spelling_of_every_auth_key_alias_is_a_secret(spelling: str) -> None:
    assert is_secret_setting(spelling)
    assert setting_line_holds_secret(f"{spelling} {KEY}")
    assert setting_line_holds_secret(f"{spelling}={KEY}")
    assert setting_line_holds_secret(f"modelparam {spelling} {KEY}")
    assert holds_secret(f"/set {spelling} {KEY}")
    assert holds_secret(f"/SET   {spelling}   {KEY}")
    assert shown_setting_value(spelling, KEY) == "[REDACTED]"


@pytest.mark.parametrize(
    "line",
    ["base-url http://x", "streaming enabled", "unset auth-key", "modelparam temperature 1"],
)
def test_ordinary_settings_are_not_secrets(line: str) -> None:
    assert not setting_line_holds_secret(line)
    assert not holds_secret(f"/set {line}")
    assert not is_secret_setting(line.split()[0] if " " in line else line)


def test_auth_key_in_another_settings_value_is_not_what_decides() -> None:
    # The old check matched the text "auth-key" anywhere; the registry reads the key.
    assert not holds_secret("/set user-agent my-auth-key-tester")
    assert not holds_secret("/set model auth-key")


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "proxy-authorization",
        "X-Api-Key",
        "x-goog-api-key",
        "Api-Key",
        "X-Team-Token",
        "Cookie",
        "Set-Cookie",
        "X-Client-Secret",
        "X-Portkey-Api-Key",
    ],
)
def test_credential_looking_headers_are_secrets(name: str) -> None:
    assert is_secret_header(name)
    line = f'custom-headers {{"{name}": "{KEY}", "X-Team": "a"}}'
    assert setting_line_holds_secret(line)
    assert holds_secret(f"/set {line}")
    shown = shown_setting_value("custom-headers", {name: KEY, "X-Team": "a"})
    assert shown == {name: "[REDACTED]", "X-Team": "a"}


@pytest.mark.parametrize("name", ["X-Team", "Accept-Language", "X-Request-Id", "Keyboard"])
def test_ordinary_headers_are_not(name: str) -> None:
    assert not is_secret_header(name)
    assert not holds_secret(f'/set custom-headers {{"{name}": "v"}}')


def test_a_custom_headers_line_that_does_not_parse_is_treated_as_secret() -> None:
    # It cannot be checked, so it is not echoed: it may hold a credential in any shape.
    assert holds_secret('/set custom-headers {"Authorization": "Bearer ')


@pytest.mark.parametrize(
    "argv",
    [
        ["llxprt", "--set", f"auth-key={KEY}", "-p", "hi"],
        ["llxprt", "--set", f"apiKey={KEY}", "-p", "hi"],
        ["llxprt", "--set", f"API-KEY={KEY}", "-p", "hi"],
        ["llxprt", f"--set=api-key={KEY}", "-p", "hi"],
        ["llxprt", "--set", f'custom-headers={{"Authorization": "Bearer {KEY}"}}', "-p", "hi"],
        ["llxprt", "--key", KEY, "-p", "hi"],
    ],
)
def test_the_process_title_masks_every_secret_flag(argv: list[str]) -> None:
    masked = masked_argv(argv)
    assert KEY not in " ".join(masked)
    assert masked[-2:] == ["-p", "hi"] and len(masked) == len(argv)


def test_a_url_password_is_a_secret_in_lines_flags_and_the_process_title() -> None:
    url = f"https://me:{KEY}@proxy.example/v1"
    assert holds_secret(f"/baseurl {url}") and holds_secret(f"/set base-url {url}")
    assert not holds_secret("/baseurl https://proxy.example/v1")
    masked = " ".join(masked_argv(["llxprt", "--baseurl", url, f"--set=base-url={url}"]))
    assert KEY not in masked and "me:***@proxy.example" in masked


def test_the_process_title_keeps_ordinary_set_flags() -> None:
    argv = ["llxprt", "--set", "streaming=disabled", "--set=modelparam.temperature=1"]
    assert masked_argv(argv) == argv


def test_cli_overrides_repr_masks_the_key_and_secret_set_values() -> None:
    overrides = CliOverrides(
        provider="openai",
        key=KEY + "-flag",
        settings=(
            f"apiKey={KEY}",
            "streaming=disabled",
            f'custom-headers={{"X-Api-Key": "{KEY}"}}',
        ),
    )
    shown = repr(overrides)
    assert KEY not in shown
    assert "streaming=disabled" in shown and "apiKey=" in shown


@pytest.mark.parametrize("spelling", ["api-key", "apiKey", "API-KEY"])
async def test_set_with_an_alias_sets_the_key_and_the_settings_repr_hides_it(spelling: str) -> None:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    key, value = await rs.set_ephemeral_setting(spelling, KEY, runtime=runtime)
    assert key == "auth-key" and value == KEY
    assert (await runtime.auth.resolve("openai", environ={})).token == KEY
    assert KEY not in repr(runtime.settings_service)


def test_the_sdk_client_key_repr_hides_credential_headers_and_url_passwords() -> None:
    from llxprt_runtime.providers.clients import ClientKey

    key = ClientKey.build(
        "tab-1",
        "openai",
        f"https://me:{KEY}@proxy.example/v1",
        KEY,
        {"X-Api-Key": KEY, "X-Team": "a"},
        None,
    )
    shown = repr(key)
    assert KEY not in shown and "'X-Team': 'a'" in shown and "me:***@proxy" in shown


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"/key {KEY}", True),
        (f"/key save work {KEY}", True),
        ("/key", True),  # what follows /key is a key's place: never remembered
        (f"/KEY {KEY}", True),
        ("/keyfile ~/.keys/openai", False),
        (f"/profile save https://me:{KEY}@proxy.example", True),
        ("/model gpt-5", False),
    ],
)
def test_a_command_line_is_secret_when_the_registry_says_its_setting_is(
    line: str, secret: bool
) -> None:
    assert holds_secret(line) is secret
