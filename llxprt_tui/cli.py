"""`llxprt` command line. Start-up stays light: no Textual or SDK import for --version/--help."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    from llxprt_runtime import __version__

    parser = argparse.ArgumentParser(
        prog="llxprt",
        description="A keyboard-driven terminal chat client for large language models.",
    )
    parser.add_argument("--version", action="version", version=f"llxprt {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    parser.parse_args(argv)
    print(
        "llxprt: the chat interface is not built yet; this release provides the "
        "llxprt_runtime library.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
