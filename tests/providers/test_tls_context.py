"""Every SDK client of the process shares one verifying TLS context: building one loads the
CA bundle (about 0.1 s of CPU; several for a google-genai client), which ten tabs or fifty
runtimes paid for every client they built."""

from __future__ import annotations

import ssl
from typing import Any

import pytest

from llxprt_runtime.providers.clients import shared_tls_context
from llxprt_runtime.providers.content import IContent
from tests.providers.conftest import PROVIDERS, collect, runtime_for, sent_key
from tests.wire.server import WireServer


async def test_new_runtimes_clients_load_no_ca_bundle(
    wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = shared_tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    loads: list[Any] = []
    original = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    for number in range(2):  # two runtimes: each builds its own client per provider
        for provider in PROVIDERS:
            runtime = await runtime_for(provider, wire, key=f"sk-tls-{number}-{provider}")
            _, reply = await collect(runtime, IContent.human(f"{number} {provider}"))
            assert reply.text() == f"Echo: {number} {provider}"
    assert [sent_key(r) for r in wire.chat_requests()] == [
        f"sk-tls-{number}-{provider}" for number in range(2) for provider in PROVIDERS
    ]
    assert loads == []
