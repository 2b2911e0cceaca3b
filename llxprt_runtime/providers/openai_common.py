"""What the two OpenAI providers (Chat Completions, Responses) share: the client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llxprt_runtime.providers.base import ResolvedOptions
from llxprt_runtime.providers.clients import guarded_http_client

if TYPE_CHECKING:
    from openai import AsyncOpenAI


def openai_client(resolved: ResolvedOptions, provider: str) -> AsyncOpenAI:
    """This runtime's AsyncOpenAI for (base URL, key, headers, timeout), built on first use.

    Everything is passed explicitly (empty strings, not None) so that the SDK's environment
    fallbacks (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, ...) never decide anything.
    """
    headers = resolved.headers

    def build() -> AsyncOpenAI:
        from openai import AsyncOpenAI, DefaultAsyncHttpxClient

        client = AsyncOpenAI(
            api_key=resolved.auth_token or "",
            admin_api_key="",
            organization="",
            project="",
            webhook_secret="",
            base_url=resolved.base_url,
            max_retries=0,  # our retry policy decides
            timeout=resolved.timeout_seconds or 600.0,
            default_headers=headers or None,
            http_client=guarded_http_client(DefaultAsyncHttpxClient),
        )
        # Explicit "" stops the env fallback; None afterwards stops the empty headers.
        client.organization = client.project = None
        return client

    async def close(client: AsyncOpenAI) -> None:
        await client.close()

    return resolved.cached_client(provider, build, close)


def auth_header_override(resolved: ResolvedOptions) -> dict[str, Any]:
    """Per-request headers: with no key (a local server) the Authorization header is
    omitted explicitly, which is how the SDK accepts a keyless call."""
    if resolved.auth_token:
        return {}
    from openai import Omit

    return {"Authorization": Omit()}
