"""Retries, non-retries and typed errors, for every provider, against the real SDKs."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.errors import (
    AuthenticationError,
    ClientError,
    NetworkError,
    ProviderError,
    RateLimitError,
    RetriesExhaustedError,
    ServerError,
    StreamInterruptedError,
)
from llxprt_runtime.providers.content import IContent, TextBlock
from llxprt_runtime.providers.retry import RetryPolicy, stream_with_retries
from tests.providers.conftest import PROVIDERS, collect, runtime_for
from tests.wire.server import Fault, Reply, WireServer

SECRET = "sk-never-in-messages-123"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_429_and_5xx_are_retried_then_succeed(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire, key=SECRET)
    wire.enqueue(Fault(status=429, retry_after="0"), Fault(status=503), Reply(text=("ok",)))
    _, reply = await collect(runtime, IContent.human("hi"))
    assert reply.text() == "ok"
    assert len(wire.chat_requests()) == 3


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, ClientError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, ClientError),
    ],
)
async def test_client_errors_are_not_retried(
    provider: str, status: int, error_type: type[ProviderError], wire: WireServer
) -> None:
    runtime = await runtime_for(provider, wire, key=SECRET)
    wire.enqueue(Fault(status=status, message="nope"))
    with pytest.raises(error_type) as info:
        await collect(runtime, IContent.human("hi"))
    assert len(wire.chat_requests()) == 1
    message = str(info.value)
    assert provider in message and wire.url in message and SECRET not in message
    assert info.value.status == status


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_retries_are_bounded_by_the_retries_setting(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire, key=SECRET, retries=2)
    wire.enqueue(*[Fault(status=500, message="boom")] * 5)
    with pytest.raises(RetriesExhaustedError) as info:
        await collect(runtime, IContent.human("hi"))
    assert len(wire.chat_requests()) == 3
    assert isinstance(info.value.last, ServerError)
    assert "Gave up after 3 attempts" in str(info.value) and SECRET not in str(info.value)


async def test_retry_after_is_honoured(wire: WireServer) -> None:
    runtime = await runtime_for("openai", wire, retries=1)
    wire.enqueue(Fault(status=429, retry_after="0.4"), Reply(text=("late",)))
    started = time.monotonic()
    _, reply = await collect(runtime, IContent.human("hi"))
    assert reply.text() == "late"
    gap = wire.chat_requests()[1].received_at - wire.chat_requests()[0].received_at
    assert gap >= 0.38 and time.monotonic() - started >= 0.38


async def test_rate_limit_without_retries_surfaces_typed(wire: WireServer) -> None:
    runtime = await runtime_for("anthropic", wire, retries=0)
    wire.enqueue(Fault(status=429, message="slow down", retry_after="7"))
    with pytest.raises(RateLimitError) as info:
        await collect(runtime, IContent.human("hi"))
    assert info.value.retry_after == 7.0 and "slow down" in str(info.value)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_stream_cut_after_output_is_not_retried(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire)
    wire.enqueue(Fault(cut_after=4, reply=Reply(text=tuple(f"w{i} " for i in range(20)))))
    received: list[str] = []
    from llxprt_runtime.providers.base import GenerateChatOptions

    options = GenerateChatOptions([IContent.human("hi")], runtime=runtime.context)
    with pytest.raises(StreamInterruptedError) as info:
        async for chunk in runtime.provider_manager.generate_chat_completion(options):
            received += [b.text for b in chunk.blocks if isinstance(b, TextBlock)]
    assert received  # the partial reply reached the caller
    assert len(wire.chat_requests()) == 1
    assert "cut off" in str(info.value) and "partial reply is kept" in str(info.value)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_error_event_after_output_keeps_the_partial_reply(
    provider: str, wire: WireServer
) -> None:
    runtime = await runtime_for(provider, wire)
    wire.enqueue(Fault(error_event_after=4, message="overloaded mid-stream"))
    with pytest.raises(StreamInterruptedError) as info:
        await collect(runtime, IContent.human("hi"))
    assert len(wire.chat_requests()) == 1
    assert "overloaded mid-stream" in str(info.value)
    assert isinstance(info.value.__cause__, ServerError)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_malformed_chunk_is_a_clear_error(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire)
    wire.enqueue(Fault(malformed_after=3))
    with pytest.raises(ProviderError):
        await collect(runtime, IContent.human("hi"))


async def test_connection_refused_is_a_network_error_and_retried() -> None:
    with WireServer() as server:
        url = server.url  # the port is closed again once the server stops
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider("openai")
    await rs.update_active_provider_base_url(f"{url}/v1")
    await rs.set_ephemeral_setting("retrywait", 1)
    await rs.set_ephemeral_setting("retries", 1)
    with pytest.raises(RetriesExhaustedError) as info:
        await collect(runtime, IContent.human("hi"))
    assert isinstance(info.value.last, NetworkError)
    assert "Network error" in str(info.value)


async def test_slow_first_byte_past_the_timeout(wire: WireServer) -> None:
    # 2 s covers getting the request to the server on a loaded machine; the server then
    # holds the reply until the client has given up.
    runtime = await runtime_for("openai", wire, retries=0, socket_timeout=2000)
    release = threading.Event()
    wire.enqueue(Fault(first_byte_hold=release))
    try:
        with pytest.raises(NetworkError, match="timed out"):
            await collect(runtime, IContent.human("hi"))
    finally:
        release.set()
    received = await asyncio.to_thread(wire.wait_for_chat_requests, 1)  # the reply was late
    assert [r.last_user_text() for r in received] == ["hi"]


async def test_cancellation_is_not_retried_or_wrapped() -> None:
    import asyncio

    attempts = 0

    async def start():  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        raise asyncio.CancelledError
        yield  # pragma: no cover

    with pytest.raises(asyncio.CancelledError):
        async for _ in stream_with_retries(start, RetryPolicy(retries=3, initial_delay=0)):
            pass
    assert attempts == 1


def test_backoff_grows_with_jitter_and_caps() -> None:
    import random

    policy = RetryPolicy(retries=5, initial_delay=1.0, max_delay=4.0, jitter=0.3)
    error = ServerError("x", provider="p")
    delays = [policy.delay(n, error, random.Random(n)) for n in range(1, 6)]
    assert 0.7 <= delays[0] <= 1.3 and 1.4 <= delays[1] <= 2.6
    assert all(d <= 4.0 * 1.3 for d in delays)
    assert policy.delay(1, ServerError("x", provider="p", retry_after=9.0), random.Random()) == 9.0


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_error_event_before_any_output_is_retried(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire)
    wire.enqueue(Fault(error_event_after=0, message="overloaded"), Reply(text=("fine",)))
    _, reply = await collect(runtime, IContent.human("hi"))
    assert reply.text() == "fine" and len(wire.chat_requests()) == 2


async def test_each_retry_is_reported_before_its_wait(wire: WireServer) -> None:
    from llxprt_runtime.providers.base import GenerateChatOptions
    from llxprt_runtime.providers.retry import RetryEvent

    runtime = await runtime_for("openai", wire, retries=3)
    wire.enqueue(Fault(status=429, retry_after="0"), Fault(status=503), Reply(text=("ok",)))
    events: list[tuple[RetryEvent, int]] = []
    options = GenerateChatOptions(
        [IContent.human("hi")],
        runtime=runtime.context,
        on_retry=lambda event: events.append((event, len(wire.chat_requests()))),
    )
    text = [
        b.text
        async for chunk in runtime.provider_manager.generate_chat_completion(options)
        for b in chunk.blocks
        if isinstance(b, TextBlock)
    ]
    assert "".join(text) == "ok"
    (first, seen_first), (second, seen_second) = events
    assert (first.attempt, first.attempts, first.status, first.reason) == (
        2,
        4,
        429,
        "rate limited",
    )
    assert (second.attempt, second.status, second.reason) == (3, 503, "server error")
    assert (seen_first, seen_second) == (1, 2)  # told before the next attempt is made
    assert first.describe(remaining=6.2) == "429 rate limited — retrying in 7 s (attempt 2 of 4)"
