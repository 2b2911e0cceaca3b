"""Full garbage collections wait while a reply streams (issue 18.1): a full collection walks
every tracked object, and a key pressed meanwhile echoed up to 450 ms later."""

from __future__ import annotations

import asyncio
import gc

import pytest
from rich.console import RenderableType
from textual.containers import VerticalScroll
from textual.screen import Screen

from llxprt_tui.chat.messages import AssistantMessage
from llxprt_tui.full_collections import FULL_COLLECTIONS, HELD_SCALE, FullCollections
from tests.tui.test_messages import ReplyApp


def test_the_oldest_generation_waits_while_any_stream_lasts() -> None:
    usual = gc.get_threshold()
    collections = FullCollections()
    try:
        collections.hold()
        collections.hold()
        assert gc.get_threshold() == (usual[0], usual[1], usual[2] * HELD_SCALE)
        collections.release()
        assert gc.get_threshold()[2] == usual[2] * HELD_SCALE  # one still streams
        collections.release()  # the last one: the usual thresholds come back
        assert gc.get_threshold() == usual
        assert not collections.held and collections.streams == 0
    finally:
        gc.set_threshold(*usual)


async def test_a_reply_holds_full_collections_from_its_first_delta_to_its_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    released = asyncio.Event()
    release = FULL_COLLECTIONS.release

    def recorded() -> None:
        release()
        released.set()

    monkeypatch.setattr(FULL_COLLECTIONS, "release", recorded)
    app = ReplyApp()
    async with app.run_test() as pilot:
        before = FULL_COLLECTIONS.streams
        ended, dropped = AssistantMessage(), AssistantMessage()
        await app.query_one(VerticalScroll).mount(ended, dropped)
        await ended.append_text("Hello")
        await dropped.append_text("Bye")
        assert FULL_COLLECTIONS.streams == before + 2 and FULL_COLLECTIONS.held
        await ended.finish("done", "")
        await ended.finish("done", "")  # a second end gives nothing back twice
        await released.wait()  # once its end is drawn (the next test)
        assert FULL_COLLECTIONS.streams == before + 1
        await dropped.remove()  # a reply removed while it streams lets go too
        await pilot.pause()
        assert FULL_COLLECTIONS.streams == before
        assert FULL_COLLECTIONS.held == (before > 0)


async def test_the_full_collection_due_at_a_replys_end_waits_until_the_end_is_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given back at once, the full collection then due (~110 ms with a long reply on screen)
    # ran before the frame showing the end: escape in a long code fence showed "cancelled"
    # that much later.
    app = ReplyApp()
    frames = [0]
    display = app._display

    def counted(screen: Screen[object], renderable: RenderableType | None) -> None:
        frames[0] += 1
        display(screen, renderable)

    monkeypatch.setattr(app, "_display", counted)
    released = asyncio.Event()
    release = FULL_COLLECTIONS.release
    given_back_after: list[int] = []

    def recorded() -> None:
        release()
        given_back_after.append(frames[0])
        released.set()

    monkeypatch.setattr(FULL_COLLECTIONS, "release", recorded)
    async with app.run_test():
        before = FULL_COLLECTIONS.streams
        reply = AssistantMessage()
        await app.query_one(VerticalScroll).mount(reply)
        await reply.append_text("```python\nx = 1\n")
        await reply.finish("cancelled", "cancelled")
        ended_at = frames[0]
        assert FULL_COLLECTIONS.streams == before + 1 and FULL_COLLECTIONS.held
        await released.wait()
        assert FULL_COLLECTIONS.streams == before
        assert given_back_after[0] > ended_at  # a frame showed the end first
