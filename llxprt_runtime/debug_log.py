"""The opt-in debug log (`llxprt --debug` or `LLXPRT_DEBUG=1`): what llxprt and the SDKs did,
for troubleshooting, in a private file (0600 in a 0700 dir) with credentials redacted.

We never log a key ourselves; the redaction is a second line of defence against a header or
an SDK's debug output that carries one.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from llxprt_runtime import paths
from llxprt_runtime.atomic import PRIVATE_FILE_MODE, ensure_private_dir
from llxprt_runtime.errors import REDACTED
from llxprt_runtime.urls import mask_urls

LOG_FILE_NAME = "llxprt-debug.log"
LOGGERS = ("llxprt_runtime", "llxprt_tui", "openai", "anthropic", "google_genai", "httpx", "httpx2")

# A credential-bearing name, then `:` or `=`, then the value (with an optional Bearer).
_CREDENTIAL = re.compile(
    r"(?i)((?:authorization|x-api-key|x-goog-api-key|api[_-]?key|auth-key|access[_-]?token)"
    r"['\"]?\s*[:=]\s*['\"]?(?:bearer\s+)?)([^\s'\",}\]]+)"
)


def redact_credentials(text: str) -> str:
    """`text` with credential-looking values (`api_key=…`, `Authorization: Bearer …`) and URL
    passwords redacted: for text whose secrets are not known by value."""
    return mask_urls(_CREDENTIAL.sub(rf"\1{REDACTED}", text))


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_credentials(super().format(record))


def start_debug_log(directory: Path | None = None) -> Path:
    """Append DEBUG records of llxprt and the provider SDKs to the private log file."""
    directory = directory or paths.log_dir()
    ensure_private_dir(directory)
    path = directory / LOG_FILE_NAME
    # O_NOFOLLOW: a symlink planted at the log's path is refused, not written through.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
    os.fchmod(fd, PRIVATE_FILE_MODE)
    handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    return path
