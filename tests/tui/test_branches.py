"""Branches in a tab, over the wire: /retry makes an alternative reply, `e` edits an earlier
prompt into a new branch, left/right switch between alternatives ("‹ 2/3 ›") with what
followed each, and the context sent next, an export and a restart follow the branch on
screen. Keys are fed as the bytes a plain xterm sends."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from textual.pilot import Pilot

from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.messages import AssistantMessage
from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.chat.tab import ChatTab
from tests.conftest import Dirs
from tests.tui.conftest import SIZE, active, make_app, send_and_wait, send_to, wait_until
from tests.tui.keyboard import XTERM, press_raw
from tests.tui.test_snapshots import fixed_wire, settle, steady
from tests.wire.server import Reply, WireServer

__all__ = ["fixed_wire"]  # the snapshot's fixed-port server (its port is on screen)


def numbered_replies(wire: WireServer) -> None:
    """Every request gets "reply N to <its last prompt>": each alternative is told apart."""
    numbers = count(1)
    wire.default_reply = lambda r: Reply(text=(f"reply {next(numbers)} to {r.last_user_text()}",))


def shown(tab: ChatTab) -> list[str]:
    """The conversation on screen, in order."""
    return [
        w.text for w in tab.transcript.children if isinstance(w, UserMessage | AssistantMessage)
    ]


def footer(widget: AssistantMessage) -> str:
    return str(widget.footer.render())


def sent(wire: WireServer) -> list[str]:
    """The conversation the last request carried (after the system prompt)."""
    return [m["content"] for m in wire.chat_requests()[-1].body["messages"][1:]]


async def retried(pilot: Pilot[None], tab: ChatTab) -> None:
    await send_and_wait(pilot, "/retry")
    await wait_until(pilot, lambda: not tab.streaming)
    await pilot.pause()


async def test_retry_makes_an_alternative_and_keys_switch_with_what_followed(
    wire: WireServer,
) -> None:
    numbered_replies(wire)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await send_to(pilot, tab, "q")
        await retried(pilot, tab)
        assert sent(wire) == ["q"]  # the retry's context: up to its prompt, not the old reply
        assert shown(tab) == ["q", "reply 2 to q"]  # the old reply left the screen...
        last = tab.query(AssistantMessage).last()
        assert footer(last).startswith("‹ 2/2 › · ")  # ...but is reachable
        await send_to(pilot, tab, "then?")
        assert sent(wire) == ["q", "reply 2 to q", "then?"]
        # Select the retried reply and go to its first alternative: what followed goes too.
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "kk")
        assert tab.transcript.selected is not None
        assert tab.transcript.selected.text == "reply 2 to q"
        await press_raw(pilot, XTERM["left"])
        await wait_until(pilot, lambda: shown(tab) == ["q", "reply 1 to q"])
        selected = tab.transcript.selected
        assert selected is not None and selected.text == "reply 1 to q"
        assert isinstance(selected.widget, AssistantMessage)
        assert footer(selected.widget).startswith("‹ 1/2 ›")
        # The next request carries branch 1; an export holds it too.
        tab.prompt.focus()
        await send_to(pilot, tab, "and now?")
        assert sent(wire) == ["q", "reply 1 to q", "and now?"]
        markdown = tab.conversation_markdown()
        assert "reply 1 to q" in markdown and "reply 2 to q" not in markdown
        # Back to the second alternative: its follow-up comes back with it.
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "kk" + "l")
        await wait_until(pilot, lambda: "reply 2 to q" in shown(tab))
        assert shown(tab) == ["q", "reply 2 to q", "then?", "reply 3 to then?"]
        await press_raw(pilot, XTERM["right"])  # no third alternative: nothing moves
        assert shown(tab) == ["q", "reply 2 to q", "then?", "reply 3 to then?"]


async def test_editing_an_earlier_prompt_makes_a_new_branch_and_keeps_the_old(
    wire: WireServer,
) -> None:
    numbered_replies(wire)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await send_to(pilot, tab, "first")
        await send_to(pilot, tab, "second")
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "k" + "e")  # the prompt "second"
        assert tab.prompt.has_focus and tab.prompt.text == "second"
        tab.prompt.load_text("second, edited")
        await press_raw(pilot, XTERM["enter"])
        await wait_until(pilot, lambda: len(wire.chat_requests()) == 3 and not tab.streaming)
        await pilot.pause()
        assert sent(wire) == ["first", "reply 1 to first", "second, edited"]
        assert shown(tab) == [
            "first",
            "reply 1 to first",
            "second, edited",
            "reply 3 to second, edited",
        ]
        edited = tab.query(UserMessage).last()
        assert str(edited.render()).endswith("‹ 2/2 ›")
        # The old branch is one key away, and the next prompt follows it.
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "k" + "h")
        await wait_until(pilot, lambda: "second" in shown(tab))
        assert shown(tab) == ["first", "reply 1 to first", "second", "reply 2 to second"]
        tab.prompt.focus()
        await send_to(pilot, tab, "more")
        assert sent(wire) == ["first", "reply 1 to first", "second", "reply 2 to second", "more"]
        # A plain prompt after `e` and a cleared prompt goes at the end, as always.
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "kkk" + "e")
        assert tab.prompt.text == "second"
        tab.prompt.load_text("")
        await pilot.pause()
        await send_to(pilot, tab, "last")
        assert sent(wire)[-2:] == ["reply 4 to more", "last"]


async def test_branches_survive_a_restart_on_the_branch_shown(wire: WireServer, dirs: Dirs) -> None:
    numbered_replies(wire)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await send_to(pilot, tab, "q")
        await retried(pilot, tab)
        await retried(pilot, tab)
        await send_to(pilot, tab, "after three")
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "kk" + "h")  # alternative 2 of 3
        await wait_until(pilot, lambda: shown(tab) == ["q", "reply 2 to q"])
    again = LlxprtApp(clock=app.clock)
    again.animation_level = "none"
    async with again.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: again.persistence.started)
        await again.wait_ready()
        tab = active(pilot)
        await wait_until(pilot, lambda: shown(tab) == ["q", "reply 2 to q"])
        assert footer(tab.query(AssistantMessage).last()).startswith("‹ 2/3 ›")
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "l")
        await wait_until(pilot, lambda: len(shown(tab)) == 4)
        assert shown(tab) == ["q", "reply 3 to q", "after three", "reply 4 to after three"]


def test_snapshot_a_reply_with_alternatives(
    snap_compare: Callable[..., bool], fixed_wire: WireServer
) -> None:
    numbered_replies(fixed_wire)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, LlxprtApp)
        tab = active(pilot)
        await send_to(pilot, tab, "Name a colour")
        await retried(pilot, tab)
        await retried(pilot, tab)
        await press_raw(pilot, XTERM["alt+up"] + XTERM["end"] + "h")
        await wait_until(pilot, lambda: shown(tab) == ["Name a colour", "reply 2 to Name a colour"])
        await pilot.pause()
        steady(app)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)
