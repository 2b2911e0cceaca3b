"""Our one retry policy (the SDKs' own retries are off).

429, 5xx and network errors are retried with exponential backoff and jitter, honouring
Retry-After; limits come from the `retries` and `retrywait` settings. Never retried:
400/401/403/404 and other client errors, cancellation, and any failure after part of the
reply already reached the caller (that becomes StreamInterruptedError, the partial reply
stays with the caller).
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from llxprt_runtime.errors import (
    NetworkError,
    ProviderError,
    RateLimitError,
    RetriesExhaustedError,
    StreamInterruptedError,
)
from llxprt_runtime.providers.content import IContent

DEFAULT_RETRIES = 3
DEFAULT_RETRY_WAIT_MS = 1000
MAX_DELAY_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = DEFAULT_RETRIES
    initial_delay: float = DEFAULT_RETRY_WAIT_MS / 1000
    max_delay: float = MAX_DELAY_SECONDS
    jitter: float = 0.3

    def delay(self, attempt: int, error: ProviderError, rng: random.Random) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        if error.retry_after is not None:
            return min(max(0.0, error.retry_after), MAX_RETRY_AFTER_SECONDS)
        base = min(self.initial_delay * (2 ** (attempt - 1)), self.max_delay)
        jittered: float = base * (1 + rng.uniform(-self.jitter, self.jitter))
        return max(0.0, jittered)


Sleep = Callable[[float], Awaitable[None]]


def cut_off(error: ProviderError) -> StreamInterruptedError:
    """What a failure after part of the reply reached the caller becomes: never retried,
    never replayed elsewhere; the partial reply stays with the caller."""
    return StreamInterruptedError(
        f"The reply was cut off: {error.full_detail}",
        provider=error.provider,
        model=error.model,
        url=error.url,
        status=error.status,
        hint="The partial reply is kept; use /retry to ask again.",
    )


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """A failed attempt is about to be retried: what a UI shows while it waits."""

    attempt: int  # the attempt about to start (2 is the first retry)
    attempts: int  # how many attempts the policy allows in all
    status: int | None  # the HTTP status of the failure, None for a network error
    reason: str  # "rate limited", "server error" or "network error"
    wait: float  # seconds until the next attempt

    def describe(self, remaining: float | None = None) -> str:
        """E.g. "429 rate limited — retrying in 7 s (attempt 2 of 4)"."""
        wait = self.wait if remaining is None else max(0.0, remaining)
        what = f"{self.status} {self.reason}" if self.status else self.reason
        return (
            f"{what} — retrying in {math.ceil(wait)} s (attempt {self.attempt} of {self.attempts})"
        )

    @classmethod
    def of(cls, attempt: int, error: ProviderError, wait: float, policy: RetryPolicy) -> RetryEvent:
        if isinstance(error, RateLimitError):
            reason = "rate limited"
        elif isinstance(error, NetworkError):
            reason = "network error"
        else:
            reason = "server error"
        return cls(attempt + 1, policy.retries + 1, error.status, reason, wait)


RetryListener = Callable[[RetryEvent], None]


async def stream_with_retries(
    start: Callable[[], AsyncIterator[IContent]],
    policy: RetryPolicy,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    on_retry: Callable[[int, ProviderError, float], None] | None = None,
) -> AsyncIterator[IContent]:
    """Yield from `start()`, starting it again on a retryable error before any output."""
    rng = rng or random.Random()
    attempt = 0
    while True:
        delivered = False
        try:
            async for item in start():
                delivered = True
                yield item
            return
        except ProviderError as error:
            if delivered:
                raise cut_off(error) from error
            if not error.retryable:
                raise
            attempt += 1
            if attempt > policy.retries:
                if policy.retries == 0:
                    raise
                raise RetriesExhaustedError(error, attempt) from error
            wait = policy.delay(attempt, error, rng)
            if on_retry is not None:
                on_retry(attempt, error, wait)
            await sleep(wait)
