"""Reading a conversation from the keyboard: scrolling from the prompt, selecting a message
and acting on it. Keys are fed as the bytes a plain xterm sends."""

from __future__ import annotations

from textual.pilot import Pilot

from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.chat.tab import ChatTab
from llxprt_tui.chat.transcript import Transcript
from llxprt_tui.screens.picker import PickerScreen
from tests.tui.conftest import SIZE, active, make_app, send_to, wait_until
from tests.tui.keyboard import XTERM, press_raw
from tests.wire.server import Reply, WireServer

TWO_BLOCKS = "First:\n\n```sh\nls -l\n```\n\nThen:\n\n```python\nprint('two')\n```\n"


def notifications(app: LlxprtApp) -> str:
    return "\n".join(n.message for n in app._notifications)


def _forty_line_replies(wire: WireServer) -> None:
    """Every reply taller than the view (forty rows: twenty paragraphs), so the conversation
    scrolls and is windowed."""
    wire.default_reply = lambda r: Reply(text=("\n\n".join(f"line {n}" for n in range(20)),))


def view_start(conversation: Transcript) -> tuple[int, int]:
    """Where the view starts in the conversation: the message at its top and how many of that
    message's rows are above it. Unlike scroll_y, which moves as rows above the view are drawn
    or dropped (the view staying still), this only changes when what is seen does."""
    top = conversation.scroll_y
    for index, entry in enumerate(conversation.entries):
        widget = entry.widget
        if widget is not None and widget.virtual_region_with_margin.bottom > top:
            return index, int(top - widget.virtual_region_with_margin.y)
    raise AssertionError("no message at the top of the view")


async def _send_questions(pilot: Pilot[None], tab: ChatTab, count: int) -> None:
    for n in range(count):
        await send_to(pilot, tab, f"question {n}")
    await pilot.pause()


async def test_page_keys_scroll_the_conversation_from_the_prompt(wire: WireServer) -> None:
    _forty_line_replies(wire)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await _send_questions(pilot, tab, 3)
        conversation = tab.transcript
        await wait_until(pilot, lambda: conversation.settled)
        assert 0 < conversation.max_scroll_y == conversation.scroll_y
        at_end = view_start(conversation)
        await press_raw(pilot, XTERM["pageup"])
        await wait_until(pilot, lambda: conversation.settled)
        up_once = view_start(conversation)
        assert tab.prompt.has_focus and up_once < at_end
        await press_raw(pilot, XTERM["pagedown"])
        await wait_until(pilot, lambda: conversation.settled)
        assert up_once < view_start(conversation) <= at_end
        await press_raw(pilot, XTERM["ctrl+home"])
        await wait_until(pilot, lambda: conversation.settled)
        assert conversation.scroll_y == 0
        await press_raw(pilot, XTERM["ctrl+end"])
        await wait_until(pilot, lambda: conversation.settled)
        assert conversation.scroll_y == conversation.max_scroll_y
        # ctrl+end follows the stream again: the next reply keeps the view at its end.
        await send_to(pilot, tab, "one more")
        await pilot.pause()
        last = conversation.entries[-1].widget
        assert last is not None and bool(last.region)  # on screen
        assert conversation.scroll_y == conversation.max_scroll_y > 0
        assert tab.prompt.has_focus


async def test_messages_are_selected_copied_and_typing_goes_to_the_prompt(
    wire: WireServer,
) -> None:
    wire.default_reply = lambda r: Reply(text=(f"answer to {r.last_user_text()}",))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await send_to(pilot, tab, "first")
        await send_to(pilot, tab, "second")
        conversation = tab.transcript
        await press_raw(pilot, XTERM["alt+up"])
        assert conversation.has_focus
        assert conversation.selected is not None
        assert conversation.selected.text == "answer to second"
        selected = conversation.selected.widget
        assert selected is not None and selected.has_class("-selected")
        await press_raw(pilot, "kk")  # two messages up: the first reply
        assert conversation.selected.text == "answer to first"
        await press_raw(pilot, "c")
        assert app.clipboard == "answer to first"
        await press_raw(pilot, XTERM["up"])
        assert conversation.selected.text == "first"
        await press_raw(pilot, XTERM["end"])
        assert conversation.selected.text == "answer to second"
        await press_raw(pilot, XTERM["home"] + "j")
        assert conversation.selected.text == "answer to first"
        await press_raw(pilot, "i")
        shown = notifications(app)
        assert "Reply from openai · model gpt-5" in shown and "tokens:" in shown
        # Any other key goes to the prompt, focus with it.
        await press_raw(pilot, "xy")
        assert tab.prompt.has_focus and tab.prompt.text == "xy"
        # escape comes back to the prompt too; shift+tab goes to the conversation.
        await press_raw(pilot, XTERM["shift+tab"])
        assert conversation.has_focus
        await press_raw(pilot, XTERM["escape"])
        assert tab.prompt.has_focus


async def test_code_blocks_of_a_message_are_copied_choosing_when_several(
    wire: WireServer,
) -> None:
    replies = iter([Reply(text=(TWO_BLOCKS,)), Reply(text=("```\nonly\n```\n",))])
    wire.default_reply = lambda r: next(replies)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await send_to(pilot, tab, "two blocks")
        await send_to(pilot, tab, "one block")
        await press_raw(pilot, XTERM["alt+up"] + "b")
        assert app.clipboard == "only\n"
        await press_raw(pilot, "kk" + "b")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await press_raw(pilot, XTERM["down"] + XTERM["enter"])
        await wait_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
        assert app.clipboard == "print('two')\n"
        await press_raw(pilot, "k" + "b")  # a question without code
        assert "no code block" in notifications(app)


async def test_a_selected_message_is_sent_again(wire: WireServer) -> None:
    wire.default_reply = lambda r: Reply(text=(f"answer to {r.last_user_text()}",))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await send_to(pilot, tab, "first")
        await send_to(pilot, tab, "second")
        await press_raw(pilot, XTERM["alt+up"] + "kk" + "r")  # the reply to "first"
        await wait_until(pilot, lambda: len(wire.chat_requests()) == 3 and not tab.streaming)
        assert tab.prompt.has_focus
        assert [m.text for m in app.query(UserMessage)] == ["first", "second", "first"]
        assert tab.session.history[-1].text() == "answer to first"
        assert isinstance(tab.transcript, Transcript)


async def test_a_click_in_the_conversation_leaves_it_where_it_is(wire: WireServer) -> None:
    # A click (on a link, say) must land on what was under the pointer: focusing the
    # conversation on mouse down selected the last message and scrolled it into view before
    # the mouse came up, so the up was on another widget and no click (no link) happened.
    _forty_line_replies(wire)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await _send_questions(pilot, tab, 2)
        conversation = tab.transcript
        await press_raw(pilot, XTERM["pageup"])
        await press_raw(pilot, XTERM["pageup"])
        await wait_until(pilot, lambda: conversation.settled)
        where = view_start(conversation)
        assert 0 < conversation.scroll_y < conversation.max_scroll_y
        await pilot.click(Transcript, offset=(5, 3))
        await pilot.pause()
        await wait_until(pilot, lambda: conversation.settled)
        assert view_start(conversation) == where
        assert conversation.selected is None
        assert tab.prompt.has_focus
