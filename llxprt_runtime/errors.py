"""Typed errors of the runtime.

Every error a user can cause carries a message that says what went wrong and what to do
next; none ever includes a secret value.
"""

from __future__ import annotations

from collections.abc import Sequence

# REDACTED is defined next to the redaction it names and exported from here too.
from llxprt_runtime.redaction import REDACTED as REDACTED
from llxprt_runtime.redaction import redact_secret
from llxprt_runtime.urls import display_url, mask_urls


class LlxprtError(Exception):
    """Base of every error llxprt raises on purpose."""


class MissingProviderRuntimeError(LlxprtError):
    """A provider call or runtime helper ran without the runtime pieces it needs."""

    def __init__(
        self,
        provider: str | None,
        missing_fields: Sequence[str],
        *,
        requirement: str = "REQ-SP-001",
        remediation: Sequence[str] = (),
        stage: str | None = None,
        message: str | None = None,
    ) -> None:
        self.provider = provider
        self.missing_fields = tuple(missing_fields)
        self.requirement = requirement
        self.remediation = tuple(remediation) or (
            "Create a runtime with activate_isolated_runtime_context() before calling providers.",
            "Pass runtime=, settings= and config= explicitly outside the active runtime.",
        )
        self.stage = stage
        fields = ", ".join(self.missing_fields) or "runtime"
        who = f"Provider {provider}" if provider else "A runtime operation"
        text = message or f"{who} was invoked without required runtime context ({fields})."
        super().__init__(_with_hints(text, self.requirement, self.remediation))


class ProviderRuntimeNormalizationError(LlxprtError):
    """A call's model, base URL or credentials could not be resolved."""

    def __init__(
        self,
        provider: str | None,
        missing_fields: Sequence[str],
        *,
        runtime_id: str | None = None,
        requirement: str = "REQ-SP-003",
        remediation: Sequence[str] = (),
        message: str | None = None,
    ) -> None:
        self.provider = provider
        self.missing_fields = tuple(missing_fields)
        self.runtime_id = runtime_id
        self.requirement = requirement
        self.remediation = tuple(remediation)
        text = message or (
            f"Incomplete runtime resolution ({', '.join(self.missing_fields)}) "
            f"for runtime_id={runtime_id or 'unknown'}"
            + (f" (provider '{provider}')" if provider else "")
            + "."
        )
        super().__init__(_with_hints(text, requirement, self.remediation))


class SettingValidationError(LlxprtError, ValueError):
    """A setting key is unknown or its value has the wrong type or range."""

    def __init__(self, key: str, message: str, accepted: Sequence[str] = ()) -> None:
        self.key = key
        self.accepted = tuple(accepted)
        super().__init__(message)


class InvalidKeyError(SettingValidationError):
    """A value that cannot be an API key (a control character, a newline inside, non-ASCII):
    refused where it enters, so it never reaches a file, the keyring or an HTTP header."""

    def __init__(self, message: str) -> None:
        super().__init__("auth-key", message)


class ProviderNotAvailableError(LlxprtError):
    """A provider name is not registered in this runtime's ProviderManager."""

    def __init__(
        self,
        name: str,
        available: Sequence[str],
        problems: Sequence[str] = (),
        refusal: str | None = None,
    ) -> None:
        self.name = name
        self.available = tuple(available)
        listing = ", ".join(self.available) or "none"
        if refusal is not None:  # left out on purpose: say why, not just "not available"
            super().__init__(refusal)
            return
        # A providers.toml entry of that name that was not added says why.
        why = "".join(f" {problem}" for problem in problems)
        super().__init__(
            f"Provider '{name}' is not available (registered providers: {listing}).{why}"
        )


class NoActiveProviderError(LlxprtError):
    """An operation needs an active provider and the runtime has none."""

    def __init__(self, action: str = "") -> None:
        suffix = f" to {action}" if action else ""
        super().__init__(
            f"No active provider available{suffix}. Set a provider with /provider first."
        )


class NoProviderChosenError(LlxprtError):
    """Start-up settings name no provider, and no profile gives one: a front end may treat
    it as "nothing to apply yet" (the TUI shows its welcome) rather than as a failure."""


class ProfileError(LlxprtError):
    """Loading, saving or deleting a profile failed; the runtime is unchanged."""

    def __init__(self, name: str, message: str) -> None:
        self.profile_name = name
        super().__init__(message)


class InvalidProfileNameError(ProfileError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, f'Invalid profile name "{name}": {reason}.')


class ProfileNotFoundError(ProfileError):
    def __init__(self, name: str) -> None:
        super().__init__(name, f"Profile '{name}' not found. Use /profile list to see saved ones.")


class SecretStoreError(LlxprtError):
    """The OS keyring refused an operation or is not usable."""


class KeyringUnavailableError(SecretStoreError):
    """No usable keyring backend (missing, locked or failing)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            "No keyring is available on this system: the key is kept for this tab only "
            f"and will not persist ({reason})."
        )


class InvalidKeyNameError(SecretStoreError):
    def __init__(self, name: str) -> None:
        self.key_name = name
        super().__init__(
            f"Key name '{name}' is invalid. Use only letters, numbers, dashes, underscores, "
            "and dots (1-64 chars)."
        )


class NamedKeyNotFoundError(SecretStoreError):
    def __init__(self, name: str) -> None:
        self.key_name = name
        super().__init__(f"Named key '{name}' not found. Use '/key save {name} <key>' to store it.")


class KeyfileError(LlxprtError):
    """A keyfile is missing, unreadable or empty."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"Keyfile '{path}' {reason}.")


class UserSettingsError(LlxprtError):
    """Our own settings file (tui.toml) is unreadable or invalid."""


def _with_hints(text: str, requirement: str, remediation: Sequence[str]) -> str:
    if not remediation:
        return f"{text} [{requirement}]"
    hints = "\n".join(f"  - {hint}" for hint in remediation)
    return f"{text} [{requirement}]\nRemediation:\n{hints}"


class RuntimeDisposedError(LlxprtError):
    """A call on a disposed runtime, or a stream whose runtime was disposed while it ran
    (its tab was closed): the SDK clients are closed, so nothing more can be sent."""

    def __init__(self, runtime_id: str, *, mid_stream: bool = False) -> None:
        self.runtime_id = runtime_id
        if mid_stream:
            text = (
                f"Runtime '{runtime_id}' was disposed while the reply was streaming; "
                "the partial reply is kept."
            )
        else:
            text = f"Runtime '{runtime_id}' is disposed; activate a new runtime to continue."
        super().__init__(text)


class StartupProblemsError(LlxprtError):
    """Several start-up flags failed independently: one problem per line of the text."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class ProviderError(LlxprtError):
    """A provider call failed. The message names provider, model and URL (never the key nor
    a URL's password) and says what the user can do."""

    retryable = False
    #: How much of a server's message is shown. The cut comes after redaction (scrub), so
    #: no prefix of an echoed key survives it.
    MAX_DETAIL_CHARS = 300

    def __init__(
        self,
        detail: str,
        *,
        provider: str,
        model: str | None = None,
        url: str | None = None,
        status: int | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.full_detail = detail  # uncut, for errors that wrap this one; scrubbed too
        self.retry_after = retry_after
        self.provider = provider
        self.model = model
        self.url = url
        self.status = status
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        detail = mask_urls(self.full_detail)
        if len(detail) > self.MAX_DETAIL_CHARS:
            detail = detail[: self.MAX_DETAIL_CHARS - 1].rstrip() + "…"
        self.detail = detail
        where = self.provider + (f" model '{self.model}'" if self.model else "")
        where += f" at {display_url(self.url)}" if self.url else ""
        text = f"{detail} ({where})."
        if self.hint:
            text += f" {self.hint}"
        return text

    def scrub(self, secret: str | None) -> None:
        """Take `secret` out of this error's text, in every form (a server may echo back
        the key it got); a secret too short to be a key is left alone."""
        self.full_detail = redact_secret(self.full_detail, secret)
        self.args = (self._render(),)


class AuthenticationError(ProviderError):
    """401/403: the key is missing, wrong, or lacks access."""


class RateLimitError(ProviderError):
    """429: too many requests (retried, honouring Retry-After)."""

    retryable = True


class ServerError(ProviderError):
    """5xx from the provider."""

    retryable = True


class NetworkError(ProviderError):
    """Connection refused, reset, timed out, or a stream cut off."""

    retryable = True


class ClientError(ProviderError):
    """Other 4xx: a request the provider will not accept as sent (bad model, bad params)."""


class StreamInterruptedError(ProviderError):
    """The stream failed after part of the reply had reached the caller; never retried."""


class RetriesExhaustedError(ProviderError):
    def __init__(self, last: ProviderError, attempts: int) -> None:
        self.last = last
        self.attempts = attempts
        super().__init__(
            f"Gave up after {attempts} attempts; last error: {last.full_detail}",
            provider=last.provider,
            model=last.model,
            url=last.url,
            status=last.status,
            hint=last.hint or "Try again later, or raise the limit with /set retries N.",
        )

    def scrub(self, secret: str | None) -> None:
        super().scrub(secret)
        self.last.scrub(secret)


class LoadBalancerMemberError(LlxprtError):
    """A member of a load balancer cannot be called as configured (no key, unreadable
    keyfile...): its own profile needs fixing, not the request."""

    def __init__(self, balancer: str, member: str, cause: LlxprtError) -> None:
        self.balancer = balancer
        self.member = member
        self.cause = cause
        super().__init__(f"Load balancer '{balancer}', member '{member}': {cause}")


class LoadBalancerActiveError(LlxprtError):
    """A setting of one provider (model, key, base URL, parameters) was asked for while a
    load balancer is the active provider: each member calls with its own profile's."""

    def __init__(self, balancer: str, action: str) -> None:
        self.balancer = balancer
        super().__init__(
            f"Cannot {action} while the load balancer '{balancer}' is active: each member "
            "uses its own profile's model, key, base URL and parameters. Edit a member's "
            "profile, or leave the load balancer with /provider NAME or /profile load NAME."
        )


class LoadBalancerFailoverError(ProviderError):
    """Every member of a failover load balancer failed the request (or was skipped)."""

    def __init__(self, balancer: str, failures: Sequence[tuple[str, str]]) -> None:
        self.balancer = balancer
        self.failures = tuple(failures)
        listed = "; ".join(f"{member}: {reason}" for member, reason in self.failures)
        super().__init__(
            f"All members of load balancer '{balancer}' failed ({listed})",
            provider="load-balancer",
            hint="/stats lb shows each member's state.",
        )

    def scrub(self, secret: str | None) -> None:
        super().scrub(secret)
        if secret:
            self.failures = tuple((m, r.replace(secret, REDACTED)) for m, r in self.failures)
