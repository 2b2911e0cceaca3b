"""The slash commands as one table: name, usage, help and the handler that runs it. /help,
completion, the secret check and dispatch all read it; a new command is one row here (and
its handler function)."""

from __future__ import annotations

import importlib
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from llxprt_tui.commands.handlers import Handler


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    usage: str
    help: str
    #: "module:function" in llxprt_tui.commands, imported when the command first runs (the
    #: start-up path, /help and completion never import the handlers).
    handler: str
    #: The setting the arguments set (/key: auth-key): the setting registry decides whether
    #: they hold a secret (then never echoed, never in the prompt history).
    sets: str | None = None

    def load_handler(self) -> Handler:
        module, _, function = self.handler.partition(":")
        found = getattr(importlib.import_module(f"llxprt_tui.commands.{module}"), function)
        return cast("Handler", found)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("help", "/help", "List commands and key bindings", "handlers:cmd_help"),
    CommandSpec(
        "provider",
        "/provider [name]",
        "Show providers, or switch this tab's provider",
        "handlers:cmd_provider",
    ),
    CommandSpec(
        "model", "/model [name]", "Show models, or set this tab's model", "handlers:cmd_model"
    ),
    CommandSpec(
        "profile",
        "/profile save|load|delete|list|set-default [name]",
        "Save, load, delete, list profiles; set or clear the default",
        "handlers:cmd_profile",
    ),
    CommandSpec(
        "key",
        "/key [value|none|save NAME [value]|load NAME|delete NAME|list]",
        "Where this tab's key comes from; set, save, load or delete keys",
        "handlers:cmd_key",
        sets="auth-key",
    ),
    CommandSpec(
        "keyfile", "/keyfile PATH|none", "Read this tab's key from a file", "handlers:cmd_keyfile"
    ),
    CommandSpec(
        "auth",
        "/auth [codex [status|login [NAME] [--device]|logout [NAME|--all]|enable|disable]]",
        "Subscription logins (ChatGPT plan for codex): status, log in, log out",
        "auth:cmd_auth",
    ),
    CommandSpec(
        "baseurl",
        "/baseurl URL|none",
        "Point this tab's provider at another endpoint",
        "handlers:cmd_baseurl",
    ),
    CommandSpec(
        "set",
        "/set KEY VALUE | /set unset KEY | /set modelparam KEY VALUE",
        "Change a setting or model parameter for this tab",
        "handlers:cmd_set",
    ),
    CommandSpec(
        "stats",
        "/stats lb",
        "Load-balancer members: requests, failures, breakers",
        "load_balancer:cmd_stats",
    ),
    CommandSpec("theme", "/theme [name]", "Show themes, or switch theme", "handlers:cmd_theme"),
    CommandSpec("new", "/new", "Open a new tab", "handlers:cmd_new"),
    CommandSpec("close", "/close", "Close this tab", "handlers:cmd_close"),
    CommandSpec("tab", "/tab N", "Go to tab N", "handlers:cmd_tab"),
    CommandSpec(
        "rename",
        "/rename NAME",
        "Rename this tab (and its stored session)",
        "handlers:cmd_rename",
    ),
    CommandSpec(
        "system",
        "/system [TEXT|none]",
        "Show, set or clear this tab's system prompt (added to the core one)",
        "handlers:cmd_system",
    ),
    CommandSpec(
        "sessions",
        "/sessions",
        "Stored conversations: open, rename, delete, export",
        "handlers:cmd_sessions",
    ),
    CommandSpec(
        "search",
        "/search [WORDS]",
        'Search every conversation: words, "a phrase", prefix*, provider:, model:, dates',
        "handlers:cmd_search",
    ),
    CommandSpec(
        "fork",
        "/fork [PROVIDER [MODEL]]",
        "A new tab going on from the selected message (or the last), on a copy of this "
        "tab's settings, or on another provider and model",
        "handlers:cmd_fork",
    ),
    CommandSpec(
        "compare",
        "/compare PROVIDER[:MODEL] PROVIDER[:MODEL] …",
        "A compare tab: the next prompt goes to each (or to profiles) at once, side by side",
        "handlers:cmd_compare",
    ),
    CommandSpec("clear", "/clear", "Clear this tab's conversation", "handlers:cmd_clear"),
    CommandSpec(
        "attach",
        "/attach [PATH|clear]",
        "Attach a file (text, or a PNG/JPEG/GIF/WebP image) to the next prompt; list them",
        "handlers:cmd_attach",
    ),
    CommandSpec(
        "retry",
        "/retry",
        "Ask the last prompt again: a new reply beside the old one (‹ 2/2 ›)",
        "handlers:cmd_retry",
    ),
    CommandSpec(
        "copy", "/copy [code]", "Copy the last reply, or its last code block", "handlers:cmd_copy"
    ),
    CommandSpec(
        "export",
        "/export [--format json] [path]",
        "Save this conversation as Markdown, or as IContent JSON",
        "handlers:cmd_export",
    ),
    CommandSpec("quit", "/quit", "Quit llxprt", "handlers:cmd_quit"),
)
COMMANDS_BY_NAME = {spec.name: spec for spec in COMMANDS}


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    name: str
    args: tuple[str, ...]
    raw_args: str


class CommandParseError(ValueError):
    pass


def is_command(text: str) -> bool:
    return text.startswith("/") and not text.startswith("//")


def parse_command(text: str) -> ParsedCommand:
    """`/name args...` with shell-like quoting; raises CommandParseError with what is wrong."""
    body = text.strip()[1:]
    name, _, raw = body.partition(" ")
    name = name.strip().lower()
    if not name:
        raise CommandParseError("Type a command after '/', or /help to list them.")
    if name not in COMMANDS_BY_NAME:
        close = [c.name for c in COMMANDS if c.name.startswith(name[:2])]
        hint = f" Did you mean /{close[0]}?" if close else ""
        raise CommandParseError(f"Unknown command /{name}.{hint} /help lists commands.")
    try:
        args = tuple(shlex.split(raw))
    except ValueError as exc:
        raise CommandParseError(f"/{name}: {exc}.") from None
    return ParsedCommand(name, args, raw.strip())


def holds_secret(text: str) -> bool:
    """Whether a prompt line may carry a key (so it is never echoed nor remembered). The
    setting registry decides: for the setting a command sets (/key: auth-key), for `/set`
    lines (every alias, any case, secret headers), and for a URL with `user:password@`."""
    if not is_command(text):
        return False
    from llxprt_runtime.api import (
        setting_holds_secret,
        setting_line_holds_secret,
        text_holds_secret,
    )

    name, _, rest = text.strip()[1:].partition(" ")
    spec = COMMANDS_BY_NAME.get(name.lower())
    if spec is not None and spec.sets is not None and setting_holds_secret(spec.sets, rest):
        return True
    if text_holds_secret(text):
        return True
    return name.lower() == "set" and setting_line_holds_secret(rest)


def completions(text: str) -> list[CommandSpec]:
    """Commands matching what has been typed so far (only while typing the command name)."""
    if not is_command(text) or " " in text or "\n" in text:
        return []
    prefix = text[1:].lower()
    return [spec for spec in COMMANDS if spec.name.startswith(prefix)]
