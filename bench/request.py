"""Benchmark llxprt's own time per request (issue 18.8): Enter to the request on the wire.

Headless (Pilot) in a child process, the loopback wire server in this one (both read the same
monotonic clock): after warm-up exchanges, each sample is the time from the Enter key (sent
through the terminal driver, as a terminal sends it) to the server having read the request.
The floor, measured in the same run: the bare openai SDK making the same streamed call, its
client warm, from the call to the server having read it. Our own time is the difference of
the medians (target ≤ 5 ms). Beside it, the CPU time of the sending thread from the key (the
call) to the request's write to its socket: on a busy machine the wall clock is mostly
waiting for a CPU, which this leaves out.

Run: .venv/bin/python -m bench.request [--runs 5]; bench.all --only request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation import idle, run_child, until  # noqa: E402
from bench.figures import Figure, print_table  # noqa: E402
from tests.wire.server import Reply, WireServer  # noqa: E402

WARM = 3  # exchanges before the measured ones (imports, clients, the stored session)
SENDS = 10  # measured per run
SIZE = (120, 40)


# --- in the child process ---------------------------------------------------------------------


class Sent:
    """This thread's CPU time from `arm()` to the next write to a socket (the request
    leaving): preemption on a busy machine is not in it, unlike the wall clock."""

    def __init__(self) -> None:
        import asyncio.selector_events as events

        self.armed_at: float | None = None
        self.cpu_ms: list[float] = []
        transport: Any = events.__dict__["_SelectorSocketTransport"]
        write = transport.write

        def first_write(transport_self: Any, data: Any) -> None:
            if self.armed_at is not None:
                self.cpu_ms.append((time.thread_time() - self.armed_at) * 1000)
                self.armed_at = None
            write(transport_self, data)

        transport.write = first_write

    def arm(self) -> None:
        self.armed_at = time.thread_time()


async def llxprt_sends(base_url: str) -> list[list[float]]:
    """When each measured Enter was pressed (the server says when its request arrived),
    and the CPU time to the request's write."""
    from llxprt_runtime.bootstrap import CliOverrides
    from llxprt_tui.app import LlxprtApp
    from tests.tui.keyboard import XTERM, parse

    app: Any = LlxprtApp(CliOverrides(provider="openai", base_url=base_url, key="sk-bench"))
    app.animation_level = "none"
    pressed = []
    sent = Sent()
    async with app.run_test(size=SIZE):
        await app.wait_ready()
        tab = app.active_tab_or_fail()
        for n in range(WARM + SENDS):
            tab.prompt.focus()
            tab.prompt.load_text(f"question {n}")
            await until(lambda: idle(app.screen))  # the typed text drawn: only enter counts
            handled = tab.prompts_handled
            began = time.monotonic()
            sent.arm()
            for event in parse(XTERM["enter"]):
                event.set_sender(app)
                app._driver.send_message(event)
            if n >= WARM:
                pressed.append(began)

            def answered(h: int = handled) -> bool:
                return bool(tab.prompts_handled > h and not tab.streaming)

            await until(answered)
    return [[b, cpu] for b, cpu in zip(pressed, sent.cpu_ms[WARM:], strict=True)]


async def floor_sends(base_url: str) -> list[list[float]]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="sk-bench", base_url=base_url, max_retries=0)
    messages: list[Any] = [{"role": "system", "content": "You are helpful."}]
    called = []
    sent = Sent()
    for n in range(WARM + SENDS):
        messages.append({"role": "user", "content": f"question {n}"})
        began = time.monotonic()
        sent.arm()
        stream = await client.chat.completions.create(
            model="gpt-5",
            messages=messages,
            stream=True,
        )
        if n >= WARM:
            called.append(began)
        text = ""
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
        messages.append({"role": "assistant", "content": text})
    return [[b, cpu] for b, cpu in zip(called, sent.cpu_ms[WARM:], strict=True)]


def child(what: str, base_url: str) -> None:
    sends = llxprt_sends if what == "llxprt" else floor_sends
    print(json.dumps(asyncio.run(sends(base_url))))


# --- in the bench process ---------------------------------------------------------------------


def delays(env: dict[str, str], server: WireServer, what: str) -> tuple[list[float], list[float]]:
    """Milliseconds from each measured send to its request read by the server, and the CPU
    time the sending process spent until it wrote it."""
    before = len(server.chat_requests())
    sends: Any = run_child(env, what, f"{server.url}/v1", module="bench.request")
    arrived = [r.received_at for r in server.chat_requests()[before:]][WARM:]
    wall = [(a - b) * 1000 for a, (b, _cpu) in zip(arrived, sends, strict=True)]
    return wall, [cpu for _b, cpu in sends]


def measure(runs: int) -> list[Figure]:
    from bench.tui import environment

    env = {**os.environ, **environment()}
    ours: list[float] = []
    floor: list[float] = []
    own: list[float] = []
    cpu: list[float] = []
    cpu_floor: list[float] = []
    with WireServer() as server:
        server.default_reply = lambda _r: Reply.tokens(20)
        for _ in range(runs):
            wall, cpu_run = delays(env, server, "llxprt")
            wall_floor, cpu_run_floor = delays(env, server, "floor")
            ours.append(statistics.median(wall))
            floor.append(statistics.median(wall_floor))
            own.append(ours[-1] - floor[-1])
            cpu.append(statistics.median(cpu_run))
            cpu_floor.append(statistics.median(cpu_run_floor))
    return [
        Figure(
            "enter to the request on the wire",
            "ms",
            ours,
            "(context)",
            None,
            floor,
            "bare SDK call",
        ),
        Figure(
            "  our own time per request (minus the SDK)",
            "ms",
            own,
            "≤ 5 ms",
            lambda m: m <= 5,
        ),
        Figure(
            "  CPU time, enter to the request's write",
            "ms",
            cpu,
            "(context)",
            None,
            cpu_floor,
            "bare SDK call",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print_table(measure(args.runs))


if __name__ == "__main__":
    main()
