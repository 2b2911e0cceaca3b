"""The search box's language, turned into a safe FTS5 query plus filters.

`words "a phrase" pref* provider:anthropic model:gpt-5 before:2026-11-30 after:2026-01-01`:
every word and phrase must appear (FTS5 AND); a trailing `*` makes a prefix; `key:value`
terms filter. Everything the user types is quoted for FTS5, so no input is a syntax error
and no input reaches FTS5's operators (NEAR, AND, column filters) unintended."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_TERM = re.compile(r'"([^"]*)"?|(\S+)')
_FILTERS = ("provider", "model", "before", "after")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class SearchQueryError(ValueError):
    """A filter the search cannot use (a date that is not YYYY-MM-DD)."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    match: str  # the FTS5 MATCH expression; empty when only filters were given
    provider: str | None = None
    model: str | None = None
    before: float | None = None  # unix time, exclusive
    after: float | None = None  # unix time, inclusive
    words: tuple[str, ...] = field(default=())  # what to highlight


def parse_search(text: str) -> SearchQuery:
    # FTS5 refuses NUL and other controls inside a string; they never match text anyway.
    text = _CONTROLS.sub(" ", text)
    parts: list[str] = []
    words: list[str] = []
    filters: dict[str, str] = {}
    for match in _TERM.finditer(text):
        phrase, bare = match.group(1), match.group(2)
        if phrase is not None:
            if phrase.strip():
                parts.append(_quote(phrase.strip()))
                words.append(phrase.strip())
            continue
        key, colon, value = bare.partition(":")
        if colon and key.lower() in _FILTERS and value:
            filters[key.lower()] = value
            continue
        prefix = bare.endswith("*") and len(bare) > 1
        word = bare.rstrip("*") if prefix else bare
        if not word:
            continue
        parts.append(_quote(word) + ("*" if prefix else ""))
        words.append(word)
    return SearchQuery(
        match=" ".join(parts),
        provider=filters.get("provider"),
        model=filters.get("model"),
        before=_date(filters, "before"),
        after=_date(filters, "after"),
        words=tuple(words),
    )


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _date(filters: dict[str, str], key: str) -> float | None:
    value = filters.get(key)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise SearchQueryError(f"{key}: needs a date as YYYY-MM-DD, not {value!r}") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
