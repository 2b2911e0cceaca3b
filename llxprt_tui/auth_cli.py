"""`llxprt auth ...`: log in to, inspect and log out of subscription (OAuth) providers.

  llxprt auth login codex [--device] [--bucket NAME] [--no-browser]
  llxprt auth logout codex [--bucket NAME | --all]
  llxprt auth status [codex]

Never imports Textual. Tokens go to the OS keyring where llxprt-code keeps them, so a
login made here works in llxprt-code and the other way round.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from llxprt_runtime.api import (
    REFUSED_PROVIDERS,
    BucketStatus,
    CodexOAuth,
    LoginPrompt,
    short_account,
    system_browser_opener,
)
from llxprt_runtime.errors import LlxprtError

EXIT_OK, EXIT_FAILED, EXIT_BAD_ARGUMENTS, EXIT_INTERRUPTED = 0, 1, 2, 130
OAUTH_PROVIDERS = ("codex",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llxprt auth",
        description="Log in to subscription providers (OAuth). Logins are stored in the OS "
        "keyring, shared with llxprt-code.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="login|logout|status")
    login = verbs.add_parser("login", help="log in (opens the browser, or --device)")
    login.add_argument("provider", help="codex (ChatGPT plan)")
    login.add_argument(
        "--device", action="store_true", help="log in with a code on another device (SSH)"
    )
    login.add_argument("--bucket", metavar="NAME", help="store the login as bucket NAME")
    login.add_argument(
        "--no-browser", action="store_true", help="only print the URL; do not open a browser"
    )
    logout = verbs.add_parser("logout", help="remove a stored login")
    logout.add_argument("provider", help="codex")
    which = logout.add_mutually_exclusive_group()
    which.add_argument("--bucket", metavar="NAME", help="the bucket to log out (default: default)")
    which.add_argument("--all", action="store_true", help="log out of every bucket")
    status = verbs.add_parser("status", help="show stored logins")
    status.add_argument("provider", nargs="?", help="codex (default: all)")
    return parser


def printable(text: str) -> str:
    """A server's or user's string, safe to print: no control characters reach the terminal."""
    return "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)


def prompt_lines(prompt: LoginPrompt) -> list[str]:
    """What the user needs to finish a login (also shown by the TUI's login screen)."""
    if prompt.kind == "device":
        return [
            "To log in, open this page on any device:",
            f"  {printable(prompt.url)}",
            f"and enter the code:  {printable(prompt.user_code or '')}",
            "Waiting for approval (up to 15 minutes)…",
        ]
    head = (
        "Your browser was opened to log in. If it did not open, visit:"
        if prompt.browser_opened
        else "Open this URL in a browser to log in:"
    )
    return [head, f"  {printable(prompt.url)}", "Waiting for the browser…"]


def status_lines(provider: str, buckets: Sequence[BucketStatus], now: float) -> list[str]:
    if not buckets:
        return [f"{provider}: not logged in (llxprt auth login {provider})"]
    lines = [f"{provider}: logged in"]
    for entry in buckets:
        account = f"account {short_account(entry.account_id)}" if entry.account_id else "account ?"
        left = entry.expiry - now
        if entry.expired:
            when = "expired, renews on next use" if entry.has_refresh_token else "expired"
        elif left >= 3600:
            when = f"expires in {left / 3600:.0f} h"
        else:
            when = f"expires in {max(1, int(left // 60))} min"
        lines.append(f"  {printable(entry.bucket)}: {printable(account)}, {when}")
    return lines


def _check_provider(name: str) -> str | None:
    if name in OAUTH_PROVIDERS:
        return None
    if name.lower() in REFUSED_PROVIDERS:
        return REFUSED_PROVIDERS[name.lower()]
    return f"llxprt auth: no login for '{printable(name)}' (logins: {', '.join(OAUTH_PROVIDERS)})."


async def _login(args: argparse.Namespace, out: TextIO) -> int:
    codex = CodexOAuth()

    def show(prompt: LoginPrompt) -> None:
        print("\n".join(prompt_lines(prompt)), file=out, flush=True)

    opener = None if args.no_browser else system_browser_opener
    result = await codex.login(show, bucket=args.bucket, device=args.device, open_browser=opener)
    print(result.message, file=out)
    return EXIT_OK


async def _logout(args: argparse.Namespace, out: TextIO) -> int:
    codex = CodexOAuth()
    if args.all:
        names = [entry.bucket for entry in await codex.status()]
        for name in names:
            await codex.logout_bucket(name)
        listed = ", ".join(printable(n) for n in names)
        print(f"Logged out of codex ({listed})." if names else "No codex login.", file=out)
        return EXIT_OK
    bucket = args.bucket or "default"
    if await codex.logout_bucket(bucket):
        print(f"Logged out of codex (bucket {printable(bucket)}).", file=out)
    else:
        print(f"No codex login in bucket {printable(bucket)}.", file=out)
    return EXIT_OK


async def _status(args: argparse.Namespace, out: TextIO) -> int:
    codex = CodexOAuth()
    print("\n".join(status_lines("codex", await codex.status(), time.time())), file=out)
    return EXIT_OK


def run_auth(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    stdout = out or sys.stdout
    stderr = err or sys.stderr
    try:
        args = build_parser().parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    provider = getattr(args, "provider", None)
    if provider is not None and (problem := _check_provider(provider)):
        print(problem, file=stderr)
        return EXIT_BAD_ARGUMENTS
    action = {"login": _login, "logout": _logout, "status": _status}[args.verb]
    try:
        return asyncio.run(action(args, stdout))
    except KeyboardInterrupt:
        print("llxprt: login cancelled", file=stderr)
        return EXIT_INTERRUPTED
    except LlxprtError as exc:
        print(f"llxprt: {printable(str(exc))}", file=stderr)
        return EXIT_FAILED
