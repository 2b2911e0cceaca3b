"""The credential detector: vendor key shapes, random tokens after a credential word, and
the keys a runtime holds. The fake keys are built here at run time and are shorter than
real ones, so no file in the repository holds anything a leak check would flag."""

from __future__ import annotations

import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.credentials import held_credentials, looks_like_credential


def fake(prefix: str, length: int, alphabet: str = "aB3xQ9kZ7mP2wR5t") -> str:
    """`prefix` + `length` characters of a key-like (but fake) body."""
    return prefix + (alphabet * (length // len(alphabet) + 1))[:length]


@pytest.mark.parametrize(
    "text",
    [
        fake("sk-", 24),
        "please use " + fake("sk-" + "ant-", 24) + " for this",
        fake("sk-" + "proj-", 26),
        fake("AI" + "za", 33),
        fake("gh" + "p_", 36),
        fake("xo" + "xb-", 20),
        "AKIA" + "ABCDEFGHIJ234567",
        "my api_key=" + fake("", 28),
        "Authorization: Bearer " + fake("", 32),
        "token: '" + fake("", 24) + "'",
        "¡/key " + fake("sk-", 24),
        "/kye " + fake("sk-", 24),
    ],
)
def test_key_shapes_are_found(text: str) -> None:
    assert looks_like_credential(text)


@pytest.mark.parametrize(
    "text",
    [
        "What does sk-learn do? And ask-me-anything?",
        "the keyboard key is broken",
        "set the token limit to 4096",
        "password: correcthorsebatterystaple",  # words, not random
        "key = /home/user/projects/llxprt/README.md",
        "AKIAxyz is not an AWS id",
        "Explain the Bearer authentication scheme in HTTP.",
    ],
)
def test_ordinary_text_is_not_a_credential(text: str) -> None:
    assert not looks_like_credential(text)


def test_a_held_key_of_any_shape_is_found_but_not_a_short_one() -> None:
    held = ["local-server-pass-1", "ab"]
    assert looks_like_credential("connect with local-server-pass-1 please", held)
    assert not looks_like_credential("a table of abc", held)  # a 2-letter key matches nothing


async def test_held_credentials_are_those_of_this_runtime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    typed, from_env = fake("typed-key-", 12), fake("env-key-", 12)
    monkeypatch.setenv("ANTHROPIC_API_KEY", from_env)
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai", runtime=runtime)
    await rs.update_active_provider_api_key(typed, runtime=runtime)
    assert await held_credentials(runtime) == (typed,)
    other = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("anthropic", runtime=other)
    assert await held_credentials(other) == (from_env,)  # resolved from the environment
