"""Benchmark restoring tabs on start: 10 open sessions of 500 messages each.

In a real terminal (tmux 120x40, polling capture-pane), in the same run:
- launch to the first frame with those 10 tabs to restore vs with an empty data dir (the
  floor): restoring must not slow the first frame (target: within 10%). Each start begins
  once the app before it has exited (bench.tui.stop): the empty start's app, hung up just
  after its first frame, went on for 0.3-0.6 s of CPU into the restore start after it;
- first frame to the active restored tab's last message on screen (target: within 1 s);
- each switch to a restored tab not shown yet until its last message is on screen (alt+right
  through all ten; target: every one within 1 s), and launch to all ten shown once.

Run: .venv/bin/python -m bench.restore [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import Figure, print_table  # noqa: E402
from bench.tui import BIN, SESSION, environment, start, stop, tmux, wait_for  # noqa: E402
from llxprt_runtime.providers.content import ContentMetadata, IContent, TextBlock  # noqa: E402
from llxprt_runtime.store.database import SessionDatabase  # noqa: E402

TABS = 10
MESSAGES = 500
PARAGRAPH = (
    "Here is a **reply** with a list:\n\n- one item\n- another item\n\n"
    "and some `code` in a sentence that runs on for a while to fill the line. "
)


def marker(tab: int) -> str:
    return f"last-answer-of-tab-{tab}"


def build(data_dir: Path) -> None:
    database = SessionDatabase.open(data_dir / "sessions.db").database
    snapshot = json.dumps({"version": 1, "provider": "openai", "model": "gpt-5"})
    meta = ContentMetadata(model="gpt-5", provider="openai")
    for tab in range(1, TABS + 1):
        session = database.create_session(runtime_snapshot=snapshot)
        for n in range(MESSAGES // 2):
            database.add_message(session.id, IContent.human(f"question {n} of tab {tab}"))
            text = PARAGRAPH + (marker(tab) if n == MESSAGES // 2 - 1 else f"answer {n}")
            database.add_message(session.id, IContent("ai", (TextBlock(text),), meta))
        database.set_open(session.id, "0:0", tab - 1)
    database.release_open_tabs("0:0")
    database.close()


def shows(text: str, screen: str) -> bool:
    return text in screen


def frame_shown(screen: str) -> bool:
    # The restored tabs replace the welcome after the first frame; either is that frame.
    return "^p" in screen and ("Welcome to llxprt" in screen or "question" in screen)


def measure(runs: int) -> list[Figure]:
    env = environment(restore_tabs=True)
    seed = Path(tempfile.mkdtemp(prefix="llxprt-restore-seed-"))
    build(seed)
    empty: list[float] = []
    restored: list[float] = []
    active: list[float] = []
    switches: list[float] = []
    every: list[float] = []
    tmux("new-session", "-d", "-s", "bench-keepalive", "sleep 3600")
    try:
        for _ in range(runs):
            data = Path(env["LLXPRT_DATA_HOME"])
            shutil.rmtree(data, ignore_errors=True)
            began = start(f"{BIN}/llxprt --new", env)
            empty.append(wait_for(frame_shown) - began)
            # Each start alone: the app just hung up must be gone before the next starts.
            stop()
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(seed, data)
            began = start(f"{BIN}/llxprt", env)
            frame = wait_for(frame_shown)
            restored.append(frame - began)
            active.append(wait_for(lambda s: marker(1) in s) - frame)
            for tab in range(2, TABS + 1):
                pressed = time.perf_counter()
                tmux("send-keys", "-t", SESSION, "M-Right")
                switches.append(wait_for(partial(shows, marker(tab))) - pressed)
            every.append(time.perf_counter() - began)
            stop()
    finally:
        tmux("kill-session", "-t", SESSION)
        tmux("kill-session", "-t", "bench-keepalive")
        shutil.rmtree(seed, ignore_errors=True)
    return [
        Figure(
            f"first frame, {TABS} tabs x {MESSAGES} messages to restore",
            "s",
            restored,
            "≤ 1.1x",
            lambda r: r <= 1.1,
            empty,
            "empty start",
        ),
        Figure(
            "first frame to the active restored tab's last message",
            "s",
            active,
            "< 1 s",
            lambda median: median < 1.0,
        ),
        Figure(
            "switch to a restored tab until its last message shows",
            "s",
            switches,
            "< 1 s (max)",
            lambda _median: max(switches) < 1.0,
        ),
        Figure(
            f"launch to all {TABS} restored tabs shown once",
            "s",
            every,
            "(context)",
            None,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print_table(measure(args.runs))


if __name__ == "__main__":
    main()
