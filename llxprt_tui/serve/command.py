"""`llxprt serve` flags, the safety checks on them, and the per-connection app command.

Nothing here imports aiohttp or textual-serve: `llxprt serve --help`, a refused `--host` and
the missing-extra message stay as light as the rest of the command line.
"""

from __future__ import annotations

import argparse
import ipaddress
import secrets
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass

EXIT_BAD_ARGUMENTS = 2
DEFAULT_PORT = 8000
# Each browser tab is a whole llxprt process (about 60-90 MiB with an SDK loaded): a page that
# reconnects in a loop, or many forgotten tabs, must not fill the machine.
DEFAULT_MAX_APPS = 8
MISSING_EXTRA = (
    "llxprt serve needs the optional 'serve' extra (textual-serve): pip install 'llxprt[serve]'"
)
REMOTE_WARNING = (
    "llxprt serve: listening on {host}, not loopback. Anyone who has the URL (with its token) "
    "can chat with your keys, and keys typed in the page travel over this connection "
    "unencrypted. Prefer the default 127.0.0.1 and an SSH tunnel "
    "(ssh -L {port}:127.0.0.1:{port} this-host)."
)
# Start-up flags of the chat that every connection's app gets, as (flag, dest, repeatable).
# There is no --key: every app process would carry it on its command line.
FORWARDED_FLAGS: tuple[tuple[str, str, bool], ...] = (
    ("--provider", "provider", False),
    ("--model", "model", False),
    ("--keyfile", "keyfile", False),
    ("--key-name", "key_name", False),
    ("--baseurl", "baseurl", False),
    ("--set", "set", True),
    ("--profile-load", "profile_load", False),
)


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    token: str
    app_command: str
    allow_remote: bool
    max_apps: int = DEFAULT_MAX_APPS


def build_serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llxprt serve",
        description="Serve the chat app to a browser: every browser tab gets its own llxprt "
        "process. Prints a URL with a random token once; without the token nothing starts.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback (read the warning it prints)",
    )
    parser.add_argument(
        "--max-apps",
        type=int,
        default=DEFAULT_MAX_APPS,
        metavar="N",
        help=f"at most N browser tabs at once, each its own llxprt process (default "
        f"{DEFAULT_MAX_APPS}); one more is told so and starts nothing",
    )
    # Only to refuse it with a reason: every app process would carry it on its command line.
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--provider", help="the first tab's provider, as for llxprt")
    parser.add_argument("-m", "--model", help="the first tab's model")
    parser.add_argument("--keyfile", metavar="PATH", help="read the API key from PATH")
    parser.add_argument("--key-name", metavar="NAME", help="use the keyring key saved as NAME")
    parser.add_argument("--baseurl", metavar="URL", help="provider endpoint")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="a setting (repeatable)"
    )
    parser.add_argument("--profile-load", metavar="NAME", help="start from a saved profile")
    return parser


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per connection: this Python, this llxprt, the
    forwarded start-up flags (quoted: textual-serve runs it through the shell)."""
    words = [sys.executable, "-m", "llxprt_tui.cli"]
    for flag, dest, repeatable in FORWARDED_FLAGS:
        value = getattr(args, dest)
        for item in value if repeatable else [value]:
            if item is not None:
                words += [flag, item]
    return shlex.join(words)


def page_url(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def parse_serve_options(argv: Sequence[str]) -> ServeOptions:
    """Parse `llxprt serve` flags; exits 2 (argparse) on bad ones or an unguarded remote host."""
    parser = build_serve_parser()
    args = parser.parse_args(argv)
    if args.key is not None:
        parser.error(
            "--key is not taken by serve: every app process would show it on its command "
            "line. Use --key-name (OS keyring) or --keyfile, or enter it in the page (f2)."
        )
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: a port is 0-65535")
    if args.max_apps < 1:
        parser.error(f"--max-apps {args.max_apps}: at least 1")
    if not is_loopback(args.host) and not args.allow_remote:
        parser.error(
            f"--host {args.host} is not loopback: anyone who can reach it could use your keys. "
            "Add --allow-remote to serve it anyway, or keep 127.0.0.1 and use an SSH tunnel."
        )
    return ServeOptions(
        host=args.host,
        port=args.port,
        token=secrets.token_urlsafe(32),
        app_command=app_command(args),
        allow_remote=not is_loopback(args.host),
        max_apps=args.max_apps,
    )


def run_serve(argv: Sequence[str]) -> int:
    options = parse_serve_options(argv)
    try:
        import textual_serve  # noqa: F401  (only to learn whether the extra is installed)
    except ImportError:
        print(MISSING_EXTRA, file=sys.stderr)
        return EXIT_BAD_ARGUMENTS
    from llxprt_tui.serve.server import serve

    if options.allow_remote:
        print(REMOTE_WARNING.format(host=options.host, port=options.port), file=sys.stderr)
    return serve(options)
