"""`/auth`: subscription logins of this tab's runtime.

/auth                                  every OAuth provider's logins
/auth codex [status]                   codex logins (buckets, accounts, expiry)
/auth codex login [NAME] [--device]    log in (a screen shows the URL or the device code)
/auth codex logout [NAME|--all]        remove logins; this tab's cached token goes too
/auth codex enable|disable             use, or stop using, the login in this tab
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from llxprt_runtime.api import REFUSED_PROVIDERS, CodexOAuth
from llxprt_runtime.errors import LlxprtError
from llxprt_tui.auth_cli import OAUTH_PROVIDERS, printable, status_lines
from llxprt_tui.commands.spec import CommandParseError, ParsedCommand

if TYPE_CHECKING:
    from llxprt_runtime.api import RuntimeServices
    from llxprt_tui.commands.handlers import CommandHost

USAGE = "Usage: /auth [codex [status|login [NAME] [--device]|logout [NAME|--all]|enable|disable]]"


def codex_of(runtime: RuntimeServices) -> CodexOAuth:
    provider = runtime.oauth_manager.provider("codex")
    if not isinstance(provider, CodexOAuth):
        raise LlxprtError("This tab has no codex login support.")
    return provider


async def cmd_auth(host: CommandHost, cmd: ParsedCommand) -> list[str]:
    runtime = host.runtime
    args = list(cmd.args)
    if not args:
        lines = status_lines("codex", await codex_of(runtime).status(), time.time())
        return [*lines, "claudecode: not supported on purpose (see the README)"]
    provider = args.pop(0)
    if provider.lower() in REFUSED_PROVIDERS:
        raise LlxprtError(REFUSED_PROVIDERS[provider.lower()])
    if provider not in OAUTH_PROVIDERS:
        raise CommandParseError(
            f"No login for '{printable(provider)}' (logins: {', '.join(OAUTH_PROVIDERS)})."
        )
    action = args.pop(0).lower() if args else "status"
    codex = codex_of(runtime)
    if action == "status" and not args:
        return status_lines("codex", await codex.status(), time.time())
    if action == "login":
        device = "--device" in args
        names = [a for a in args if a != "--device"]
        if len(names) > 1 or any(n.startswith("-") for n in names):
            raise CommandParseError(USAGE)
        host.open_login(names[0] if names else None, device)
        return []
    if action == "logout" and len(args) <= 1:
        if args == ["--all"]:
            names = [entry.bucket for entry in await codex.status()]
        else:
            names = [args[0] if args else codex.bucket]
        removed = [name for name in names if await codex.logout_bucket(name)]
        runtime.oauth_manager.forget("codex", "logout")
        host.login_changed()
        if not removed:
            return ["No codex login to log out of."]
        return [f"Logged out of codex ({', '.join(printable(n) for n in removed)})."]
    if action in ("enable", "disable") and not args:
        runtime.oauth_manager.set_enabled("codex", action == "enable")
        host.login_changed()
        return [f"codex login {action}d in this tab."]
    raise CommandParseError(USAGE)
