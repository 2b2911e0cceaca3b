"""What the session database hands out: plain frozen records, no connection attached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from llxprt_runtime.providers.content import IContent


class SessionGoneError(KeyError):
    """The session is no longer in the store: deleted since it was opened (by another llxprt
    sharing the database, say). A KeyError, like asking for any session that is not there."""


MessageState = Literal["complete", "streaming", "partial", "cancelled", "failed", "interrupted"]
MESSAGE_STATES: tuple[MessageState, ...] = (
    "complete",
    "streaming",
    "partial",
    "cancelled",
    "failed",
    "interrupted",
)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One stored conversation. `runtime_snapshot` is profile v1 JSON with no secret in it;
    `key_source` says where the key came from (a keyring name, a keyfile path, an environment
    variable, or `typed`), never the key."""

    id: str
    title: str
    created_at: float
    updated_at: float
    profile_name: str | None = None
    runtime_snapshot: str | None = None
    key_source: str | None = None
    system_prompt: str | None = None
    head_message_id: int | None = None
    tab_position: int | None = None
    parent_session_id: str | None = None
    parent_message_id: int | None = None
    kind: str = "chat"
    prompt_history: tuple[str, ...] = ()
    message_count: int = 0
    provider: str | None = None
    model: str | None = None
    titled_by_user: bool = False


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A row of the sessions screen: what it shows, nothing more (cheap to list by the
    thousand)."""

    id: str
    title: str
    created_at: float
    updated_at: float
    provider: str | None
    model: str | None
    message_count: int
    is_open: bool
    kind: str


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: int
    session_id: str
    parent_id: int | None
    content: IContent
    state: MessageState
    created_at: float
    provider: str | None = None
    model: str | None = None
    first_token_ms: float | None = None
    duration_ms: float | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    message_id: int
    session_id: str
    session_title: str
    speaker: str
    snippet: str
    created_at: float
    provider: str | None
    model: str | None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits best first; `ranked` is False when there were too many matches to rank in time
    and the newest matches are shown instead."""

    hits: list[SearchHit]
    ranked: bool
