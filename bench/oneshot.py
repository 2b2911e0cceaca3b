"""Benchmark `llxprt -p` against its floor, in the same run.

For each provider: a 2,000-token reply streamed at full speed from the loopback wire
server, written to a pipe. `llxprt -p` and a bare-SDK script making the same streamed call
(bench/bare_sdk.py) run alternately, 5 times each; we report wall time and peak RSS
(median, min, max) and the ratio to the floor. Also `llxprt --version` and `--help`.

Run: .venv/bin/python -m bench.oneshot [--runs N] [--tokens N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.wire.server import Reply, WireServer  # noqa: E402

BIN = Path(sys.executable).parent
PROVIDERS = ("openai", "openai-responses", "anthropic", "gemini")


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, bytes]:
    """Wall seconds, peak RSS in MiB, stdout of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {err.decode()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024, out


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):6.3f} (min {min(values):.3f}, max {max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env.update(
            HOME=home,
            LLXPRT_CONFIG_HOME=f"{home}/c",
            LLXPRT_DATA_HOME=f"{home}/d",
            BENCH_KEY="sk-bench",
        )
        with WireServer(default_reply=lambda _r: Reply.tokens(args.tokens)) as server:
            print(
                f"llxprt -p, {args.tokens}-token streamed reply to a pipe; "
                f"median of {args.runs} (seconds; RSS MiB)"
            )
            print(
                f"{'provider':18} {'llxprt -p':>34} {'bare SDK floor':>34} {'ratio':>6}"
                f" {'RSS llxprt/floor':>17}"
            )
            openai_floor = None
            for provider in PROVIDERS:
                base = f"{server.url}/v1" if provider.startswith("openai") else server.url
                ours = [
                    str(BIN / "llxprt"),
                    "-p",
                    "bench",
                    "--provider",
                    provider,
                    "--baseurl",
                    base,
                    "--key",
                    "sk-bench",
                ]
                floor_cmd = [
                    sys.executable,
                    str(ROOT / "bench" / "bare_sdk.py"),
                    provider,
                    base,
                    "bench",
                ]
                times: dict[str, list[float]] = {"ours": [], "floor": []}
                rss: dict[str, list[float]] = {"ours": [], "floor": []}
                for _ in range(args.runs):
                    for name, cmd in (("ours", ours), ("floor", floor_cmd)):
                        elapsed, peak, out = run(cmd, env)
                        assert out.count(b"tok") == args.tokens, (name, out[:100])
                        times[name].append(elapsed)
                        rss[name].append(peak)
                ratio = statistics.median(times["ours"]) / statistics.median(times["floor"])
                if provider == "openai":
                    openai_floor = statistics.median(times["floor"])
                print(
                    f"{provider:18} {summary(times['ours']):>34} {summary(times['floor']):>34}"
                    f" {ratio:5.2f}x {statistics.median(rss['ours']):7.1f}/"
                    f"{statistics.median(rss['floor']):.1f}"
                )
                if openai_floor and provider != "openai":
                    print(
                        f"{'':18} vs the bare openai floor: "
                        f"{statistics.median(times['ours']) / openai_floor:.2f}x"
                    )
        for flag in ("--version", "--help"):
            samples = [run([str(BIN / "llxprt"), flag], env)[0] for _ in range(args.runs)]
            bare = [run([sys.executable, "-c", "pass"], env)[0] for _ in range(args.runs)]
            print(
                f"llxprt {flag:10} {summary(samples)} s  (bare python -c pass: {summary(bare)} s)"
            )


if __name__ == "__main__":
    main()
