"""Benchmark long conversations (issue 18.4): a tab of 500 messages (prose, lists, code).

Headless (Pilot), each figure in a fresh process, next to a floor measured in the same run:
- keyboard scrolling: page-up from the end through the conversation, each key until its frame
  is drawn and the transcript has drawn what the view needs (frames/s); floor: a bare Textual
  app paging through the same 500 messages as plain Statics;
- a tab switch to the 500-message tab, the first one (it draws its rows) and later ones, until
  the frame shows it; floor: a bare TabbedContent switching to a pane of one Static;
- memory: RSS per extra 500-message tab (each shown once and scrolled to its top and back) and
  the widgets it holds; floor: an extra tab with one exchange.

Run: .venv/bin/python -m bench.conversation [--runs 5]; bench.all --only conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import Figure, print_table  # noqa: E402

MESSAGES = 500
PAGES = 30  # page-up presses measured per run
SWITCHES = 5  # later switches measured per run
TABS = 5  # extra 500-message tabs for the memory figure
SIZE = (120, 40)


# --- in the child process ---------------------------------------------------------------------


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Frames:
    """Counts the frames a screen draws (its compositor refreshes) and when the last was."""

    def __init__(self, screen: Any) -> None:
        self.count = 0
        self.last = 0.0
        refresh = screen._compositor_refresh

        def counted() -> None:
            refresh()
            self.count += 1
            self.last = time.perf_counter()

        screen._compositor_refresh = counted


def idle(screen: Any) -> bool:
    return not (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._dirty_widgets
        or screen.app._batch_count
    )


async def until(predicate: Callable[[], bool]) -> None:
    # Plain sleeps: Pilot.pause() posts to every widget on each call, which would be measured.
    while not predicate():  # noqa: ASYNC110 (polling what Textual does not signal)
        await asyncio.sleep(0.002)


async def press(app: Any, key: str, frames: Frames, done: Callable[[], bool]) -> float:
    """Seconds from the key to the last frame it caused, once `done()` and nothing is left to
    draw."""
    from tests.tui.keyboard import XTERM, parse

    before = frames.count
    began = time.perf_counter()
    for event in parse(XTERM.get(key, key)):
        event.set_sender(app)
        app._driver.send_message(event)
    await until(lambda: frames.count > before and done() and idle(app.screen))
    await asyncio.sleep(0.01)  # a frame still to come after a quiet moment is counted too
    await until(lambda: done() and idle(app.screen))
    return frames.last - began


async def llxprt_scroll() -> list[float]:
    from tests.tui.conftest import make_app
    from tests.tui.long_conversation import tree

    app = make_app(None)
    async with app.run_test(size=SIZE):
        await app.wait_ready()
        tab = app.active_tab_or_fail()
        await tab.ready()
        await tab.restore_conversation(tree(MESSAGES))
        transcript = tab.transcript
        await until(lambda: transcript.settled and idle(app.screen))
        frames = Frames(app.screen)
        return [
            await press(app, "pageup", frames, lambda: transcript.settled) for _ in range(PAGES)
        ]


async def floor_scroll() -> list[float]:
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    from tests.tui.long_conversation import records

    class Floor(App[None]):
        BINDINGS = [("pageup", "page_up", "")]

        def compose(self) -> ComposeResult:
            with VerticalScroll():
                for record in records(MESSAGES):
                    yield Static(record.content.text(), markup=False)

        def action_page_up(self) -> None:
            self.query_one(VerticalScroll).scroll_page_up(animate=False)

    app = Floor()
    async with app.run_test(size=SIZE):
        scroll = app.query_one(VerticalScroll)
        scroll.scroll_end(animate=False, immediate=True)
        await until(lambda: idle(app.screen))
        frames = Frames(app.screen)
        return [await press(app, "pageup", frames, lambda: True) for _ in range(PAGES)]


async def llxprt_switch() -> list[float]:
    """The first switch to a restored 500-message tab, then SWITCHES later ones."""
    from tests.tui.conftest import make_app
    from tests.tui.long_conversation import tree

    app = make_app(None)
    async with app.run_test(size=SIZE):
        await app.wait_ready()
        tab = await app.open_tab(activate=False)
        await tab.ready()
        await tab.restore_conversation(tree(MESSAGES))
        transcript = tab.transcript
        await until(lambda: idle(app.screen))
        frames = Frames(app.screen)
        times = []
        for _ in range(SWITCHES + 1):
            times.append(await press(app, "alt+2", frames, lambda: transcript.settled))
            await press(app, "alt+1", frames, lambda: True)
        return times


async def floor_switch() -> list[float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static, TabbedContent, TabPane

    class Floor(App[None]):
        BINDINGS = [("alt+1", "show('one')", ""), ("alt+2", "show('two')", "")]

        def compose(self) -> ComposeResult:
            with TabbedContent():
                with TabPane("one", id="one"):
                    yield Static("one")
                with TabPane("two", id="two"):
                    yield Static("two")

        def action_show(self, pane: str) -> None:
            self.query_one(TabbedContent).active = pane

    app = Floor()
    async with app.run_test(size=SIZE):
        await until(lambda: idle(app.screen))
        frames = Frames(app.screen)
        times = []
        for _ in range(SWITCHES + 1):
            times.append(await press(app, "alt+2", frames, lambda: True))
            await press(app, "alt+1", frames, lambda: True)
        return times


async def memory(messages: int) -> list[float]:
    """RSS per extra tab holding `messages` messages, each shown and scrolled to its top and
    back; and the widgets each holds."""
    from tests.tui.conftest import make_app
    from tests.tui.long_conversation import tree

    app = make_app(None)
    async with app.run_test(size=SIZE):
        await app.wait_ready()
        await app.active_tab_or_fail().ready()
        await until(lambda: idle(app.screen))
        frames = Frames(app.screen)
        gc.collect()
        before = rss_mib()
        widgets = len(list(app.screen.walk_children()))
        tabs = []
        for number in range(2, TABS + 2):
            tab = await app.open_tab(activate=False)
            await tab.ready()
            await tab.restore_conversation(tree(messages))
            tabs.append(tab)
            settled = tab.transcript

            def done(t: Any = settled) -> bool:
                return bool(t.settled)

            await press(app, f"alt+{number}", frames, done)
            await press(app, "ctrl+home", frames, done)
            await press(app, "ctrl+end", frames, done)
        gc.collect()
        after = rss_mib()
        per_tab = (len(list(app.screen.walk_children())) - widgets) / TABS
        return [(after - before) / TABS, per_tab]


def child(what: str) -> None:
    measured: list[float]
    if what == "scroll":
        measured = asyncio.run(llxprt_scroll())
    elif what == "scroll-floor":
        measured = asyncio.run(floor_scroll())
    elif what == "switch":
        measured = asyncio.run(llxprt_switch())
    elif what == "switch-floor":
        measured = asyncio.run(floor_switch())
    elif what == "memory":
        measured = asyncio.run(memory(MESSAGES))
    else:
        measured = asyncio.run(memory(2))
    print(json.dumps(measured))


# --- in the bench process ---------------------------------------------------------------------


def run_child(env: dict[str, str], *child: str, module: str = "bench.conversation") -> list[float]:
    """What `module`'s child process `--child *child` printed last (a JSON list)."""
    out = subprocess.run(
        [sys.executable, "-m", module, "--child", *child],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    result: list[float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def fps(seconds: list[float]) -> float:
    return len(seconds) / sum(seconds)


def measure(runs: int) -> list[Figure]:
    from bench.tui import environment

    env = {**os.environ, **environment()}
    scroll: list[float] = []
    scroll_floor: list[float] = []
    first: list[float] = []
    later: list[float] = []
    switch_floor: list[float] = []
    rss: list[float] = []
    rss_floor: list[float] = []
    widgets: list[float] = []
    widgets_floor: list[float] = []
    for _ in range(runs):
        scroll.append(fps(run_child(env, "scroll")))
        scroll_floor.append(fps(run_child(env, "scroll-floor")))
        switches = run_child(env, "switch")
        first.append(switches[0] * 1000)
        later += [s * 1000 for s in switches[1:]]
        switch_floor += [s * 1000 for s in run_child(env, "switch-floor")]
        mib, count = run_child(env, "memory")
        rss.append(mib)
        widgets.append(count)
        mib, count = run_child(env, "memory-floor")
        rss_floor.append(mib)
        widgets_floor.append(count)
    return [
        Figure(
            "500 messages: page-up frames/s",
            "fps",
            scroll,
            "≥ 30 fps",
            lambda f: f >= 30,
            scroll_floor,
            "bare scroll",
            check_ratio=False,
        ),
        Figure(
            "500 messages: first switch to the tab",
            "ms",
            first,
            "≤ 100 ms",
            lambda m: m <= 100,
            switch_floor,
            "bare tabs",
            check_ratio=False,
        ),
        Figure(
            "500 messages: later switches to the tab",
            "ms",
            later,
            "≤ 100 ms",
            lambda m: m <= 100,
            switch_floor,
            "bare tabs",
            check_ratio=False,
        ),
        Figure(
            "500 messages: RSS per tab",
            "MiB",
            rss,
            "bounded",
            None,
            rss_floor,
            "2 messages",
        ),
        Figure(
            "500 messages: widgets per tab",
            "",
            widgets,
            "bounded",
            None,
            widgets_floor,
            "2 messages",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print_table(measure(args.runs))


if __name__ == "__main__":
    main()
