"""Credentials never follow a redirect to another origin, for every provider, on the wire."""

from __future__ import annotations

import pytest

from llxprt_runtime.errors import ProviderError
from llxprt_runtime.providers.content import IContent
from tests.providers.conftest import PROVIDERS, collect, runtime_for, sent_key
from tests.wire.server import Fault, Reply, WireServer

KEY = "test-key-redirect-0001"
HEADER_VALUE = "team-token-redirect-0002"


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [307, 302])
async def test_a_cross_origin_redirect_is_refused_and_the_other_origin_gets_nothing(
    provider: str, status: int, wire: WireServer
) -> None:
    with WireServer() as elsewhere:  # another port: another origin
        runtime = await runtime_for(
            provider, wire, key=KEY, custom_headers={"X-Team-Token": HEADER_VALUE}
        )
        wire.enqueue(Fault(status=status, redirect_to=elsewhere.url))
        with pytest.raises(ProviderError) as info:
            await collect(runtime, IContent.human("hi"))
        for request in elsewhere.requests:  # nothing at all, and surely no credential
            assert sent_key(request) is None
            assert HEADER_VALUE not in request.headers.values()
        assert elsewhere.requests == []
        message = str(info.value)
        assert wire.url in message and elsewhere.url in message
        assert KEY not in message
        assert len(wire.chat_requests()) == 1  # refused, not retried


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_same_origin_redirect_is_still_followed(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire, key=KEY)
    wire.enqueue(Fault(status=307, redirect_to=wire.url), Reply(text=("ok",)))
    _, reply = await collect(runtime, IContent.human("hi"))
    assert reply.text() == "ok"
    assert [sent_key(r) for r in wire.chat_requests()] == [KEY, KEY]
