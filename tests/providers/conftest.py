"""Fixtures for provider tests: a live loopback wire server and runtimes pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from llxprt_runtime import RuntimeServices
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.providers.base import GenerateChatOptions
from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS, api_key_providers
from llxprt_runtime.providers.content import IContent, merge_stream
from tests.wire.server import RecordedRequest, WireServer

#: The built-ins reached with a key (codex's login has tests of its own).
PROVIDERS = tuple(info.name for info in api_key_providers())


def base_url(provider: str, server: WireServer) -> str:
    """Where the wire server serves `provider`'s protocol (the OpenAI SDKs add no /v1)."""
    info = BUILTIN_PROVIDERS.get(provider)
    protocol = info.protocol if info is not None else provider
    return f"{server.url}/v1" if protocol.startswith("openai") else server.url


def sent_key(request: RecordedRequest) -> str | None:
    """The credential a request carried, whichever header the SDK used."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:]
    return request.headers.get("x-api-key") or request.headers.get("x-goog-api-key")


async def runtime_for(
    provider: str, server: WireServer, key: str | None = "sk-test", **settings: object
) -> RuntimeServices:
    runtime = await rs.activate_isolated_runtime_context()
    await rs.switch_active_provider(provider)
    await rs.update_active_provider_base_url(base_url(provider, server))
    if key is not None:
        await rs.update_active_provider_api_key(key)
    await rs.set_ephemeral_setting("retrywait", 1)
    for name, value in settings.items():
        await rs.set_ephemeral_setting(name.replace("_", "-"), value)
    return runtime


async def collect(
    runtime: RuntimeServices, *contents: IContent, **options: object
) -> tuple[list[IContent], IContent]:
    call = GenerateChatOptions(
        list(contents) or [IContent.human("hello")],
        runtime=runtime.context,
        **options,  # type: ignore[arg-type]
    )
    chunks = [c async for c in runtime.provider_manager.generate_chat_completion(call)]
    return chunks, merge_stream(chunks)


@pytest.fixture
async def disposer() -> AsyncIterator[list[RuntimeServices]]:
    created: list[RuntimeServices] = []
    yield created
    for runtime in created:
        await rs.reset_cli_provider_infrastructure(runtime.runtime_id)
