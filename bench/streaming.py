"""Streaming figures of issue 18, in a real terminal (tmux 120x40, polling capture-pane):

- key echo (send-keys until the character is on screen) while a reply streams, at full speed
  and at 100 tok/s, for replies in paragraphs, one long paragraph, a list, and code: p50, p95
  and max of each run; the floor is the same echo with nothing streaming, same run;
- a 900-line code fence streamed at 15 lines/s: Enter to the reply's footer on screen, next to
  the stream's own duration (the bare SDK script reading it);
- 3,000 code lines unpaced, next to the same lines as paragraphs;
- escape during a long fence: until "cancelled" is on screen;
- key echo during the first send (the provider's SDK is imported then).

Run: .venv/bin/python -m bench.streaming [--runs 5] [--only NAME]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import Figure, print_table  # noqa: E402
from bench.tui import (  # noqa: E402
    BIN,
    SESSION,
    environment,
    pane_cpu_seconds,
    reply_ended,
    screen,
    start,
    tmux,
    wait_for,
)
from tests.wire.server import Reply, WireServer  # noqa: E402

ECHO_GAP = 0.1  # seconds between typed keys


def shape_text(shape: str, tokens: int) -> tuple[str, ...]:
    """`tokens` chunks of one shape; none holds a "z" (the typed key)."""
    if shape == "paragraphs":
        return Reply.tokens(tokens, paragraph=60).text
    if shape == "one paragraph":
        return Reply.tokens(tokens).text
    if shape == "list":
        return tuple(
            ("- " if i % 8 == 0 else "") + f"tok{i}" + ("\n" if i % 8 == 7 else " ")
            for i in range(tokens)
        )
    return code_lines(tokens // 8, per_line=8)


def code_lines(lines: int, per_line: int = 8, fence: bool = True) -> tuple[str, ...]:
    """A Python fence of `lines` lines, `per_line` chunks each (about 120 tok/s at 15 lines/s)."""
    chunks: list[str] = ["Here is the code:\n\n```python\n"] if fence else ["Here is the code:\n\n"]
    for n in range(lines):
        words = [f"value_{n} = compute(", f"value_{n - 1},", f" {n})", "  # step"]
        words += [f" {n}" for _ in range(per_line - len(words))]
        chunks += [*words[:-1], words[-1] + "\n"]
    chunks.append("```\n\nDone.\n" if fence else "\nDone.\n")
    return tuple(chunks)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def echo_until(done: Callable[[str], bool], limit: float = 300) -> list[float]:
    """Type "z", then backspace, alternately, ECHO_GAP apart, until `done(screen)`: each
    sample is send-keys until the count of z on screen changed."""
    samples: list[float] = []
    began = time.perf_counter()
    typed_z = False
    while time.perf_counter() - began < limit:
        shown = screen()
        if done(shown):
            break
        seen = shown.count("z")
        key = ("BSpace",) if typed_z else ("-l", "z")
        typed = time.perf_counter()
        tmux("send-keys", "-t", SESSION, *key)
        wait_for(lambda s, seen=seen: s.count("z") != seen, 30)  # type: ignore[misc]
        samples.append((time.perf_counter() - typed) * 1000)
        typed_z = not typed_z
        time.sleep(ECHO_GAP)
    return samples


def launch(server: WireServer, env: dict[str, str]) -> None:
    start(f"{BIN}/llxprt --provider openai --baseurl {server.url}/v1 --key sk-bench", env)
    wait_for(lambda s: "Message, or /help" in s)


def warm_send(server: WireServer) -> None:
    """A first short reply: the SDK is imported and the client made before we measure."""
    server.enqueue(Reply(text=("warm",)))
    tmux("send-keys", "-t", SESSION, "-l", "hi")
    tmux("send-keys", "-t", SESSION, "Enter")
    wait_for(reply_ended)
    tmux("send-keys", "-t", SESSION, "-l", "/clear")
    tmux("send-keys", "-t", SESSION, "Enter")
    wait_for(lambda s: not reply_ended(s))


def idle_echo(server: WireServer, env: dict[str, str], keys: int = 20) -> list[float]:
    launch(server, env)
    warm_send(server)
    count = [0]

    def enough(_s: str) -> bool:
        count[0] += 1
        return count[0] > keys

    return echo_until(enough)


def echo_figures(env: dict[str, str], runs: int, shapes: list[str]) -> list[Figure]:
    figures: list[Figure] = []
    with WireServer() as server:
        floor = [statistics.median(idle_echo(server, env)) for _ in range(runs)]
        for speed, tokens, delay in (("full speed", 20000, 0.0), ("100 tok/s", 1500, 0.01)):
            for shape in shapes:
                stats: dict[str, list[float]] = {"p50": [], "p95": [], "max": []}
                for _ in range(runs):
                    launch(server, env)
                    warm_send(server)
                    server.enqueue(Reply(text=shape_text(shape, tokens), event_delay=delay))
                    tmux("send-keys", "-t", SESSION, "-l", "go")
                    tmux("send-keys", "-t", SESSION, "Enter")
                    # The reply has begun (its first words, or already its end: a fast
                    # machine can finish it before the first look).
                    wait_for(lambda s: "tok0" in s or "value_" in s or reply_ended(s))
                    samples = echo_until(reply_ended)
                    stats["p50"].append(statistics.median(samples))
                    stats["p95"].append(percentile(samples, 0.95))
                    stats["max"].append(max(samples))
                for name, values in stats.items():
                    target, check = {
                        "p50": ("(context)", None),
                        "p95": ("≤ 33 ms", lambda m: m <= 33),
                        "max": ("≤ 50 ms", lambda m: m <= 50),
                    }[name]
                    figures.append(
                        Figure(
                            f"key echo {name}, {shape}, {speed}",
                            "ms",
                            values,
                            target,
                            check,
                            floor,
                            "idle echo p50",
                            check_ratio=False,
                        )
                    )
    tmux("kill-session", "-t", SESSION)
    return figures


def bare_sdk_seconds(server: WireServer, reply: Reply) -> float:
    server.enqueue(reply)
    cmd = [sys.executable, str(ROOT / "bench" / "bare_sdk.py"), "openai", f"{server.url}/v1", "go"]
    began = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - began


def reply_seconds(server: WireServer, env: dict[str, str], reply: Reply) -> float:
    """Enter to the footer of `reply` on screen (after a warm-up send)."""
    launch(server, env)
    warm_send(server)
    server.enqueue(reply)
    tmux("send-keys", "-t", SESSION, "-l", "go")
    began = time.perf_counter()
    tmux("send-keys", "-t", SESSION, "Enter")
    return wait_for(reply_ended, limit=600) - began


def fence_figures(env: dict[str, str], runs: int) -> list[Figure]:
    paced = Reply(text=code_lines(900), event_delay=1 / (15 * 8))
    code = Reply(text=code_lines(3000))
    prose = Reply(text=code_lines(3000, fence=False))
    shown, stream, fenced, plain = [], [], [], []
    with WireServer() as server:
        for _ in range(runs):
            shown.append(reply_seconds(server, env, paced))
            stream.append(bare_sdk_seconds(server, paced))
            fenced.append(reply_seconds(server, env, code))
            plain.append(reply_seconds(server, env, prose))
    tmux("kill-session", "-t", SESSION)
    return [
        Figure(
            "900-line fence at 15 lines/s, displayed",
            "s",
            shown,
            "≤ 1.1x",
            lambda r: r <= 1.1,
            stream,
            "the stream (bare SDK)",
        ),
        Figure(
            "3,000 code lines unpaced",
            "s",
            fenced,
            "≤ 2x",
            lambda r: r <= 2,
            plain,
            "same text, no fence",
        ),
    ]


def escape_floor(env: dict[str, str], presses: int = 5) -> float:
    """The median of `presses` escapes until seen in a bare app with llxprt's key thread."""
    start(f"{sys.executable} {ROOT}/bench/floor_apps.py escape", env)
    wait_for(lambda s: "FLOOR-READY" in s)
    seen: list[float] = []
    for n in range(1, presses + 1):
        pressed = time.perf_counter()
        tmux("send-keys", "-t", SESSION, "Escape")
        seen.append((wait_for(showing(f"FLOOR-ESCAPED {n}")) - pressed) * 1000)
    return statistics.median(seen)


def showing(text: str) -> Callable[[str], bool]:
    return lambda shown: text in shown


def cancel_figures(env: dict[str, str], runs: int) -> list[Figure]:
    """Escape while a 3,000-line fence streams unpaced, once line 1,000 is on screen; beside
    it, the app's CPU time (every thread) from the key until "cancelled" was seen."""
    latency: list[float] = []
    cpu: list[float] = []
    floor: list[float] = []
    with WireServer() as server:
        for _ in range(runs):
            floor.append(escape_floor(env))
            launch(server, env)
            warm_send(server)
            server.enqueue(Reply(text=code_lines(3000), event_delay=0.0005))
            tmux("send-keys", "-t", SESSION, "-l", "go")
            tmux("send-keys", "-t", SESSION, "Enter")
            wait_for(lambda s: "value_1000 " in s, 300)
            cpu_before = pane_cpu_seconds()
            pressed = time.perf_counter()
            tmux("send-keys", "-t", SESSION, "Escape")
            latency.append((wait_for(lambda s: "cancelled" in s, 60) - pressed) * 1000)
            cpu.append((pane_cpu_seconds() - cpu_before) * 1000)
    tmux("kill-session", "-t", SESSION)
    return [
        Figure(
            "escape during a long fence",
            "ms",
            latency,
            "≤ 100 ms",
            lambda m: m <= 100,
            floor,
            "escape, bare app",
            check_ratio=False,
        ),
        Figure("  the app's CPU meanwhile", "ms", cpu, "(context)", None),
    ]


def first_send_figures(env: dict[str, str], runs: int) -> list[Figure]:
    """Key echo while the first message is sent (the SDK import happens then, unless it was
    done before); the floor: echo p50 with nothing happening, same run."""
    worst: list[float] = []
    floor: list[float] = []
    with WireServer() as server:
        for _ in range(runs):
            floor.append(statistics.median(idle_echo(server, env, keys=10)))
            launch(server, env)
            server.enqueue(Reply(text=shape_text("paragraphs", 200), event_delay=0.01))
            tmux("send-keys", "-t", SESSION, "-l", "go")
            tmux("send-keys", "-t", SESSION, "Enter")
            # Once the prompt is taken (a key typed before that is cleared with it).
            wait_for(lambda s: "█ go" in s)
            worst.append(max(echo_until(reply_ended, limit=30), default=0.0))
    tmux("kill-session", "-t", SESSION)
    return [
        Figure(
            "key echo max during the first send",
            "ms",
            worst,
            "≤ 50 ms",
            lambda m: m <= 50,
            floor,
            "idle echo p50",
            check_ratio=False,
        )
    ]


GROUPS = ("echo", "echo-slow-shapes", "fence", "cancel", "first-send")


def measure(runs: int, only: str | None = None) -> list[Figure]:
    env = environment()
    figures: list[Figure] = []
    tmux("new-session", "-d", "-s", "bench-keepalive", "sleep 3600")
    try:
        if only in (None, "first-send"):
            figures += first_send_figures(env, runs)
        if only in (None, "echo"):
            figures += echo_figures(env, runs, ["paragraphs", "one paragraph"])
        if only in (None, "echo-slow-shapes"):
            figures += echo_figures(env, runs, ["list", "code"])
        if only in (None, "fence"):
            figures += fence_figures(env, runs)
        if only in (None, "cancel"):
            figures += cancel_figures(env, runs)
    finally:
        tmux("kill-session", "-t", SESSION)
        tmux("kill-session", "-t", "bench-keepalive")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=GROUPS, help="measure just one group of figures")
    args = parser.parse_args()
    print_table(measure(args.runs, args.only))


if __name__ == "__main__":
    main()
