"""Does a message look like it holds a credential? Asked before a prompt is sent to a model
or kept in the prompt history (a key pasted into the wrong place, `¡/key sk-…` from an
alt+1 typed as ESC 1, `/kye sk-…`). UI-free, so the TUI and `llxprt -p` share it.

Two kinds of evidence: the shapes vendors give their keys (OpenAI, Anthropic, Google, GitHub,
Slack, AWS), and a long high-entropy token after a word like `key`, `token` or `Bearer`;
plus any key the runtime itself holds or resolves, whatever its shape.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llxprt_runtime.runtime.registry import RuntimeServices

_SHAPES = re.compile(
    r"""
      \bsk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_-]{20,}     # OpenAI, Anthropic
    | \bAIza[0-9A-Za-z_-]{30,}                            # Google API keys
    | \b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})   # GitHub tokens
    | \bxox[abposr]-[A-Za-z0-9-]{10,}                     # Slack tokens
    | \b(?:AKIA|ASIA)[0-9A-Z]{16}\b                       # AWS access key ids
    """,
    re.VERBOSE,
)
# A token after a credential word: `api_key=…`, `token: …`, `Authorization: Bearer …`.
_AFTER_WORD = re.compile(
    r"(?i)\b(?:api[_-]?key|key|token|secret|password|passwd|bearer)\b[\"']?\s*[:=]?\s*[\"']?"
    r"([A-Za-z0-9_\-./+=]{20,})"
)
MIN_HELD_KEY_LENGTH = 8  # a shorter "key" would match ordinary words
MIN_ENTROPY_BITS = 3.5  # per character; English words and paths stay well below


def _entropy(token: str) -> float:
    counts = Counter(token)
    return -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())


def _random_looking(token: str) -> bool:
    has_digit = any(ch.isdigit() for ch in token)
    has_letter = any(ch.isalpha() for ch in token)
    return has_digit and has_letter and _entropy(token) >= MIN_ENTROPY_BITS


def looks_like_credential(text: str, held: Iterable[str] = ()) -> bool:
    """Whether `text` holds a key: a known key shape, a random-looking token after a
    credential word, or one of the `held` keys (those of a sensible length)."""
    if _SHAPES.search(text):
        return True
    if any(_random_looking(m.group(1)) for m in _AFTER_WORD.finditer(text)):
        return True
    return any(len(key) >= MIN_HELD_KEY_LENGTH and key in text for key in held)


async def held_credentials(services: RuntimeServices) -> tuple[str, ...]:
    """Every key this runtime holds or resolves: `auth-key` values (global and per
    provider), cached tokens, and the key the active provider would use now."""
    from llxprt_runtime.errors import LlxprtError

    settings = services.settings_service
    found: list[object] = [settings.get("auth-key")]
    found += [settings.get_provider_setting(p, "auth-key") for p in settings.configured_providers()]
    cache = services.token_cache
    found += [entry.token for scope in cache.scopes() if (entry := cache.get(scope)) is not None]
    provider = settings.active_provider
    if provider:
        info = services.provider_manager.get_provider_info(provider)
        with contextlib.suppress(LlxprtError):  # no usable key: nothing to look for
            found.append((await services.auth.resolve(provider, info.env_key_names)).token)
    return tuple(dict.fromkeys(k for k in found if isinstance(k, str) and k))
