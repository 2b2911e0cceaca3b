"""LoadBalancer: a load-balancer profile at work in one runtime (llxprt-code's
LoadBalancingProvider).

It holds the members, each a standard profile applied to a private SettingsService of its
own, so a call for a member resolves model, base URL, params and key exactly as that
profile would, without touching the runtime's settings. It also holds the balancing state:
the round-robin position, the sticky failover member, each member's circuit breaker and
counters. One per runtime, owned by its ProviderManager; no two runtimes share one.

The policies, with the failover settings read from the runtime's settings at each call:
- roundrobin: each request, and each retry of it (the `retries` setting), goes to the next
  member whose breaker is not open.
- failover: a request goes to the member that served the last one; on a failover status
  (429 and 5xx, or `failover_status_codes`), a network error or a `timeout_ms` timeout it is
  retried there `failover_retry_count` times, then goes to the next member; 401, 402, 403
  and a member that cannot be called move on at once.
A failure after part of the reply reached the caller is never replayed on another member.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, Protocol

from llxprt_runtime.config import Config
from llxprt_runtime.errors import (
    LlxprtError,
    LoadBalancerFailoverError,
    LoadBalancerMemberError,
    NetworkError,
    ProviderError,
)
from llxprt_runtime.profiles.model import LoadBalancerPolicy, LoadBalancerProfile, Profile
from llxprt_runtime.providers.base import GenerateChatOptions, IProvider, ModelInfo
from llxprt_runtime.providers.catalog import ProviderInfo
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.providers.retry import (
    DEFAULT_RETRIES,
    DEFAULT_RETRY_WAIT_MS,
    RetryPolicy,
    cut_off,
    stream_with_retries,
)
from llxprt_runtime.settings.registry import SettingValue
from llxprt_runtime.settings.service import SettingsService

if TYPE_CHECKING:
    from llxprt_runtime.auth.resolver import AuthPrecedenceResolver
    from llxprt_runtime.auth.token_cache import RuntimeTokenCache

#: The name a runtime's active provider takes while a load-balancer profile is loaded.
LOAD_BALANCER_PROVIDER = "load-balancer"

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
BreakerState = Literal["closed", "open", "half-open"]


class MemberProviders(Protocol):
    """What a balancer asks of its runtime's ProviderManager to call a member. A protocol,
    so this module never imports the manager that imports it."""

    async def prepare_stateless_provider_invocation(
        self,
        options: GenerateChatOptions,
        provider_name: str | None = None,
        *,
        auth: AuthPrecedenceResolver | None = None,
    ) -> GenerateChatOptions: ...
    async def import_provider(self, name: str) -> None: ...
    def get_provider(self, name: str) -> IProvider: ...


#: Statuses that move on at once, without retrying the member (llxprt-code #902).
_IMMEDIATE_STATUSES = frozenset({401, 402, 403})


def _int(values: Mapping[str, SettingValue], key: str, default: int) -> int:
    value = values.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


@dataclass(frozen=True, slots=True)
class FailoverSettings:
    """The load balancer's settings (llxprt-code's names and defaults)."""

    retry_count: int = 2
    retry_delay_ms: int = 0
    on_network_errors: bool = True
    status_codes: tuple[int, ...] | None = None
    timeout_ms: int | None = None
    breaker_enabled: bool = False
    breaker_threshold: int = 3
    breaker_window_ms: int = 60_000
    breaker_recovery_ms: int = 30_000

    @classmethod
    def from_settings(cls, values: Mapping[str, SettingValue]) -> FailoverSettings:
        codes = values.get("failover_status_codes")
        timeout = values.get("timeout_ms")
        return cls(
            retry_count=min(max(_int(values, "failover_retry_count", 2), 0), 100),
            retry_delay_ms=max(_int(values, "failover_retry_delay_ms", 0), 0),
            on_network_errors=values.get("failover_on_network_errors") is not False,
            status_codes=(
                tuple(c for c in codes if isinstance(c, int)) if isinstance(codes, list) else None
            ),
            timeout_ms=timeout if isinstance(timeout, int) and timeout > 0 else None,
            breaker_enabled=values.get("circuit_breaker_enabled") is True,
            breaker_threshold=max(_int(values, "circuit_breaker_failure_threshold", 3), 1),
            breaker_window_ms=_int(values, "circuit_breaker_failure_window_ms", 60_000),
            breaker_recovery_ms=_int(values, "circuit_breaker_recovery_timeout_ms", 30_000),
        )

    def moves_on(self, error: ProviderError) -> bool:
        """Whether `error` is worth retrying and then trying the next member (a 400 or 404
        would fail the same way everywhere, so it is not)."""
        if isinstance(error, MemberTimeoutError):
            return True
        status = error.status
        if status is None:
            return isinstance(error, NetworkError) and self.on_network_errors
        if status in _IMMEDIATE_STATUSES:
            return True
        if self.status_codes is not None:
            return status in self.status_codes
        return status == 429 or 500 <= status < 600


class MemberTimeoutError(NetworkError):
    """A member sent nothing within `timeout_ms`."""


@dataclass(slots=True)
class CircuitBreaker:
    """Skips a member that failed `threshold` times within the window, until its recovery
    timeout has passed; then one request tries it (half-open) and its outcome decides."""

    state: BreakerState = "closed"
    failures: list[float] = field(default_factory=list)
    opened_at: float | None = None

    def allows(self, now: float, settings: FailoverSettings) -> bool:
        if not settings.breaker_enabled or self.state != "open":
            return True
        assert self.opened_at is not None
        if (now - self.opened_at) * 1000 >= settings.breaker_recovery_ms:
            self.state = "half-open"
            return True
        return False

    def record_success(self) -> None:
        self.state = "closed"
        self.failures.clear()
        self.opened_at = None

    def record_failure(self, now: float, settings: FailoverSettings) -> None:
        if not settings.breaker_enabled:
            return
        window = settings.breaker_window_ms / 1000
        self.failures = [t for t in self.failures if now - t < window] + [now]
        if self.state == "half-open" or len(self.failures) >= settings.breaker_threshold:
            self.state = "open"
            self.opened_at = now

    def describe(self, now: float, settings: FailoverSettings) -> str:
        if not settings.breaker_enabled:
            return "off"
        if self.state == "open" and self.opened_at is not None:
            left = settings.breaker_recovery_ms / 1000 - (now - self.opened_at)
            return f"open (retry in {max(left, 0):.0f}s)" if left > 0 else "open (retry due)"
        return self.state


@dataclass(slots=True)
class MemberStats:
    requests: int = 0  # attempts sent to this member
    successes: int = 0
    failures: int = 0
    failovers: int = 0  # requests this member failed that then went to another member
    last_error: str | None = None


@dataclass(eq=False, slots=True)
class Member:
    """One member profile, applied to its own settings (never the runtime's)."""

    name: str
    profile: Profile
    settings: SettingsService
    config: Config
    auth: AuthPrecedenceResolver
    token_cache: RuntimeTokenCache
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    stats: MemberStats = field(default_factory=MemberStats)

    @property
    def provider(self) -> str:
        return self.profile.provider

    @property
    def model(self) -> str:
        return self.profile.model

    def __repr__(self) -> str:
        return f"Member({self.name!r}, {self.provider}:{self.model})"


@dataclass(frozen=True, slots=True)
class MemberReport:
    """What /stats lb shows for one member."""

    name: str
    provider: str
    model: str
    requests: int
    successes: int
    failures: int
    failovers: int
    breaker: str
    last_error: str | None
    is_next: bool


class LoadBalancer:
    """The members and the balancing state of one runtime's load-balancer profile."""

    def __init__(
        self,
        name: str,
        policy: LoadBalancerPolicy,
        members: Sequence[Member],
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        source: LoadBalancerProfile | None = None,
    ) -> None:
        if not members:
            raise ValueError("a load balancer needs at least one member")
        self.name = name
        self.policy: LoadBalancerPolicy = policy
        self.members = tuple(members)
        self.clock = clock
        self.sleep = sleep
        self._next = 0  # round robin: the member the next request goes to
        self._sticky = 0  # failover: the member that served last (or is to be tried next)
        self.last_served: Member | None = None
        self.source = source  # the profile it was loaded from (its fields survive a save)

    @property
    def info(self) -> ProviderInfo:
        first = self.members[0]
        return ProviderInfo(
            name=LOAD_BALANCER_PROVIDER,
            display_name=f"Load balancer '{self.name}' ({self.policy})",
            default_model=first.model,
            default_base_url="",
            env_key_names=(),
            fallback_models=tuple(dict.fromkeys(m.model for m in self.members)),
            protocol="",  # it speaks no protocol itself: each member speaks its own
        )

    def models(self) -> list[ModelInfo]:
        return [ModelInfo(m.model, m.provider, f"{m.name} ({m.provider})") for m in self.members]

    def report(self, settings: Mapping[str, SettingValue]) -> list[MemberReport]:
        failover = FailoverSettings.from_settings(settings)
        now = self.clock()
        upcoming = self._next if self.policy == "roundrobin" else self._sticky
        return [
            MemberReport(
                m.name,
                m.provider,
                m.model,
                m.stats.requests,
                m.stats.successes,
                m.stats.failures,
                m.stats.failovers,
                m.breaker.describe(now, failover),
                m.stats.last_error,
                index == upcoming,
            )
            for index, m in enumerate(self.members)
        ]

    def dispose(self) -> None:
        for member in self.members:
            member.token_cache.flush("load-balancer-replaced")

    # --- one request ----------------------------------------------------------------------

    async def generate(
        self,
        options: GenerateChatOptions,
        manager: MemberProviders,
        runtime_settings: SettingsService,
    ) -> AsyncIterator[IContent]:
        """Stream the reply of whichever member the policy picks."""
        values = runtime_settings.get_all_global_settings()
        settings = FailoverSettings.from_settings(values)
        if self.policy == "roundrobin":
            retries, wait = _int(values, "retries", DEFAULT_RETRIES), values.get("retrywait")
            policy = RetryPolicy(
                retries=retries,
                initial_delay=(wait if isinstance(wait, int) else DEFAULT_RETRY_WAIT_MS) / 1000,
            )

            def start() -> AsyncIterator[IContent]:
                return self._tracked(self._next_round_robin(settings), options, manager, settings)

            async for item in stream_with_retries(start, policy, sleep=self.sleep):
                yield item
            return
        async for item in self._failover(options, manager, settings):
            yield item

    def _next_round_robin(self, settings: FailoverSettings) -> Member:
        now = self.clock()
        count = len(self.members)
        for offset in range(count):
            index = (self._next + offset) % count
            if self.members[index].breaker.allows(now, settings):
                self._next = (index + 1) % count
                return self.members[index]
        raise LoadBalancerFailoverError(
            self.name, [(m.name, "circuit breaker open") for m in self.members]
        )

    async def _failover(
        self, options: GenerateChatOptions, manager: MemberProviders, settings: FailoverSettings
    ) -> AsyncIterator[IContent]:
        failures: list[tuple[str, str]] = []
        count = len(self.members)
        start = self._sticky
        for offset in range(count):
            index = (start + offset) % count
            member = self.members[index]
            if not member.breaker.allows(self.clock(), settings):
                failures.append((member.name, "skipped, circuit breaker open"))
                continue
            for attempt in range(settings.retry_count + 1):
                delivered = False
                try:
                    async for item in self._tracked(member, options, manager, settings):
                        delivered = True
                        yield item
                except LoadBalancerMemberError as error:
                    failures.append((member.name, str(error.cause)))
                    break
                except ProviderError as error:
                    if delivered:
                        raise cut_off(error) from error
                    if not settings.moves_on(error):
                        raise
                    if error.status in _IMMEDIATE_STATUSES or attempt == settings.retry_count:
                        failures.append((member.name, error.detail))
                        break
                    await self.sleep(settings.retry_delay_ms / 1000)
                else:
                    self._sticky = index
                    return
            if offset < count - 1:
                member.stats.failovers += 1
            self._sticky = (index + 1) % count
        raise LoadBalancerFailoverError(self.name, failures)

    async def _tracked(
        self,
        member: Member,
        options: GenerateChatOptions,
        manager: MemberProviders,
        settings: FailoverSettings,
    ) -> AsyncIterator[IContent]:
        """One attempt on `member`, counted in its stats and breaker."""
        member.stats.requests += 1
        try:
            async for item in self._attempt(member, options, manager, settings):
                yield item
        except (ProviderError, LoadBalancerMemberError) as error:
            member.stats.failures += 1
            member.stats.last_error = (
                str(error.cause) if isinstance(error, LoadBalancerMemberError) else error.detail
            )
            member.breaker.record_failure(self.clock(), settings)
            raise
        member.stats.successes += 1
        member.breaker.record_success()
        self.last_served = member

    async def _attempt(
        self,
        member: Member,
        options: GenerateChatOptions,
        manager: MemberProviders,
        settings: FailoverSettings,
    ) -> AsyncIterator[IContent]:
        # The member's own settings and key resolver make the call's view: the caller's
        # resolved values (if any) are dropped so the member's provider, model and key win.
        call = replace(options, settings=member.settings, config=member.config, resolved=None)
        try:
            prepared = await manager.prepare_stateless_provider_invocation(
                call, member.provider, auth=member.auth
            )
        except ProviderError:
            raise
        except LlxprtError as exc:
            raise LoadBalancerMemberError(self.name, member.name, exc) from exc
        assert prepared.resolved is not None
        token = prepared.resolved.auth_token
        await manager.import_provider(member.provider)  # its SDK, off the event loop
        provider = manager.get_provider(member.provider)
        stream = provider.generate_chat_completion(prepared)
        try:
            if settings.timeout_ms is not None:
                try:
                    async with asyncio.timeout(settings.timeout_ms / 1000):
                        first = await anext(stream)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    raise MemberTimeoutError(
                        f"No reply within timeout_ms={settings.timeout_ms}",
                        provider=member.provider,
                        model=prepared.resolved.model,
                        url=prepared.resolved.base_url,
                    ) from None
                yield first
            async for item in stream:
                yield item
        except ProviderError as error:
            error.scrub(token)
            raise
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:
                await close()
