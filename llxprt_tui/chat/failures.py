"""What a failed send says on screen. The runtime's errors are written for logs and
developers; the ones a new user meets on a first send (no key, no provider) are said here in
plain words with the next step. The technical text goes to the debug log, and under --debug
on screen as well."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from llxprt_runtime.errors import LlxprtError, ProviderRuntimeNormalizationError
from llxprt_tui.keys import first_key

_log = logging.getLogger(__name__)


def failure_text(
    error: LlxprtError, keymap: Mapping[str, str], env_key_names: Sequence[str] = ()
) -> str:
    """The on-screen text for `error`."""
    friendly = _first_send(error, keymap, env_key_names)
    if friendly is None:
        return str(error)
    _log.info("send failed: %s", error)
    if _log.isEnabledFor(logging.DEBUG):  # --debug: the detail too
        return f"{friendly}\ndetail: {error}"
    return friendly


def _first_send(
    error: LlxprtError, keymap: Mapping[str, str], env_key_names: Sequence[str]
) -> str | None:
    if not isinstance(error, ProviderRuntimeNormalizationError):
        return None
    picker = first_key("pick-provider", keymap)
    if "provider" in error.missing_fields:
        return f"This tab has no provider yet.\nPress {picker} to pick one, or type /provider NAME."
    if "auth_token" not in error.missing_fields or not error.provider:
        return None
    env = " / ".join(env_key_names)
    return "\n".join(
        [
            f"{error.provider} needs an API key and this tab has none.",
            f"Press {first_key('enter-key', keymap)} to enter one, or type /key VALUE "
            "(this tab only) or /key load NAME (a key saved in the OS keyring).",
            f"Or pick another provider: {picker} or /provider NAME."
            + (f" {env} in the environment works too." if env else ""),
            "A local server needs no key: /baseurl http://127.0.0.1:PORT/v1.",
        ]
    )
