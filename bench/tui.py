"""Benchmark the chat app against its floors, measured in the same run.

In a real terminal (tmux 120x40, polling capture-pane):
- launch to first full frame: llxprt vs a bare Textual app with one Static (bench/floor_apps.py);
  and the app's RSS at that moment;
- enter to the last token on screen for a 2,000-token reply at full speed from the loopback
  server: llxprt (rendered Markdown) vs a bare Textual app writing the same stream into a Log;
- the same for 20,000 tokens (growth must stay linear: at most 12x the 2,000-token figure);
- the 20,000-token reply next to the bare SDK script streaming it to a pipe (no UI at all);
- key echo during a stream: 5 keys typed while 20,000 tokens stream, each until it is on screen.
Headless (Pilot): RSS with 1 tab vs 20 tabs, each with a short conversation; tokens/s of ten
tabs streaming 2,000 tokens each at once vs one tab alone.

Run: .venv/bin/python -m bench.tui [--runs 5] [--only GROUP]; bench.all runs everything.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import Figure, print_table  # noqa: E402
from tests.wire.server import Reply, WireServer  # noqa: E402

BIN = Path(sys.executable).parent
SESSION = "llxprt-bench"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def reply_ended(shown: str) -> bool:
    """The reply's footer is on screen ("↑ 11 ↓ 2000 tokens · first token 0.03 s · 2989
    tok/s"): it has ended. ("tok/s" alone is not the end: the progress line above the prompt
    shows a live rate while the reply streams.)"""
    return "first token" in shown


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


def stop(limit: float = 3.0) -> None:
    """End the measured app and wait until its process is gone. tmux kill-session only
    hangs the app up: one killed just after its first frame goes on for another 0.3-0.6 s
    (building its first runtime, creating its database, shutting down), and the next start
    measured meanwhile shares the CPU with it (and its data dir). One still there after
    `limit` seconds is killed (and said)."""
    pid_text = tmux("display", "-p", "-t", SESSION, "#{pane_pid}").strip()
    tmux("kill-session", "-t", SESSION)
    if not pid_text.isdigit():
        return
    pid = int(pid_text)
    ended = time.perf_counter() + limit
    while time.perf_counter() < ended:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)
    print(f"(the app, pid {pid}, did not exit {limit:.0f} s after its hang-up: killed)")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def pane_rss_mib() -> float:
    pid = tmux("display", "-p", "-t", SESSION, "#{pane_pid}").strip()
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pane_cpu_seconds() -> float:
    """User and system CPU time of the process in the pane (every thread of it) so far."""
    pid = tmux("display", "-p", "-t", SESSION, "#{pane_pid}").strip()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_frame(env: dict[str, str], runs: int) -> list[Figure]:
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
    return [
        Figure("TUI first frame", "s", ours, "≤ 1.3x", lambda r: r <= 1.3, floor, "one Static"),
        Figure(
            "  its widgets alone in a bare app",
            "s",
            layout,
            "(context)",
            None,
            floor,
            "one Static",
        ),
        Figure("RSS at first frame", "MiB", rss, "< 60 MiB", lambda m: m < 60),
    ]


ECHO_KEYS = 5


def stream(
    env: dict[str, str], server: WireServer, tokens: int, runs: int, paragraph: int = 0
) -> list[Figure]:
    """Enter to the last token on screen, next to a bare Textual app writing the same bare-SDK
    stream into a Log; and, for long replies, key echo while the reply streams."""
    server.default_reply = lambda _r: Reply.tokens(tokens, paragraph=paragraph)
    ours: list[float] = []
    floor: list[float] = []
    cpu_ours: list[float] = []  # ms of the app's CPU from enter to the last token on screen
    cpu_floor: list[float] = []
    echo: list[float] = []
    base = f"{server.url}/v1"
    for _ in range(runs):
        start(f"{BIN}/llxprt --provider openai --baseurl {base} --key sk-bench", env)
        wait_for(lambda s: "Message, or /help" in s)
        tmux("send-keys", "-t", SESSION, "-l", "go")
        cpu = pane_cpu_seconds()
        began = time.perf_counter()
        tmux("send-keys", "-t", SESSION, "Enter")
        if tokens >= 20000:
            echo += key_echo()
        ours.append(wait_for(reply_ended, limit=300) - began)
        cpu_ours.append((pane_cpu_seconds() - cpu) * 1000)
        start(f"{sys.executable} {ROOT}/bench/floor_apps.py log {base}", env)
        wait_for(lambda s: "FLOOR-READY" in s)
        cpu = pane_cpu_seconds()
        began = time.perf_counter()
        tmux("send-keys", "-t", SESSION, "Enter")
        floor.append(wait_for(lambda s: "FLOOR-DONE" in s, 300) - began)
        cpu_floor.append((pane_cpu_seconds() - cpu) * 1000)
    tmux("kill-session", "-t", SESSION)
    shape = f", {paragraph}-word paragraphs" if paragraph else ", one paragraph"
    figures = [
        Figure(
            f"{tokens:,} tokens in the TUI{shape if tokens >= 20000 else ''}",
            "s",
            ours,
            "≤ 2x" if tokens < 20000 else "(see growth)",
            (lambda r: r <= 2) if tokens < 20000 else None,
            floor,
            "SDK→Log",
        )
    ]
    if tokens < 20000:
        figures.append(
            Figure(
                f"  CPU time, {tokens:,} tokens",
                "ms",
                cpu_ours,
                "(context)",
                None,
                cpu_floor,
                "SDK→Log",
            )
        )
    if echo:
        ms = [e * 1000 for e in echo]
        figures.append(
            Figure(f"key echo, 20,000 tokens{shape}", "ms", ms, "< 50 ms", lambda m: m < 50)
        )
    return figures


def key_echo() -> list[float]:
    """Type `z` ECHO_KEYS times, 150 ms apart, while the reply streams (its tokens hold no z):
    each sample is send-keys until one more z is on screen."""
    wait_for(lambda s: "tok1" in s)
    samples: list[float] = []
    for _ in range(ECHO_KEYS):
        seen = screen().count("z")
        typed = time.perf_counter()
        tmux("send-keys", "-t", SESSION, "-l", "z")
        samples.append(wait_for(lambda s, seen=seen: s.count("z") > seen) - typed)  # type: ignore[misc]
        time.sleep(0.15)
    return samples


def sdk_script(server: WireServer, tokens: int, runs: int) -> list[float]:
    """The bare SDK script (no UI) streaming the same reply to a pipe: the floor of floors."""
    server.default_reply = lambda _r: Reply.tokens(tokens)
    cmd = [sys.executable, str(ROOT / "bench" / "bare_sdk.py"), "openai", f"{server.url}/v1", "go"]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - began)
    return times


_HEADLESS = """
import asyncio, sys, time
sys.path.insert(0, {root!r})
from tests.tui.conftest import make_app, send_and_wait
from llxprt_runtime.overrides import CliOverrides
from tests.wire.server import WireServer

def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024

async def memory(server):
    app = make_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send_and_wait(pilot, 'a short question')
        one = rss()
        for _ in range(19):
            await app.new_tab()
            await pilot.pause()
            await send_and_wait(pilot, 'a short question')
        print('memory', one, rss())

async def idle(tabs):
    # Plain sleeps: Pilot.pause() posts to every widget on each call, which would be measured.
    while any(t.streaming for t in tabs):
        await asyncio.sleep(0.01)

async def together(url, runs, tokens):
    # The server runs in the bench process: in this one it would contend for the GIL.
    app = make_app(None)
    app.overrides = CliOverrides(provider='openai', base_url=url + '/v1', key='sk-bench')
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_ready()
        tabs = [app.chat_tabs()[0]]
        for _ in range(9):
            tabs.append(await app.new_tab())
        for tab in tabs:
            await tab.ready()
            await tab.send('warm up')  # SDK import and client set-up are not measured
        await idle(tabs)
        # One tab alone is the shown one (the last opened), as a user with one tab sees it;
        # the first (hidden) tab alone is what a background tab costs.
        groups = (('shown', tabs[-1:]), ('hidden', tabs[:1]), ('ten', tabs))
        for _ in range(runs):
            for name, group in groups:
                for tab in group:
                    await tab.clear_conversation()
                began, cpu = time.perf_counter(), time.process_time()
                for tab in group:
                    await tab.send('go')
                await idle(group)
                elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
                print('tabs', name, len(group) * tokens / elapsed, cpu, flush=True)

async def main():
    if sys.argv[1] == 'memory':
        await memory(WireServer().start())
    else:
        await together(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))

asyncio.run(main())
"""


def headless(env: dict[str, str], *args: str) -> list[list[str]]:
    code = _HEADLESS.format(root=str(ROOT))
    # A store of its own: the app restores the tabs an earlier app left open (the memory
    # figure's 20 tabs were restored into the next run and into the ten-tab figure).
    env = {**env, **environment()}
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return [line.split() for line in out.stdout.splitlines() if line.strip()]


def tabs_memory(env: dict[str, str], runs: int) -> list[Figure]:
    """Headless (Pilot): RSS with 1 tab and with 20, each after a short conversation."""
    per_tab: list[float] = []
    for _ in range(runs):
        ((_, one, twenty),) = headless(env, "memory")
        per_tab.append((float(twenty) - float(one)) / 19)
    return [Figure("RSS per extra tab (1 vs 20 tabs)", "MiB", per_tab, "< 3 MiB", lambda m: m < 3)]


def tabs_streaming(env: dict[str, str], runs: int, tokens: int = 2000) -> list[Figure]:
    """Headless (Pilot): tokens/s of one tab streaming alone (the shown one, then a hidden
    one), then of ten streaming at once (one shown); next to the bare SDK reading one stream
    and ten at once in one process (bench/bare_streams.py): what the SDK and the server cost
    per chunk without us. CPU per token is the process's CPU time over the tokens streamed."""
    with WireServer(default_reply=lambda _r: Reply.tokens(tokens)) as server:
        rows = headless(env, "together", server.url, str(runs), str(tokens))
        script = [sys.executable, str(ROOT / "bench" / "bare_streams.py"), f"{server.url}/v1"]
        out = subprocess.run(
            [*script, str(runs), "1", "10"], capture_output=True, text=True, env=env, check=True
        )
    bare = [line.split() for line in out.stdout.splitlines() if line.startswith("streams")]

    def column(rows: list[list[str]], name: str, index: int) -> list[float]:
        return [float(r[index]) for r in rows if r[1] == name]

    ten_cpu = [c / (10 * tokens) * 1e6 for c in column(rows, "ten", 3)]
    bare_cpu = [c / (10 * tokens) * 1e6 for c in column(bare, "10", 3)]
    ten = column(rows, "ten", 2)
    return [
        Figure(
            "10 tabs streaming: aggregate tokens/s",
            "tok/s",
            ten,
            "≥ 0.9x",
            lambda r: r >= 0.9,
            column(rows, "shown", 2),
            "one tab",
        ),
        Figure(
            "  the same vs one hidden tab alone",
            "tok/s",
            ten,
            "(context)",
            None,
            column(rows, "hidden", 2),
            "hidden tab",
        ),
        Figure(
            "  bare SDK: 10 streams at once, aggregate",
            "tok/s",
            column(bare, "10", 2),
            "(context)",
            None,
            column(bare, "1", 2),
            "1 stream",
        ),
        Figure(
            "  CPU per token, 10 tabs at once",
            "µs",
            ten_cpu,
            "(context)",
            None,
            bare_cpu,
            "bare SDK",
        ),
    ]


def cache_bytecode() -> None:
    """Compile llxprt's modules (and the benches' own) to cached bytecode, as a user's first
    start does. Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), nothing is ever
    cached, and every start measured would compile some 40 of our modules again: about 37 ms
    of CPU that no second start of a real install pays. Modules already compiled are skipped."""
    for package in ("llxprt_runtime", "llxprt_tui", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)


def environment(*, restore_tabs: bool = False) -> dict[str, str]:
    """A fresh home, config and data dir for one bench. Every launch in a bench shares them,
    so without `restore_tabs` llxprt starts with one new tab (as `--new` does): otherwise
    each launch would bring back the tabs of every earlier one, replies and all."""
    cache_bytecode()
    home = tempfile.mkdtemp(prefix="llxprt-bench-")
    if not restore_tabs:
        Path(home, "c").mkdir()
        Path(home, "c", "tui.toml").write_text("restore-tabs = false\n")
    return {
        "HOME": home,
        "LLXPRT_CONFIG_HOME": f"{home}/c",
        "LLXPRT_DATA_HOME": f"{home}/d",
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
    }


def measure(runs: int, only: str | None = None) -> list[Figure]:
    env = environment()
    figures: list[Figure] = []
    # A session that outlives every measured one, so the tmux server never exits (and races)
    # between runs.
    tmux("new-session", "-d", "-s", "bench-keepalive", "sleep 3600")
    try:
        if only in (None, "first-frame"):
            figures += first_frame(env, runs)
        with WireServer() as server:
            if only in (None, "stream"):
                small = stream(env, server, 2000, runs)
                large = stream(env, server, 20000, runs)
                bare = sdk_script(server, 20000, runs)
                growth = [b / small[0].median for b in large[0].samples]
                figures += small + large[:1]
                figures.append(
                    Figure(
                        "20,000 tokens: TUI vs the bare SDK script",
                        "s",
                        large[0].samples,
                        "(context)",
                        None,
                        bare,
                        "SDK→pipe",
                    )
                )
                figures.append(
                    Figure(
                        "20,000 vs 2,000 tokens (growth)", "x", growth, "≤ 12x", lambda g: g <= 12
                    )
                )
                figures += large[1:]
            if only in (None, "echo"):
                # The same length as a real long reply is written: in paragraphs.
                figures += stream(env, server, 20000, runs, paragraph=60)
        full_env = {**os.environ, **env}
        if only in (None, "memory"):
            figures += tabs_memory(full_env, runs)
        if only in (None, "tabs"):
            figures += tabs_streaming(full_env, runs)
    finally:
        tmux("kill-session", "-t", SESSION)
        tmux("kill-session", "-t", "bench-keepalive")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only",
        choices=("first-frame", "stream", "echo", "memory", "tabs"),
        help="measure just one group of figures",
    )
    args = parser.parse_args()
    print_table(measure(args.runs, args.only))


if __name__ == "__main__":
    main()
