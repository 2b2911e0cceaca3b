"""Every performance figure in one run, each next to its floor measured in the same run.

Run: .venv/bin/python -m bench.all [--runs 5] [--markdown] [--only GROUP ...]

Medians of `--runs` runs (at least 5 for the published figures) with min and max. Needs tmux
for the terminal figures (first frame, streaming, key echo). `--markdown` also prints the
table the README carries.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import conversation, oneshot, request, restore, store, streaming, tui
from bench.figures import Figure, markdown_table, print_table

TUI_GROUPS = ("first-frame", "stream", "echo", "memory", "tabs")
GROUPS = (
    *TUI_GROUPS,
    *streaming.GROUPS,
    "conversation",
    "request",
    "oneshot",
    "restore",
    "store",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument(
        "--only", choices=GROUPS, action="append", help="measure just these groups of figures"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    figures: list[Figure] = []
    for group in args.only or GROUPS:
        if group in TUI_GROUPS:
            figures += tui.measure(args.runs, group)
        elif group in streaming.GROUPS:
            figures += streaming.measure(args.runs, group)
        elif group == "conversation":
            figures += conversation.measure(args.runs)
        elif group == "request":  # enter to the request on the wire (bench/request.py)
            figures += request.measure(args.runs)
        elif group == "restore":  # 10 restored tabs of 500 messages (bench/restore.py)
            figures += restore.measure(args.runs)
        elif group == "store":  # search 1,000,000 messages, list 10,000 sessions
            figures += store.measure(args.runs)
        else:
            figures += oneshot.measure(args.runs)
    print(
        f"llxprt benchmarks: median of {args.runs} runs (min-max); Python "
        f"{platform.python_version()}; {time.perf_counter() - began:.0f} s in all\n"
    )
    print_table(figures)
    if args.markdown:
        print()
        print(markdown_table(figures))
    missed = [f.name.strip() for f in figures if f.met is False]
    print(f"\ntargets missed: {', '.join(missed) if missed else 'none'}")


if __name__ == "__main__":
    main()
