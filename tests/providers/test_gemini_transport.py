"""google-genai switches its async transport to aiohttp whenever aiohttp is importable, and the
`serve` extra (textual-serve) brings aiohttp. Our Gemini client stays on httpx2 either way, so
what we decide for the HTTP layer (timeouts, redirect handling) holds on every install."""

from __future__ import annotations

import importlib.util

from llxprt_runtime.providers.content import IContent
from tests.providers.conftest import collect, runtime_for
from tests.wire.server import WireServer


async def test_gemini_stays_on_httpx2_when_aiohttp_is_importable(wire: WireServer) -> None:
    assert importlib.util.find_spec("aiohttp") is not None, "the test extra installs aiohttp"
    runtime = await runtime_for("gemini", wire)
    await collect(runtime, IContent.human("hi"))
    (request,) = wire.chat_requests()
    # httpx2 names the persistent connection on every request; aiohttp sends no such header.
    assert request.headers.get("connection") == "keep-alive", request.headers
