"""Every performance figure in one run, each next to its floor measured in the same run.

Run: .venv/bin/python -m bench.all [--runs 5] [--markdown] [--only GROUP ...] [--with-burner]

Medians of `--runs` runs (at least 5 for the published figures) with min and max. Needs tmux
for the terminal figures (first frame, streaming, key echo). `--markdown` also prints the
table the README carries. `--with-burner` runs one CPU-bound process beside every figure (and
its floor) and labels the figures "under load"; the load average is printed either way.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import conversation, oneshot, request, restore, store, streaming, tui
from bench.figures import Figure, markdown_table, print_table
from bench.load import burner, load_average

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


def measure(group: str, runs: int) -> list[Figure]:
    if group in TUI_GROUPS or group in streaming.GROUPS:  # "echo" is a group of both
        ours = tui.measure(runs, group) if group in TUI_GROUPS else []
        return ours + (streaming.measure(runs, group) if group in streaming.GROUPS else [])
    if group == "conversation":
        return conversation.measure(runs)
    if group == "request":  # enter to the request on the wire (bench/request.py)
        return request.measure(runs)
    if group == "restore":  # 10 restored tabs of 500 messages (bench/restore.py)
        return restore.measure(runs)
    if group == "store":  # search 1,000,000 messages, list 10,000 sessions
        return store.measure(runs)
    return oneshot.measure(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument(
        "--only", choices=GROUPS, action="append", help="measure just these groups of figures"
    )
    parser.add_argument(
        "--with-burner",
        action="store_true",
        help="run one CPU-bound process beside the bench: the figures under load",
    )
    args = parser.parse_args()
    began = time.perf_counter()
    load_before = load_average()
    figures: list[Figure] = []
    with burner(args.with_burner):
        for group in dict.fromkeys(args.only or GROUPS):  # "echo" is listed twice
            figures += measure(group, args.runs)
    if args.with_burner:
        figures = [dataclasses.replace(f, name=f"{f.name}, under load") for f in figures]
    print(
        f"llxprt benchmarks: median of {args.runs} runs (min-max); Python "
        f"{platform.python_version()}; {time.perf_counter() - began:.0f} s in all; load "
        f"average {load_before} before, {load_average()} after"
        + ("; one CPU-bound process beside it (under load)" if args.with_burner else "")
        + "\n"
    )
    print_table(figures)
    if args.markdown:
        print()
        print(markdown_table(figures))
    missed = [f.name.strip() for f in figures if f.met is False]
    print(f"\ntargets missed: {', '.join(missed) if missed else 'none'}")


if __name__ == "__main__":
    main()
