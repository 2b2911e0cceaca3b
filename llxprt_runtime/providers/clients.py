"""SdkClientCache: one runtime's SDK clients.

A client is reused while its (provider, base URL, key, headers, timeout) are unchanged and
rebuilt when any of them changes; the cache belongs to one runtime, so clients are never
shared between runtimes, and all are closed when the runtime is disposed.

Every SDK client gets its HTTP client from `guarded_http_client()`, the one place where
what the HTTP layer may do is decided: a redirect to another origin (scheme, host, port) is
refused, because the SDKs would follow it carrying `x-api-key`/`x-goog-api-key` and every
custom header (httpx strips only `Authorization`). They also share one TLS context.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from llxprt_runtime.settings.registry import shown_setting_value
from llxprt_runtime.urls import display_url

if TYPE_CHECKING:
    import ssl

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

MAX_CLIENTS = 8


class CrossOriginRedirectError(Exception):
    """The server redirected a request to another origin; it was not followed."""

    def __init__(self, origin: str, target: str) -> None:
        self.origin = origin
        self.target = target
        super().__init__(
            f"Refused a redirect from {origin} to {target}: credentials and custom headers are "
            "never sent to another origin"
        )


def _origin_text(url: Any) -> str:
    text = f"{url.scheme}://{url.host}"
    return f"{text}:{url.port}" if url.port is not None else text


async def _refuse_cross_origin_redirect(response: Any) -> None:
    """httpx response hook: runs on every response, before a redirect would be followed."""
    if not response.has_redirect_location:
        return
    source = response.request.url
    try:
        target = source.join(response.headers["location"])
        same = target.origin == source.origin
    except ValueError:  # a malformed Location: httpx itself refuses it
        return
    if not same:
        raise CrossOriginRedirectError(_origin_text(source), _origin_text(target))


def guarded_event_hooks() -> dict[str, list[Callable[[Any], Awaitable[None]]]]:
    """The httpx event hooks every SDK HTTP client carries."""
    return {"request": [], "response": [_refuse_cross_origin_redirect]}


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """The verifying TLS context every SDK client of this process uses: the one httpx would
    build (system CAs, SSL_CERT_FILE/SSL_CERT_DIR), built once. Building one loads the CA
    bundle (about 0.1 s of CPU), and each SDK client built its own, google-genai several:
    ten tabs paid it dozens of times. It holds trust anchors only (no client certificate, and
    OpenSSL keeps no client sessions in a context), so sharing it shares nothing of a runtime."""
    import httpx2

    return httpx2.create_ssl_context()


def guarded_http_client(default_client: Callable[..., Any]) -> Any:
    """The HTTP client an OpenAI or Anthropic SDK client uses: that SDK's own default
    (`DefaultAsyncHttpxClient`: its limits, timeouts, transport) with our hooks and the
    shared TLS context. google-genai is given both in its client args."""
    return default_client(event_hooks=guarded_event_hooks(), verify=shared_tls_context())


@dataclass(frozen=True, slots=True)
class ClientKey:
    runtime_id: str
    provider: str
    base_url: str
    key_hash: str
    headers: tuple[tuple[str, str], ...]
    timeout: float | None
    variant: str = ""

    @staticmethod
    def build(
        runtime_id: str,
        provider: str,
        base_url: str,
        token: str | None,
        headers: Mapping[str, str],
        timeout: float | None,
        variant: str = "",
    ) -> ClientKey:
        digest = hashlib.sha256((token or "").encode()).hexdigest()[:16]
        return ClientKey(
            runtime_id,
            provider,
            base_url,
            digest,
            tuple(sorted(headers.items())),
            timeout,
            variant,
        )

    def __repr__(self) -> str:  # credential headers and a URL's password stay hidden
        headers = shown_setting_value("custom-headers", dict(self.headers))
        return (
            f"ClientKey({self.runtime_id!r}, {self.provider!r}, {display_url(self.base_url)!r}, "
            f"key_hash={self.key_hash!r}, headers={headers!r}, timeout={self.timeout!r}, "
            f"variant={self.variant!r})"
        )


@dataclass(slots=True)
class _Entry:
    client: Any
    close: Callable[[Any], Awaitable[None]]


class SdkClientCache:
    def __init__(self, runtime_id: str) -> None:
        self.runtime_id = runtime_id
        self._entries: OrderedDict[ClientKey, _Entry] = OrderedDict()
        self.created = 0
        self.closed = False

    def get_or_create(
        self,
        key: ClientKey,
        factory: Callable[[], _T],
        close: Callable[[_T], Awaitable[None]],
    ) -> _T:
        if self.closed:
            raise RuntimeError(f"runtime '{self.runtime_id}' is disposed; its clients are closed")
        if key.runtime_id != self.runtime_id:
            raise ValueError("an SDK client cache only serves its own runtime")
        entry = self._entries.get(key)
        if entry is None:
            entry = _Entry(factory(), close)
            self._entries[key] = entry
            self.created += 1
            self._evict()
        self._entries.move_to_end(key)
        client: _T = entry.client
        return client

    def _evict(self) -> None:
        # Old clients (a key or URL changed long ago) are dropped, not closed: a stream
        # started on one may still be running; the SDK releases it when collected.
        while len(self._entries) > MAX_CLIENTS:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    async def aclose(self) -> None:
        self.closed = True
        entries, self._entries = list(self._entries.values()), OrderedDict()
        for entry in entries:
            try:
                await entry.close(entry.client)
            except Exception:  # closing is best effort; one failure must not stop the rest
                _log.warning("closing an SDK client failed", exc_info=True)
