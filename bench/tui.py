"""Benchmark the chat app against its floors, measured in the same run.

In a real terminal (tmux 120x40, polling capture-pane):
- launch to first full frame: llxprt vs a bare Textual app with one Static (bench/floor_apps.py);
  and the app's RSS at that moment;
- enter to the last token on screen for a 2,000-token reply at full speed from the loopback
  server: llxprt (rendered Markdown) vs a bare Textual app writing the same stream into a Log;
- the same for 20,000 tokens (growth must stay linear: at most 12x the 2,000-token figure);
- key echo during a stream: a key typed while 20,000 tokens stream, until it is on screen.
Headless (Pilot): RSS with 1 tab vs 20 tabs, each with a short conversation.

Run: .venv/bin/python -m bench.tui [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.wire.server import Reply, WireServer  # noqa: E402

BIN = Path(sys.executable).parent
SESSION = "llxprt-bench"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(predicate: Callable[[str], bool], limit: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if predicate(screen()):
            return time.perf_counter()
        time.sleep(0.005)
    raise SystemExit(f"timed out; screen was:\n{screen()}")


def start(command: str, env: dict[str, str]) -> float:
    tmux("kill-session", "-t", SESSION)
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    began = time.perf_counter()
    shell = f"exec env {exports} {command}"
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", shell)
    return began


def pane_rss_mib() -> float:
    pid = tmux("display", "-p", "-t", SESSION, "#{pane_pid}").strip()
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):7.3f} (min {min(values):.3f}, max {max(values):.3f})"


def first_frame(env: dict[str, str], runs: int) -> None:
    ours: list[float] = []
    floor: list[float] = []
    layout: list[float] = []
    rss: list[float] = []
    for _ in range(runs):
        began = start(f"{BIN}/llxprt", env)
        ours.append(wait_for(lambda s: "Welcome to llxprt" in s and "^p" in s) - began)
        rss.append(pane_rss_mib())
        began = start(f"{sys.executable} {ROOT}/bench/floor_apps.py static", env)
        floor.append(wait_for(lambda s: "FLOOR-READY" in s) - began)
        began = start(f"{sys.executable} {ROOT}/bench/floor_apps.py layout", env)
        layout.append(wait_for(lambda s: "FLOOR-READY" in s and "^p" in s) - began)
    tmux("kill-session", "-t", SESSION)
    ratio = statistics.median(ours) / statistics.median(floor)
    print(f"first frame      llxprt {stats(ours)} s   bare Textual {stats(floor)} s   {ratio:.2f}x")
    layout_ratio = statistics.median(layout) / statistics.median(floor)
    print(
        f"  (the same widgets in a bare app: {stats(layout)} s, {layout_ratio:.2f}x the floor; "
        f"llxprt is {statistics.median(ours) / statistics.median(layout):.2f}x that)"
    )
    print(f"RSS at first frame: {statistics.median(rss):.1f} MiB (target < 60)")


def stream(env: dict[str, str], server: WireServer, tokens: int, runs: int) -> float:
    server.default_reply = lambda _r: Reply.tokens(tokens)
    ours: list[float] = []
    floor: list[float] = []
    echo: list[float] = []
    base = f"{server.url}/v1"
    for _ in range(runs):
        start(f"{BIN}/llxprt --provider openai --baseurl {base} --key sk-bench", env)
        wait_for(lambda s: "Message, or /help" in s)
        tmux("send-keys", "-t", SESSION, "-l", "go")
        began = time.perf_counter()
        tmux("send-keys", "-t", SESSION, "Enter")
        if tokens >= 20000:
            wait_for(lambda s: "tok1" in s)
            typed = time.perf_counter()
            tmux("send-keys", "-t", SESSION, "-l", "Q")
            echo.append(wait_for(lambda s: "▊ Q" in s or "\nQ" in s or " Q " in s) - typed)
        ours.append(wait_for(lambda s: "tok/s" in s, limit=300) - began)
        start(f"{sys.executable} {ROOT}/bench/floor_apps.py log {base}", env)
        wait_for(lambda s: "FLOOR-READY" in s)
        began = time.perf_counter()
        tmux("send-keys", "-t", SESSION, "Enter")
        floor.append(wait_for(lambda s: "FLOOR-DONE" in s, 300) - began)
    tmux("kill-session", "-t", SESSION)
    ratio = statistics.median(ours) / statistics.median(floor)
    print(
        f"{tokens:>6} tokens    llxprt {stats(ours)} s   Log floor {stats(floor)} s   {ratio:.2f}x"
    )
    if echo:
        print(f"key echo during the stream: {stats([e * 1000 for e in echo])} ms (target < 50)")
    return statistics.median(ours)


def tabs_memory(env: dict[str, str], server: WireServer) -> None:
    code = f"""
import asyncio, sys
sys.path.insert(0, {str(ROOT)!r})
from tests.tui.conftest import make_app, send_and_wait
from tests.wire.server import WireServer

def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024

async def main():
    server = WireServer().start()
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_wait(pilot, 'a short question')
        one = rss()
        for _ in range(19):
            await app.new_tab()
            await pilot.pause()
            await send_and_wait(pilot, 'a short question')
        twenty = rss()
    print(f'{{one:.1f}} {{twenty:.1f}}')

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    one, twenty = (float(x) for x in out.stdout.split()[-2:])
    print(
        f"RSS 1 tab {one:.1f} MiB, 20 tabs {twenty:.1f} MiB: "
        f"{(twenty - one) / 19:.2f} MiB per extra tab (target < 3)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only", choices=("first-frame", "stream", "memory"), help="measure just one figure"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {
            "HOME": home,
            "LLXPRT_CONFIG_HOME": f"{home}/c",
            "LLXPRT_DATA_HOME": f"{home}/d",
            "TERM": "xterm-256color",
            "PATH": os.environ.get("PATH", ""),
        }
        # A session that outlives every measured one, so the tmux server never exits (and
        # races) between runs.
        tmux("new-session", "-d", "-s", "bench-keepalive", "sleep 3600")
        if args.only in (None, "first-frame"):
            first_frame(env, args.runs)
        with WireServer() as server:
            if args.only in (None, "stream"):
                small = stream(env, server, 2000, args.runs)
                large = stream(env, server, 20000, max(3, args.runs // 2))
                print(f"20,000 vs 2,000 tokens: {large / small:.1f}x (target <= 12x)")
            if args.only in (None, "memory"):
                tabs_memory({**os.environ, **env}, server)
        tmux("kill-session", "-t", "bench-keepalive")


if __name__ == "__main__":
    main()
