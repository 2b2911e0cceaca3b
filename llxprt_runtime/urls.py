"""URLs as they may be shown: a base URL can carry `user:password@`, and the password is a
credential. Every place that shows or logs a URL goes through here."""

from __future__ import annotations

import re
from typing import Final

MASK: Final = "***"

# scheme://[user:]password@ — the user stays (it says whose account), the password goes.
_USERINFO: Final = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s@:'\"]*:)?([^/\s@'\"]+)@")


def display_url(url: str) -> str:
    """`url` with the password of any `user:password@` (or a lone `token@`) masked."""
    return mask_urls(url)


def mask_urls(text: str) -> str:
    """`text` with the password of every URL in it masked (for messages and logs)."""
    return _USERINFO.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    scheme, user, _password = match.groups()
    return f"{scheme}{user or ''}{MASK}@"
