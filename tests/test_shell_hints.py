"""The runtime's own error texts, as `llxprt -p` shows them: flags, never chat commands."""

from __future__ import annotations

from typing import Any

import pytest

from llxprt_runtime.errors import (
    ClientError,
    LlxprtError,
    NamedKeyNotFoundError,
    NetworkError,
    ProfileError,
    ProfileNotFoundError,
    ProviderRuntimeNormalizationError,
    RetriesExhaustedError,
    ServerError,
)
from llxprt_runtime.providers.retry import cut_off
from llxprt_runtime.providers.sdk_errors import classify_sdk_error
from llxprt_runtime.settings.registry import validate_model_param
from llxprt_tui.shell_hints import for_the_shell
from tests.conftest import Dirs
from tests.test_oneshot_shell import CHAT_COMMAND

CHOOSE = "Choose a provider with /provider or --provider."
WHERE: dict[str, Any] = {"provider": "openai", "model": "m", "url": "http://127.0.0.1:9/v1"}


def _setting_as_param() -> LlxprtError:
    try:
        validate_model_param("retries", 3)
    except LlxprtError as exc:
        return exc
    raise AssertionError("retries is a setting")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NamedKeyNotFoundError("work"), "`keyring set llxprt-code-provider-keys work`"),
        (
            ProfileError("w", "Save it with /key save work <key>, then load the profile again."),
            "Save it with `keyring set llxprt-code-provider-keys work`, then load",
        ),
        (cut_off(ServerError("boom", **WHERE)), "Run the command again."),
        (
            RetriesExhaustedError(ServerError("boom", **WHERE), 4),
            "Try again later, or raise the limit with --set retries=N.",
        ),
        (
            classify_sdk_error(ConnectionRefusedError(), **WHERE),
            "Check the base URL (--baseurl URL) and your connection.",
        ),
        (ClientError("404 gone", hint="Check the model name (/model).", **WHERE), "(-m MODEL)"),
        (_setting_as_param(), "Use --set retries=<value>."),
        (
            ProviderRuntimeNormalizationError(None, ("provider",), remediation=(CHOOSE,)),
            "Choose one with --provider NAME.",
        ),
    ],
)
def test_runtime_messages_name_what_works_from_a_shell(error: LlxprtError, expected: str) -> None:
    shown = for_the_shell(str(error))
    assert expected in shown
    assert CHAT_COMMAND.search(shown) is None, shown


def test_profile_not_found_names_the_profiles_directory(dirs: Dirs) -> None:
    shown = for_the_shell(str(ProfileNotFoundError("work")))
    saved = f"Saved profiles are the files in {dirs.config}/profiles."
    assert shown == f"Profile 'work' not found. {saved}"


def test_url_paths_are_left_alone() -> None:
    text = "404 POST /v1/models/key not found at http://h/set/model (openai)."
    assert for_the_shell(text) == text


class _Status503(Exception):
    status_code = 503


def test_gave_up_never_promises_another_retry() -> None:
    refused = classify_sdk_error(ConnectionRefusedError(), **WHERE)
    busy = classify_sdk_error(_Status503("busy"), **WHERE)
    assert isinstance(refused, NetworkError) and isinstance(busy, ServerError)
    for last in (refused, busy):
        text = str(RetriesExhaustedError(last, 4))
        assert "Gave up after 4 attempts" in text
        assert "will retry" not in text and "retries," not in text
