"""Deferred: a worker's coroutine made only when the worker awaits it."""

from __future__ import annotations

import gc
import warnings

from llxprt_tui.chat.deferred import Deferred


async def test_awaiting_it_runs_the_work_and_gives_its_result() -> None:
    made: list[str] = []

    async def work() -> str:
        made.append("ran")
        return "done"

    deferred = Deferred(work)
    assert made == []  # nothing runs, and no coroutine exists, before the await
    assert await deferred == "done"
    assert made == ["ran"]


def test_one_never_awaited_leaves_no_coroutine_to_warn_of() -> None:
    # A worker cancelled before it started: a coroutine made at once was never awaited.
    async def work() -> None:
        raise AssertionError("never runs")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Deferred(work)
        gc.collect()
        work_coroutine = work()  # what handing the worker a coroutine did
        del work_coroutine
        gc.collect()
    messages = [str(w.message) for w in caught]
    assert messages == [messages[0]] and "was never awaited" in messages[0]
