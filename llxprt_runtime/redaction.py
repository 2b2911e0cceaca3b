"""Take a secret out of a text, in every form a server or library may repeat it.

A server may echo the key it got (raw, JSON- or repr-escaped, URL-encoded, or inside a
base64 Basic-auth token `user:key`); an HTTP library may quote an illegal header value with
its escapes. Each of those forms is replaced by REDACTED. Callers redact the whole text
before they cut it short, so no prefix of a key survives a cut.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Final
from urllib.parse import quote, quote_plus

#: What a secret is replaced with, wherever it would be shown, logged or written.
REDACTED: Final = "[REDACTED]"

# Shorter secrets are not redacted. A key of a few characters occurs inside ordinary words
# and numbers, so redacting it garbles every message ("Networ[REDACTED]") while hiding
# nothing: a key that short is guessable anyway, and no provider issues one.
MIN_SECRET_CHARS: Final = 8

_BASE64_TOKEN: Final = re.compile(r"[A-Za-z0-9+/_-]{12,}={0,2}")
_PERCENT_ESCAPE: Final = re.compile(r"%[0-9A-F]{2}")


def redact_secret(text: str, secret: str | None) -> str:
    """`text` with every form of `secret` replaced by REDACTED (unchanged for a short one)."""
    if not secret or len(secret.strip()) < MIN_SECRET_CHARS:
        return text
    for form in sorted(_forms(secret), key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return _BASE64_TOKEN.sub(lambda m: _redact_base64(m.group(), secret), text)


def _forms(secret: str) -> set[str]:
    forms = {secret, secret.strip()}
    for value in tuple(forms):
        forms.add(repr(value)[1:-1])
        forms.add(json.dumps(value)[1:-1])
        forms.add(json.dumps(value, ensure_ascii=False)[1:-1])  # as JavaScript's JSON.stringify
        forms.add(value.encode("unicode_escape").decode("ascii"))
        forms.add(repr(value.encode("utf-8", "backslashreplace"))[2:-1])
        for encoded in (quote(value), quote(value, safe=""), quote_plus(value)):
            forms.add(encoded)
            forms.add(_PERCENT_ESCAPE.sub(lambda m: m.group().lower(), encoded))
    return {form for form in forms if len(form) >= MIN_SECRET_CHARS}


def _redact_base64(token: str, secret: str) -> str:
    """REDACTED when `token` is base64 (standard or URL-safe) of bytes holding `secret`."""
    needle = secret.strip().encode("utf-8", "backslashreplace")
    body = token.rstrip("=")
    padded = body + "=" * (-len(body) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            if needle in decode(padded):
                return REDACTED
        except (binascii.Error, ValueError):
            continue
    return token
