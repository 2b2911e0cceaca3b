"""The runtime's messages say what to do in the chat app (`/key`, `/baseurl`, `/retry`...).
From `llxprt -p` those commands do not exist, so one-shot rewrites them into the flag or
shell command that does the same thing. Most specific phrases first; the generic command
names last."""

from __future__ import annotations

import re
from collections.abc import Callable

from llxprt_runtime.api import paths

KEYRING = "keyring set llxprt-code-provider-keys"  # the `keyring` CLI ships with keyring

_Replacement = str | Callable[[re.Match[str]], str]

#: A command at a word start, not a piece of a URL path such as /v1/models.
_START, _END = r"(?<![\w/.:-])", r"(?![\w/-])"

_REWRITES: tuple[tuple[str, _Replacement], ...] = (
    # The message says what went wrong; in a shell the same request is one command away.
    (r"The partial reply is kept; use /retry to ask again\.", "Run the command again."),
    (r"; /retry asks again\.", "; run the command again."),
    (
        r"Check the key: /key shows where this tab's key comes from\.",
        "Check the key (--key-name NAME, --keyfile PATH, --key, or the provider's "
        "environment variable).",
    ),
    (
        r"Use /profile list to see saved ones\.",
        lambda _: f"Saved profiles are the files in {paths.profiles_dir()}.",
    ),
    (r"Use '/key save (\S+) <key>' to store it\.", rf"Store it with `{KEYRING} \1`."),
    (
        r"Set a key with /key, /keyfile or /key load NAME \(or --key, --keyfile, --key-name\)\.",
        "Give a key with --key-name NAME (OS keyring), --keyfile PATH or --key.",
    ),
    (r"/key save (\S+)(?: <key>)?", rf"`{KEYRING} \1`"),
    (r"Use /key to set API key if needed\.", "Give a key with --key-name NAME or --keyfile PATH."),
    (r"Choose a provider with /provider or --provider\.", "Choose one with --provider NAME."),
    (r" ?/stats lb shows each member's state\.", ""),
    (_START + r"/set ([\w.-]+) (\S+?)(?=[.,;)]?(?:\s|$))", r"--set \1=\2"),
    (_START + r"/set" + _END, "--set KEY=VALUE"),
    (_START + r"/key load" + _END, "--key-name NAME"),
    (_START + r"/keyfile" + _END, "--keyfile PATH"),
    (_START + r"/key" + _END, "--key-name NAME"),
    (_START + r"/model" + _END, "-m MODEL"),
    (_START + r"/baseurl" + _END, "--baseurl URL"),
    (_START + r"/provider" + _END, "--provider NAME"),
)
_COMPILED = tuple((re.compile(pattern), repl) for pattern, repl in _REWRITES)


def for_the_shell(message: str) -> str:
    """`message` with each chat command replaced by what works from a shell."""
    for pattern, repl in _COMPILED:
        message = pattern.sub(repl, message)
    return message
