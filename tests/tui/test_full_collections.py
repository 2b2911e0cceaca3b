"""Full garbage collections wait while a reply streams (issue 18.1): a full collection walks
every tracked object, and a key pressed meanwhile echoed up to 450 ms later."""

from __future__ import annotations

import gc

from textual.containers import VerticalScroll

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


async def test_a_reply_holds_full_collections_from_its_first_delta_to_its_end() -> None:
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
        assert FULL_COLLECTIONS.streams == before + 1
        await dropped.remove()  # a reply removed while it streams lets go too
        await pilot.pause()
        assert FULL_COLLECTIONS.streams == before
        assert FULL_COLLECTIONS.held == (before > 0)
