"""Providers added only in `<config>/providers.toml`: read as hostile input, then used like
built-ins on the wire."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llxprt_runtime import ProviderRuntimeNormalizationError
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.errors import ProviderNotAvailableError
from llxprt_runtime.providers.catalog import PROTOCOLS
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.providers.user_file import read_user_providers
from tests.conftest import Dirs
from tests.providers.conftest import collect, sent_key
from tests.wire.server import WireServer


def write_providers(dirs: Dirs, text: str) -> Path:
    dirs.config.mkdir(parents=True, exist_ok=True)
    file = dirs.config / "providers.toml"
    file.write_text(text)
    return file


def entry(name: str, protocol: str, url: str, **extra: str) -> str:
    lines = [
        f"[providers.{name}]",
        f'protocol = "{protocol}"',
        f'base-url = "{url}"',
        'default-model = "vendor-model-1"',
        *(f'{key} = "{value}"' for key, value in extra.items()),
    ]
    return "\n".join(lines) + "\n"


def wire_url(protocol: str, server: WireServer) -> str:
    return f"{server.url}/v1" if protocol.startswith("openai") else server.url


@pytest.mark.parametrize("protocol", list(PROTOCOLS))
async def test_a_provider_from_providers_toml_works_on_the_wire(
    protocol: str, dirs: Dirs, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_providers(
        dirs,
        entry("my-vendor", protocol, wire_url(protocol, wire), **{"key-env": "MY_VENDOR_KEY"}),
    )
    monkeypatch.setenv("MY_VENDOR_KEY", "vendor-key-from-env")
    runtime = await rs.activate_isolated_runtime_context()
    assert runtime.provider_manager.catalog_problems == ()
    await rs.switch_active_provider("my-vendor")  # nothing else set: the file's defaults

    _, reply = await collect(runtime, IContent.human("hello vendor"))

    assert reply.text()
    (request,) = wire.chat_requests()
    assert request.protocol == protocol
    assert sent_key(request) == "vendor-key-from-env"
    model = (
        request.path.split("/models/")[1].split(":")[0]
        if protocol == "gemini"
        else request.body["model"]
    )
    assert model == "vendor-model-1"
    await rs.reset_cli_provider_infrastructure(runtime.runtime_id)


async def test_local_needs_key_makes_a_loopback_url_ask_for_a_key(
    dirs: Dirs, wire: WireServer
) -> None:
    text = entry("strict-local", "openai", wire_url("openai", wire), **{"key-env": "NOPE_KEY"})
    write_providers(dirs, text + "local-needs-key = true\n")
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("strict-local")
    with pytest.raises(ProviderRuntimeNormalizationError, match="NOPE_KEY"):
        await collect(runtime)
    assert wire.chat_requests() == []
    await rs.reset_cli_provider_infrastructure(runtime.runtime_id)


def test_bad_entries_are_skipped_with_file_and_line_and_good_ones_load(dirs: Dirs) -> None:
    good = entry("good", "anthropic", "https://llm.example.test")
    file = write_providers(
        dirs,
        good
        + "\n"
        + entry("bad-protocol", "smoke-signals", "https://x.example.test")
        + "\n"
        + entry("openai", "openai", "https://x.example.test")
        + "\n"
        + entry("typo", "openai", "https://x.example.test", base_url="https://y.example.test")
        + "\n"
        + entry("no-scheme", "openai", "ftp://x.example.test")
        + '\n[providers.missing-model]\nprotocol = "openai"\nbase-url = "https://x.test"\n'
        + '\n[providers.BadName]\nprotocol = "openai"\n',
    )
    loaded = read_user_providers()
    assert [info.name for info in loaded.providers] == ["good"]
    assert loaded.providers[0].fallback_models == ("vendor-model-1",)
    assert loaded.providers[0].source == str(file)
    problems = "\n".join(loaded.problems)
    assert len(loaded.problems) == 6
    assert f"{file}:6: provider 'bad-protocol' not added: 'protocol' must be one of" in problems
    assert f"{file}:11: provider 'openai' not added: that name is taken" in problems
    assert f"{file}:16: provider 'typo' not added: unknown keys 'base_url'" in problems
    assert "provider 'no-scheme' not added: 'base-url' must be an http:// or https://" in problems
    assert "provider 'missing-model' not added: 'default-model' is missing" in problems
    assert "provider 'BadName' not added: a name is 1-64 lower-case" in problems


async def test_a_bad_entry_is_named_when_that_provider_is_asked_for(dirs: Dirs) -> None:
    write_providers(dirs, entry("broken", "openai", "not a url"))
    runtime = await rs.activate_isolated_runtime_context()
    with pytest.raises(ProviderNotAvailableError) as raised:
        await rs.switch_active_provider("broken")
    assert "providers.toml:1: provider 'broken' not added: 'base-url'" in str(raised.value)
    await rs.reset_cli_provider_infrastructure(runtime.runtime_id)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "[providers.x\nprotocol = 1",
            "not valid TOML (Expected ']' at the end of a table declaration (at line 1",
        ),
        ('providers = "all of them"', "'providers' must be a table"),
        ("[provider.x]\nprotocol = 'openai'", "unknown top-level keys 'provider'"),
        (
            "[providers.x]\nprotocol = 'openai'\nbase-url = 'https://a.test'\n"
            'default-model = "m\\u001b[2J"',
            "'default-model' must be one line",
        ),
        (
            "[providers.x]\nprotocol = 'openai'\nbase-url = 'https://a.test'\n"
            "default-model = 'm'\nkey-env = 'NOT A NAME'",
            "'key-env' must be an environment variable name",
        ),
        ("[providers]\nx = 3", "expected a table"),
    ],
)
def test_hostile_files_give_a_problem_and_no_crash(content: str, expected: str, dirs: Dirs) -> None:
    write_providers(dirs, content)
    loaded = read_user_providers()
    assert loaded.providers == ()
    assert any(expected in problem for problem in loaded.problems), loaded.problems


def test_a_fifo_or_huge_file_is_not_read(dirs: Dirs) -> None:
    dirs.config.mkdir(parents=True)
    fifo = dirs.config / "providers.toml"
    os.mkfifo(fifo)  # nobody writes to it: a blocking read would hang start-up
    (problem,) = read_user_providers().problems
    assert "is not a regular file (a FIFO or pipe)" in problem
    fifo.unlink()
    fifo.write_text("#" * (2 * 1024 * 1024))
    (problem,) = read_user_providers().problems
    assert "is too large" in problem


def test_no_file_adds_nothing_and_says_nothing() -> None:
    loaded = read_user_providers()
    assert loaded.providers == () and loaded.problems == ()
