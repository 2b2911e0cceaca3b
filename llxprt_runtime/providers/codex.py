"""`codex`: the OpenAI Responses protocol at the ChatGPT Codex endpoint, authenticated with
a ChatGPT-plan login (see auth/codex_oauth.py) instead of an API key.

Requests carry what llxprt-code sends there: `Authorization: Bearer <access token>`,
`ChatGPT-Account-ID` (the login's account) and `originator: codex_cli_rs`. A 429 quota
error before any output moves the runtime to the next bucket of its profile, if any.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from llxprt_runtime.auth.codex_auth import ORIGINATOR
from llxprt_runtime.errors import ProviderError
from llxprt_runtime.providers.base import (
    GenerateChatOptions,
    ModelInfo,
    ResolvedOptions,
    require_resolved,
)
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.providers.openai_responses import OpenAIResponsesProvider

_QUOTA_WORDS = ("quota", "usage_limit", "usage limit")


def is_quota_error(error: ProviderError) -> bool:
    return error.status == 429 and any(word in error.detail.lower() for word in _QUOTA_WORDS)


class CodexProvider(OpenAIResponsesProvider):
    async def get_models(self, options: GenerateChatOptions | None = None) -> list[ModelInfo]:
        return self.fallback_models()

    def _request(self, options: GenerateChatOptions, resolved: ResolvedOptions) -> dict[str, Any]:
        request = super()._request(options, resolved)
        request["extra_headers"] = {
            **request.get("extra_headers", {}),
            **resolved.auth_headers,
            "originator": ORIGINATOR,
        }
        return request

    async def generate_chat_completion(
        self, options: GenerateChatOptions
    ) -> AsyncIterator[IContent]:
        while True:
            delivered = False
            try:
                async for item in super().generate_chat_completion(options):
                    delivered = True
                    yield item
                return
            except ProviderError as error:
                if delivered or not is_quota_error(error):
                    raise
                moved = await _next_bucket(options)
                if moved is None:
                    raise
                options = moved


async def _next_bucket(options: GenerateChatOptions) -> GenerateChatOptions | None:
    """The same call on the runtime's next OAuth bucket, or None (no bucket left, or the
    credential is not an OAuth login)."""
    resolved = require_resolved(options, "codex")
    if not (resolved.auth_method or "").startswith("oauth-"):
        return None
    oauth = resolved.oauth
    if oauth is None or oauth.fail_over("codex") is None:
        return None
    credential = await oauth.get_credential("codex")
    if credential is None:
        return None
    fresh = replace(
        resolved,
        auth_token=credential.token,
        auth_headers=credential.headers,
        auth_source=credential.source,
    )
    return replace(options, resolved=fresh)
