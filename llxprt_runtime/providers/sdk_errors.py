"""Turn any SDK or transport exception into one of our typed ProviderErrors.

The three SDKs raise different classes with the same facts (status, headers, body); this
reads those facts by shape so no SDK has to be imported to classify its errors.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from llxprt_runtime.errors import (
    AuthenticationError,
    ClientError,
    NetworkError,
    ProviderError,
    RateLimitError,
    ServerError,
)
from llxprt_runtime.providers.clients import CrossOriginRedirectError

_NETWORK_WORDS = ("connect", "timeout", "timedout", "network", "protocol", "readerror", "stream")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def _status(exc: BaseException) -> int | None:
    # A 2xx here means the error arrived as an event inside a successful stream.
    for attr in ("status_code", "code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and 400 <= value <= 599:
            return value
    response = getattr(exc, "response", None)
    value = getattr(response, "status_code", None)
    return value if isinstance(value, int) and value >= 400 else None


def _error_type(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, Mapping) else None
    kind = error.get("type") or error.get("code") if isinstance(error, Mapping) else None
    return str(kind or "").lower()


def _header(exc: BaseException, name: str) -> str | None:
    headers = getattr(getattr(exc, "response", None), "headers", None)
    getter = getattr(headers, "get", None)
    value = getter(name) if callable(getter) else None
    return value if isinstance(value, str) else None


# The whole message is kept until the key is redacted (ProviderError cuts it after that);
# this only bounds what a hostile server can make us hold.
_MAX_MESSAGE = 64 * 1024


def _message(exc: BaseException) -> str:
    body: Any = getattr(exc, "body", None)
    if body is None:
        body = getattr(exc, "details", None)
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError:
            return str(body).strip()[:_MAX_MESSAGE]
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping):
            message = error.get("message")
            if isinstance(message, str) and message:
                return message[:_MAX_MESSAGE]
        elif isinstance(error, str):
            return str(error)[:_MAX_MESSAGE]
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) and message else str(exc)
    return text.strip().splitlines()[0][:_MAX_MESSAGE] if text.strip() else type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions behind it (SDKs wrap httpx, which wraps the socket error)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _transport_detail(exc: BaseException, fallback: str) -> str:
    """Say what actually happened on the wire, not the SDK's generic "Connection error."."""
    for link in _chain(exc):
        text = str(link).lower()
        if isinstance(link, ConnectionRefusedError) or "connection refused" in text:
            return "connection refused (nothing is listening at that address)"
        if "timeout" in type(link).__name__.lower() or "timed out" in text:
            return "timed out waiting for the server (/set socket-timeout MS to wait longer)"
        if "peer closed" in text or "incomplete chunked read" in text:
            return "the server closed the connection before the reply was complete"
        if "name or service not known" in text or "nodename nor servname" in text:
            return "the host name could not be resolved"
    return fallback


def classify_sdk_error(
    exc: BaseException, *, provider: str, model: str | None, url: str | None
) -> ProviderError:
    # A hint is read once the retries are spent (or for a call never retried): it must not
    # promise another one.
    if isinstance(exc, ProviderError):
        return exc
    status = _status(exc)
    where: dict[str, Any] = {"provider": provider, "model": model, "url": url, "status": status}
    refused = next((e for e in _chain(exc) if isinstance(e, CrossOriginRedirectError)), None)
    if refused is not None:
        return ClientError(
            str(refused),
            hint=f"If {refused.target} is the right server, set it with /baseurl.",
            **where,
        )
    detail = _message(exc)
    if status is None:
        kind = _error_type(exc)
        if "rate_limit" in kind:
            return RateLimitError(f"Rate limited: {detail}", **where)
        if any(word in kind for word in ("overloaded", "server", "api_error", "internal")):
            return ServerError(f"Server error: {detail}", **where)
        if any(isinstance(link, json.JSONDecodeError) for link in _chain(exc)):
            return ProviderError(
                f"Malformed stream: the server sent data that is not valid JSON ({detail})",
                **where,
            )
        name = type(exc).__name__.lower()
        if any(word in name for word in _NETWORK_WORDS) or isinstance(exc, OSError | EOFError):
            return NetworkError(
                f"Network error: {_transport_detail(exc, detail)}",
                hint="Check the base URL (/baseurl) and your connection.",
                **where,
            )
        return ProviderError(f"Unexpected error: {detail}", **where)
    retry_after = parse_retry_after(_header(exc, "retry-after"))
    if status in (401, 403):
        return AuthenticationError(
            f"{status} {'Unauthorized' if status == 401 else 'Forbidden'}: {detail}",
            hint="Check the key: /key shows where this tab's key comes from.",
            **where,
        )
    if status == 429:
        wait = f"Retry after {retry_after:g} s" if retry_after is not None else "Wait a moment"
        return RateLimitError(
            f"429 Rate limited: {detail}",
            retry_after=retry_after,
            hint=f"{wait}, or lower the request rate.",
            **where,
        )
    if status >= 500:
        return ServerError(
            f"{status} Server error: {detail}",
            retry_after=retry_after,
            hint="The provider had a problem; try again later.",
            **where,
        )
    hint = (
        "Check the model name (/model) and base URL (/baseurl)."
        if status == 404
        else "Check the model and its parameters (/set)."
    )
    return ClientError(f"{status} {detail}", hint=hint, **where)


@asynccontextmanager
async def sdk_errors_as_ours(
    provider: str, model: str | None, url: str | None
) -> AsyncIterator[None]:
    """Re-raise any SDK/transport failure as our typed ProviderError; cancellation passes."""
    try:
        yield
    except (asyncio.CancelledError, GeneratorExit):
        raise
    except Exception as exc:
        raise classify_sdk_error(exc, provider=provider, model=model, url=url) from exc
