"""Where key echo goes while a reply streams, in-process (headless Pilot, issue 18.1).

The app runs headless in a child process (the wire server stays in this one: in the app's
process it would contend for the GIL). While a reply streams, a thread types "z" and
backspace alternately, 100 ms apart, the way the terminal driver's thread does (a Key posted
to the app's queue); the echo is the time until the next frame rendered with the prompt
changed. Beside it: the event loop's stalls (a task that ticks every 5 ms: the longest gaps),
garbage collections (`gc.callbacks`: count and pause per generation), the CPU time of the
reply's flushes and of the screen's frames and layouts (and which widgets asked for the layouts),
and peak RSS. Each frame is also turned into the terminal's text, as in a terminal (headless,
Textual skips that). `--detail` prints every stall over 33 ms with what overlapped it, and the
stacks a watchdog thread sampled while the loop was stuck (the functions on top, counted); and
every echo over 15 ms with the flushes, frames, layouts and collections it waited behind.
`--first-send`: the app's first send instead (no warm-up), as bench.streaming's first-send.

Wall-clock figures depend on the machine's load less than tmux's (no terminal, no polling),
counts and CPU time less still.

Run: .venv/bin/python -m bench.stalls [--runs 1] [--shape paragraphs ...] [--speed full]
     [--detail] [--gc default|...] [--profile] [--first-send]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.streaming import percentile, shape_text  # noqa: E402
from bench.tui import environment  # noqa: E402
from tests.wire.server import Reply, WireServer  # noqa: E402

SHAPES = ("paragraphs", "one paragraph", "list", "code")
SPEEDS = {"full": (20000, 0.0), "100": (1500, 0.01), "first": (200, 0.01)}
STALL_MS = 33.0
SLOW_ECHO_MS = 15.0  # --detail lists each echo slower than this with what it waited behind


def child(url: str, detail: bool, profile: bool = False) -> None:
    import asyncio
    import cProfile
    import gc
    import pstats
    import resource
    import threading
    import time
    import traceback
    from collections import Counter

    from textual import events
    from textual._compositor import CompositorUpdate
    from textual.screen import Screen

    from llxprt_runtime.bootstrap import CliOverrides
    from llxprt_tui.app import LlxprtApp
    from llxprt_tui.chat.tab import ChatTab

    clock = time.perf_counter
    gc_mode = os.environ.get("LLXPRT_BENCH_GC", "default")
    # The first send of the app's life (the SDK and the reply's modules not imported before,
    # the runtime perhaps not yet built): sent right after the first frame, as bench.streaming's
    # first-send figure does.
    first_send = os.environ.get("LLXPRT_BENCH_FIRST") == "1"
    if gc_mode.startswith("threshold:"):
        gc.set_threshold(*(int(n) for n in gc_mode.split(":")[1].split(",")))
    gcs: list[tuple[int, float, float]] = []  # generation, start, seconds
    gc_start = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = clock()
        else:
            gcs.append((info["generation"], gc_start[0], clock() - gc_start[0]))

    spans: dict[str, list[tuple[float, float, float]]] = {"flush": [], "frame": [], "layout": []}

    def timed(kind: str, fn):  # type: ignore[no-untyped-def]
        if asyncio.iscoroutinefunction(fn):

            async def wrapped_async(*a, **k):  # type: ignore[no-untyped-def]
                began, cpu = clock(), time.thread_time()
                try:
                    return await fn(*a, **k)
                finally:
                    spans[kind].append((began, clock() - began, time.thread_time() - cpu))

            return wrapped_async

        def wrapped(*a, **k):  # type: ignore[no-untyped-def]
            began, cpu = clock(), time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                spans[kind].append((began, clock() - began, time.thread_time() - cpu))

        return wrapped

    from llxprt_tui.chat import messages

    messages.AssistantMessage._show_text = timed(  # type: ignore[method-assign]
        "flush", messages.AssistantMessage._show_text
    )
    Screen._compositor_refresh = timed("frame", Screen._compositor_refresh)  # type: ignore[method-assign]
    Screen._refresh_layout = timed("layout", Screen._refresh_layout)  # type: ignore[method-assign]
    on_layout = Screen._on_layout

    async def counted_layout(screen, message):  # type: ignore[no-untyped-def]
        if streaming.is_set():
            layout_causes[type(message.widget).__name__] += 1
        await on_layout(screen, message)

    Screen._on_layout = counted_layout  # type: ignore[method-assign]

    overrides = CliOverrides(provider="openai", base_url=url + "/v1", key="sk-bench")
    app = LlxprtApp(overrides, restore=False)
    echoes: list[float] = []
    echo_spans: list[tuple[float, float]] = []  # typed at, seconds until the frame showed it
    layout_causes: Counter[str] = Counter()  # widgets whose change asked the screen for a layout
    pending: dict[str, object] = {}
    echoed = threading.Event()
    display = app._display

    def watch_display(screen, renderable):  # type: ignore[no-untyped-def]
        display(screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            # Headless, Textual skips this; in a terminal every frame is turned into the
            # terminal's text on the event loop, at a cost that grows with the area repainted.
            renderable.render_segments(app.console)
        want = pending.get("text")
        if want is not None and renderable is not None and tab_box[0].prompt.text == want:
            at = float(pending["at"])  # type: ignore[arg-type]
            echoes.append((clock() - at) * 1000)
            echo_spans.append((at, clock() - at))
            pending.clear()
            echoed.set()

    app._display = watch_display  # type: ignore[method-assign]
    tab_box: list = []  # type: ignore[type-arg]
    streaming = threading.Event()
    loop_beat = [clock()]
    gaps: list[tuple[float, float]] = []  # start, ms
    samples: dict[int, Counter[str]] = {}  # stall start -> sampled top frames

    def typist() -> None:
        z = False
        while streaming.is_set():
            z = not z
            echoed.clear()
            pending["at"] = clock()
            pending["text"] = "z" if z else ""
            key = events.Key("z", "z") if z else events.Key("backspace", None)
            app.post_message(key)
            echoed.wait(5)
            time.sleep(0.1)

    main_id = threading.get_ident()

    def watchdog() -> None:
        # Samples the main thread's stack while the loop has not ticked for 30 ms.
        while streaming.is_set():
            time.sleep(0.002)
            since = clock() - loop_beat[0]
            if since > 0.030:
                frame = sys._current_frames().get(main_id)
                if frame is None:
                    continue
                stack = traceback.extract_stack(frame)[-14:]
                key = " < ".join(
                    f"{Path(f.filename).stem}.{f.name}:{f.lineno}" for f in reversed(stack)
                )
                samples.setdefault(int(loop_beat[0] * 1000), Counter())[key] += 1

    async def ticker() -> None:
        while True:
            before = clock()
            loop_beat[0] = before
            await asyncio.sleep(0.005)
            gap = (clock() - before - 0.005) * 1000
            if streaming.is_set():
                gaps.append((before, gap))

    async def ended(tab: ChatTab) -> None:
        task = tab.stream_task
        if task is not None:
            await asyncio.wait({task})

    async def run() -> dict[str, object]:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_ready()
            tab = app.chat_tabs()[0]
            tab_box.append(tab)
            if not first_send:
                await tab.ready()
                await tab.send("warm up")  # the SDK import and the client are not measured
                await ended(tab)
                await tab.clear_conversation()
            tab.prompt.focus()
            await pilot.pause()
            tick = asyncio.create_task(ticker())
            gc.callbacks.append(on_gc)
            objects_before = len(gc.get_objects())
            before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            profiler = cProfile.Profile() if profile else None
            if profiler is not None:
                profiler.enable()
            cpu0, began = time.process_time(), clock()
            await tab.send("go")
            streaming.set()
            threads = [threading.Thread(target=typist)]
            if detail:  # it takes the GIL every 2 ms: only when its samples are wanted
                threads.append(threading.Thread(target=watchdog))
            for t in threads:
                t.start()
            await ended(tab)
            streaming.clear()
            for t in threads:
                # Off the event loop: the typist may still wait for its last key's echo, which
                # only the loop can draw (joined on the loop, that key showed ~5 s late).
                await asyncio.to_thread(t.join)
            await pilot.pause()  # the typist's last key is handled before the app ends
            wall, cpu = clock() - began, time.process_time() - cpu0
            objects_after = len(gc.get_objects())
            if profiler is not None:
                profiler.disable()
                if dump := os.environ.get("LLXPRT_BENCH_PROFILE_FILE"):
                    profiler.dump_stats(dump)  # for pstats' callers and callees
                stats = pstats.Stats(profiler, stream=sys.stdout)
                stats.sort_stats("tottime").print_stats(25)
                stats.sort_stats("cumulative").print_stats(45)
            gc.callbacks.remove(on_gc)
            collect_began = clock()
            gc.collect()  # what the next full collection costs, and what it leaves
            after_collect = [(clock() - collect_began) * 1000, len(gc.get_objects())]
            if detail:
                kinds = Counter(type(o).__name__ for o in gc.get_objects())
                print("gc-tracked by type:", kinds.most_common(20))
            tick.cancel()
            return {
                "wall": wall,
                "cpu": cpu,
                "rss_before": before_rss,
                "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "text": len(tab.session.last_reply_text() or ""),
                "objects": [objects_before, objects_after, *after_collect],
                "widgets": len(list(app.screen.walk_children())),
                # Widgets the last layout placed (far pieces' blocks are not placed).
                "placed": len(app.screen._compositor.full_map),
            }

    result = asyncio.run(run())
    over = [(s, g) for s, g in gaps if g > STALL_MS]
    full = [d for g, _, d in gcs if g == 2]
    result.update(
        echo_p50=statistics.median(echoes) if echoes else float("nan"),
        echo_p95=percentile(echoes, 0.95) if echoes else float("nan"),
        echo_max=max(echoes, default=float("nan")),
        echoes=len(echoes),
        gap_max=max((g for _, g in gaps), default=0.0),
        stalls=len(over),
        stall_ms=sum(g for _, g in over),
        gc_counts=[sum(1 for g, _, _ in gcs if g == n) for n in range(3)],
        gc2_ms=sum(full) * 1000,
        gc2_max=max(full, default=0.0) * 1000,
        gc01_max=max((d for g, _, d in gcs if g < 2), default=0.0) * 1000,
        flushes=len(spans["flush"]),
        flush_cpu=sum(c for _, _, c in spans["flush"]) * 1000,
        flush_max=max((w for _, w, _ in spans["flush"]), default=0.0) * 1000,
        frames=len(spans["frame"]),
        frame_cpu=sum(c for _, _, c in spans["frame"]) * 1000,
        frame_max=max((w for _, w, _ in spans["frame"]), default=0.0) * 1000,
        layouts=len(spans["layout"]),
        layout_cpu=sum(c for _, _, c in spans["layout"]) * 1000,
        layout_causes=layout_causes.most_common(8),
        layout_max=max((w for _, w, _ in spans["layout"]), default=0.0) * 1000,
    )
    print("RESULT " + json.dumps(result))
    if not detail:
        return

    def overlapping(start: float, end: float, least: float, offsets: bool) -> list[str]:
        """The collections, flushes, frames and layouts over `least` seconds that overlapped
        [start, end] (with `offsets`: each one's start, in ms from `start`)."""
        parts = [
            f"gc{g} {d * 1000:.1f}" for g, s, d in gcs if s < end and s + d > start and d > least
        ]
        for kind, rows in spans.items():
            for s, w, c in rows:
                if s < end and s + w > start and w > least:
                    at = f" +{(s - start) * 1000:.0f}" if offsets else ""
                    parts.append(f"{kind}{at} {w * 1000:.1f} (cpu {c * 1000:.1f})")
        return parts

    for start, gap in over:
        end = start + 0.005 + gap / 1000
        head = f"stall {gap:7.1f} ms at +{start - gaps[0][0]:6.2f} s:"
        print(" ".join([head, *overlapping(start, end, 0.005, offsets=False)]))
        stacks = samples.get(int(start * 1000))
        for stack, n in (stacks or Counter()).most_common(3):
            print(f"    {n:3} x {stack}")
    for start, took in echo_spans:
        if took * 1000 <= SLOW_ECHO_MS:
            continue
        head = f"echo {took * 1000:6.1f} ms at +{start - gaps[0][0]:6.2f} s:"
        print(" ".join([head, *overlapping(start, start + took, 0.002, offsets=True)]))


def measure(
    shape: str,
    speed: str,
    gc_mode: str,
    detail: bool,
    profile: bool = False,
    first_send: bool = False,
) -> tuple[dict[str, Any], str]:
    tokens, delay = SPEEDS[speed]
    with WireServer() as server:
        if not first_send:
            server.enqueue(Reply(text=("warm",)))
        server.enqueue(Reply(text=shape_text(shape, tokens), event_delay=delay))
        env = {
            **os.environ,
            **environment(),
            "LLXPRT_BENCH_GC": gc_mode,
            "LLXPRT_BENCH_FIRST": str(int(first_send)),
        }
        code = (
            "import sys; from bench.stalls import child; "
            "child(sys.argv[1], sys.argv[2] == '1', sys.argv[3] == '1')"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, server.url, str(int(detail)), str(int(profile))],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    lines = out.stdout.splitlines()
    result = json.loads(next(line for line in lines if line.startswith("RESULT "))[7:])
    return result, "\n".join(line for line in lines if not line.startswith("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--shape", choices=SHAPES, action="append")
    parser.add_argument("--speed", choices=tuple(SPEEDS), action="append")
    parser.add_argument("--detail", action="store_true")
    parser.add_argument("--gc", default="default")
    parser.add_argument("--profile", action="store_true", help="cProfile the stream")
    parser.add_argument(
        "--first-send",
        action="store_true",
        help="the app's first send (200 tokens at 100 tok/s, as bench.streaming's first-send)",
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'shape':14} {'speed':5} {'echo p50/p95/max ms':>22} {'stalls':>6} {'gap max':>8} "
        f"{'gc0/1/2':>13} {'gc2 ms tot/max':>15} {'flush n/cpu/max':>19} "
        f"{'frames n/cpu/max':>20} {'wall/cpu s':>11} {'rss MiB':>12}"
    )
    speeds = ["first"] if args.first_send else args.speed or ["full", "100"]
    for speed in speeds:
        for shape in args.shape or (["paragraphs"] if args.first_send else SHAPES):
            for _ in range(args.runs):
                r, detail = measure(
                    shape, speed, args.gc, args.detail, args.profile, args.first_send
                )
                counts = "/".join(str(c) for c in r["gc_counts"])
                print(
                    f"{shape:14} {speed:5} "
                    f"{r['echo_p50']:6.1f}/{r['echo_p95']:6.1f}/{r['echo_max']:6.1f} "
                    f"{r['stalls']:6} {r['gap_max']:8.1f} {counts:>13} "
                    f"{r['gc2_ms']:7.0f}/{r['gc2_max']:6.1f} "
                    f"{r['flushes']:5}/{r['flush_cpu']:6.0f}/{r['flush_max']:5.1f} "
                    f"{r['frames']:5}/{r['frame_cpu']:6.0f}/{r['frame_max']:6.1f} "
                    f"{r['wall']:5.1f}/{r['cpu']:5.1f} "
                    f"{r['rss_before']:5.0f}/{r['rss_peak']:5.0f}",
                    flush=True,
                )
                print(
                    f"    gc-tracked objects {r['objects'][0]} -> {r['objects'][1]} "
                    f"(a full collection after: {r['objects'][2]:.0f} ms, leaves "
                    f"{r['objects'][3]}), "
                    f"widgets on screen {r['widgets']} (placed {r['placed']}), "
                    f"layouts {r['layouts']} "
                    f"(cpu {r['layout_cpu']:.0f} ms, max {r['layout_max']:.1f} ms; asked by "
                    f"{', '.join(f'{n} {k}' for k, n in r['layout_causes'])}), "
                    f"gc0/1 max {r['gc01_max']:.1f} ms, "
                    f"echoes {r['echoes']}, text {r['text']} chars"
                )
                if detail:
                    print(detail, flush=True)


if __name__ == "__main__":
    main()
