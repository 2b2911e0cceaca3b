"""`llxprt` command line.

Start-up stays light: `--version`, `--help` and `-p` never import Textual, and no provider
SDK is imported until a provider makes its first call.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llxprt_runtime.api import CliOverrides
    from llxprt_tui.app import LlxprtApp

OUTPUT_FORMATS = ("text", "json", "stream-json")
EXIT_BAD_ARGUMENTS = 2
TRUE_WORDS = ("1", "true", "yes", "on")


def build_parser() -> argparse.ArgumentParser:
    from llxprt_runtime.api import BUILTIN_PROVIDERS, __version__

    parser = argparse.ArgumentParser(
        prog="llxprt",
        description="A keyboard-driven terminal chat client for large language models.",
        epilog="Without -p, llxprt opens the full-screen chat; `llxprt serve` serves it to "
        f"a browser (llxprt serve --help). Providers: {', '.join(BUILTIN_PROVIDERS)} "
        "(add your own in providers.toml). `llxprt auth login codex` logs in with a "
        "ChatGPT plan (llxprt auth --help).",
    )
    parser.add_argument("--version", action="version", version=f"llxprt {__version__}")
    parser.add_argument(
        "-p",
        "--prompt",
        help="send PROMPT (after any piped stdin), stream the reply to stdout, and exit",
    )
    parser.add_argument(
        "query",
        nargs="*",
        metavar="PROMPT",
        help="sent in the first tab of the chat; with stdin not a terminal (a pipe), sent "
        "after stdin as with -p, the reply to stdout",
    )
    parser.add_argument("--provider", help="provider to use (overrides the profile)")
    parser.add_argument("-m", "--model", help="model to use (overrides the profile)")
    parser.add_argument("--key", help="API key for this run only (prefer --key-name)")
    parser.add_argument("--keyfile", metavar="PATH", help="read the API key from PATH")
    parser.add_argument(
        "--key-name", metavar="NAME", help="use the key saved as NAME in the OS keyring"
    )
    parser.add_argument("--baseurl", metavar="URL", help="provider endpoint, e.g. a local server")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting (repeatable); modelparam.NAME=VALUE sets a model parameter",
    )
    parser.add_argument("--profile-load", metavar="NAME", help="start from a saved profile")
    parser.add_argument(
        "--new",
        action="store_true",
        help="start with one fresh tab instead of the tabs open when llxprt last quit",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="append a debug log (keys redacted) to llxprt-debug.log in the log dir; "
        "LLXPRT_DEBUG=1 does the same",
    )
    parser.add_argument(
        "--raw-output",
        action="store_true",
        help="with -p text output on a terminal: write the reply's control characters as they "
        "are (by default they are shown as symbols such as ␛; a pipe always gets them raw)",
    )
    parser.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        default="text",
        help="text (default), json (reply, model, usage) or stream-json (one event per line)",
    )
    return parser


def overrides_from(args: argparse.Namespace) -> CliOverrides:
    from llxprt_runtime.api import CliOverrides

    return CliOverrides(
        provider=args.provider,
        model=args.model,
        key=args.key,
        keyfile=args.keyfile,
        keyfile_key=_pipe_keyfile_key(args.keyfile),
        key_name=args.key_name,
        base_url=args.baseurl,
        settings=tuple(args.set),
        profile=args.profile_load,
    )


def _pipe_keyfile_key(path: str | None) -> str | None:
    """`--keyfile <(pass show openai)` names a pipe that can be read only once: read it
    here, once, at start-up (bounded and with a deadline), for every tab of this run. A
    regular keyfile is read by each runtime when it is set; anything else is refused there."""
    if not path:
        return None
    import stat

    from llxprt_runtime.api import expand_keyfile_path, read_keyfile
    from llxprt_runtime.errors import KeyfileError

    try:
        if not stat.S_ISFIFO(expand_keyfile_path(path).stat().st_mode):
            return None
        return read_keyfile(path, allow_pipe=True).key
    except (OSError, KeyfileError):
        return None  # the runtime reads the path again and says what is wrong with it


def _start_debug_log() -> None:
    from llxprt_runtime.api import start_debug_log

    try:
        start_debug_log()
    except OSError as exc:  # the chat still works without its log
        print(f"llxprt: cannot open the debug log: {exc}", file=sys.stderr)


def _stdin_is_a_pipe() -> bool:
    """`echo hi | llxprt`, not a terminal. A served app (textual-serve sets TEXTUAL_DRIVER to
    its web driver) talks to its browser over stdin/stdout: that is not a prompt."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return False
    return sys.stdin is not None and not sys.stdin.isatty()


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] == ["serve"]:  # its own flags; imports the web stack only when serving
        from llxprt_tui.serve.command import run_serve

        return run_serve(words[1:])
    if words[:1] == ["auth"]:  # `llxprt auth login|logout|status ...`
        from llxprt_tui.auth_cli import run_auth

        return run_auth(words[1:])
    parser = build_parser()
    args = parser.parse_intermixed_args(argv)
    query = " ".join(args.query)
    if query and args.prompt is not None:
        parser.error("give the prompt either with -p or as PROMPT, not both")
    if args.prompt is None and _stdin_is_a_pipe():
        args.prompt = query  # `echo hi | llxprt`: one-shot with stdin, as llxprt-code does
    if argv is None and (args.key or args.set or args.baseurl):
        from llxprt_tui.process_title import hide_key_from_process_listing

        hide_key_from_process_listing(sys.orig_argv)
    if args.debug or os.environ.get("LLXPRT_DEBUG", "").strip().lower() in TRUE_WORDS:
        _start_debug_log()
    if args.prompt is not None:
        from llxprt_tui.oneshot import run_oneshot

        return run_oneshot(args, overrides_from(args))
    if args.output_format != "text":
        parser.error("--output-format applies to -p only")
    from llxprt_tui.app import run_app

    app = chat_app(args)
    return run_app(app.overrides, app=app)


def chat_app(args: argparse.Namespace) -> LlxprtApp:
    """The chat the command line asks for: its overrides, its first prompt, and (`--new`)
    one fresh tab instead of the tabs open when llxprt last quit."""
    from llxprt_tui.app import LlxprtApp

    query = " ".join(args.query)
    return LlxprtApp(overrides_from(args), restore=not args.new, first_prompt=query)


if __name__ == "__main__":
    sys.exit(main())
