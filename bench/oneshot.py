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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import Figure, print_table  # noqa: E402
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


def measure(runs: int, tokens: int = 2000) -> list[Figure]:
    """For each provider, `llxprt -p` and the bare SDK script alternately, `runs` times."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env.update(HOME=home, LLXPRT_CONFIG_HOME=f"{home}/c", LLXPRT_DATA_HOME=f"{home}/d")
        with WireServer(default_reply=lambda _r: Reply.tokens(tokens)) as server:
            for provider in PROVIDERS:
                base = f"{server.url}/v1" if provider.startswith("openai") else server.url
                ours = [str(BIN / "llxprt"), "-p", "bench", "--provider", provider]
                ours += ["--baseurl", base, "--key", "sk-bench"]
                floor_cmd = [sys.executable, str(ROOT / "bench" / "bare_sdk.py"), provider]
                floor_cmd += [base, "bench"]
                times: dict[str, list[float]] = {"ours": [], "floor": []}
                rss: dict[str, list[float]] = {"ours": [], "floor": []}
                for _ in range(runs):
                    for name, cmd in (("ours", ours), ("floor", floor_cmd)):
                        elapsed, peak, out = run(cmd, env)
                        assert out.count(b"tok") == tokens, (name, out[:100])
                        times[name].append(elapsed)
                        rss[name].append(peak)
                figures.append(
                    Figure(
                        f"llxprt -p {tokens:,} tokens, {provider}",
                        "s",
                        times["ours"],
                        "≤ 1.25x",
                        lambda r: r <= 1.25,
                        times["floor"],
                        "bare SDK",
                    )
                )
                figures.append(
                    Figure(
                        f"  peak RSS, {provider}",
                        "MiB",
                        rss["ours"],
                        "(context)",
                        None,
                        rss["floor"],
                        "bare SDK",
                    )
                )
        bare = [run([sys.executable, "-c", "pass"], env)[0] for _ in range(runs)]
        for flag in ("--version", "--help"):
            samples = [run([str(BIN / "llxprt"), flag], env)[0] * 1000 for _ in range(runs)]
            figures.append(
                Figure(
                    f"llxprt {flag}",
                    "ms",
                    samples,
                    "< 100 ms",
                    lambda m: m < 100,
                    [b * 1000 for b in bare],
                    "python -c pass",
                )
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=2000)
    args = parser.parse_args()
    print_table(measure(args.runs, args.tokens))


if __name__ == "__main__":
    main()
