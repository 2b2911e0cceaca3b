"""A long conversation is windowed (issue 18): a tab of 500 messages draws only what the view
needs, draws older messages as the user scrolls up without moving what is seen, drops what is
far away, and every message stays reachable by selection, show_message, copy and export."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from textual.geometry import Size
from textual.pilot import Pilot
from textual.widget import Widget

from llxprt_runtime.api import ConversationTree
from llxprt_runtime.providers.content import IContent, TextBlock
from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.messages import AssistantMessage
from llxprt_tui.chat.notices import UserMessage
from llxprt_tui.chat.tab import ChatTab
from llxprt_tui.chat.transcript import MessageEntry, Transcript
from llxprt_tui.full_collections import FULL_COLLECTIONS
from tests.tui.conftest import SIZE, active, make_app, wait_until
from tests.tui.keyboard import XTERM, press_raw
from tests.tui.long_conversation import answer, question, records, tree
from tests.wire.server import WireServer

MESSAGES = 500
BOUND = 60  # rows drawn at most at SIZE: a few views' worth, never the conversation


async def restored(pilot: Pilot[None]) -> tuple[ChatTab, Transcript]:
    tab = active(pilot)
    await tab.ready()
    await tab.restore_conversation(tree(MESSAGES))
    transcript = tab.transcript
    await wait_until(pilot, lambda: transcript.settled)
    return tab, transcript


def top_entry(transcript: Transcript) -> MessageEntry:
    """The message at the top of the view."""
    return next(
        e
        for e in transcript.entries
        if e.widget is not None and e.widget.region.bottom > transcript.region.y
    )


def after_leading(frames: list[int | None], row: int) -> list[int | None]:
    """`frames` from the first that does not show the row at `row`."""
    first = next((i for i, y in enumerate(frames) if y != row), len(frames))
    return frames[first:]


def drawn_messages(pilot: Pilot[None]) -> int:
    return len(pilot.app.query(AssistantMessage)) + len(pilot.app.query(UserMessage))


async def test_a_long_conversation_draws_the_end_and_older_messages_as_it_scrolls_up(
    wire: WireServer,
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab, transcript = await restored(pilot)
        assert transcript.row_count == MESSAGES
        assert 0 < transcript.drawn_rows <= BOUND and drawn_messages(pilot) <= BOUND
        last = transcript.entries[-1].widget
        assert isinstance(last, AssistantMessage) and bool(last.region)  # on screen
        assert transcript.scroll_y == transcript.max_scroll_y
        page = transcript.scrollable_content_region.height
        seen = [transcript.entries.index(top_entry(transcript))]
        first_drawn = transcript.entries.index(
            next(e for e in transcript.entries if e.widget is not None)
        )
        for _ in range(8):
            before = top_entry(transcript)
            assert before.widget is not None
            row = before.widget.region.y
            await press_raw(pilot, XTERM["pageup"])
            await wait_until(pilot, lambda: transcript.settled)
            # What was at the top of the view moved down by one page, older messages drawn
            # above it or not: the view never jumps.
            if before.widget is not None:
                assert before.widget.region.y == row + page
            seen.append(transcript.entries.index(top_entry(transcript)))
            assert transcript.drawn_rows <= BOUND and drawn_messages(pilot) <= BOUND
        assert seen == sorted(seen, reverse=True) and seen[-1] < seen[0]
        # Older messages were drawn as the view went up, and the newest ones dropped.
        assert seen[-1] < first_drawn and transcript.entries[-1].widget is None
        assert tab.prompt.has_focus


async def test_no_frame_of_a_page_up_shows_the_rows_moved_by_those_drawn_above_them(
    wire: WireServer,
) -> None:
    """Each frame drawn while page-up draws older rows shows the row that was at the top a
    page lower, never where the rows drawn above it pushed it before the view followed."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        _tab, transcript = await restored(pilot)
        screen = app.screen
        page = transcript.scrollable_content_region.height
        tracked: list[Widget] = []
        shown: list[int | None] = []  # where each frame drew the tracked row (None: not at all)
        draw = screen._compositor_refresh

        def frame() -> None:
            region = screen._compositor.visible_widgets.get(tracked[-1], (None,))[0]
            shown.append(region.y if region is not None else None)
            draw()

        screen._compositor_refresh = frame  # type: ignore[method-assign]
        drawing = 0
        for _ in range(8):
            before = top_entry(transcript).widget
            assert before is not None
            tracked.append(before)
            row = before.region.y
            shown.clear()
            drawn = transcript.drawn_rows
            await press_raw(pilot, XTERM["pageup"])
            await wait_until(pilot, lambda: transcript.settled)
            drawing += transcript.drawn_rows != drawn
            # A frame already due when the key came (a refresh left by the last settle) shows
            # the row where it still was; from the first frame of the scroll on, only a page
            # lower will do.
            moved = after_leading(shown, row)
            assert moved and all(y in (None, row + page) for y in moved), (row, page, shown)
        assert drawing  # older rows were drawn on the way


async def test_the_first_switch_to_a_restored_tab_shows_its_rows_at_their_width_only(
    wire: WireServer,
) -> None:
    """The first switch to a restored tab draws its rows, and the transcript's scrollbar comes:
    each frame shows the rows at the width the scrollbar leaves them, never first at the width
    they had without it (drawn again a frame later, after another layout of them all)."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await active(pilot).ready()
        tab = await app.open_tab(activate=False)
        await tab.ready()
        await tab.restore_conversation(tree(MESSAGES))
        transcript = tab.transcript
        screen = app.screen
        shown: list[set[int]] = []  # the widths of the messages each frame shows
        draw = screen._compositor_refresh

        def frame() -> None:
            visible = screen._compositor.visible_widgets
            rows = (w for w in visible if isinstance(w, AssistantMessage | UserMessage))
            shown.append({visible[w][0].width for w in rows})
            draw()

        screen._compositor_refresh = frame  # type: ignore[method-assign]
        await press_raw(pilot, XTERM["alt+2"])
        await wait_until(pilot, lambda: transcript.settled and active(pilot) is tab)
        await pilot.pause()
        assert transcript.show_vertical_scrollbar
        width = transcript.scrollable_content_region.width
        assert {width} in shown, (width, shown)
        assert all(widths <= {width} for widths in shown), (width, shown)


async def hidden_restored(pilot: Pilot[None], conversation: ConversationTree) -> ChatTab:
    """A second tab, not shown, with `conversation` restored into it."""
    app = pilot.app
    assert isinstance(app, LlxprtApp)
    await app.wait_ready()
    await active(pilot).ready()
    tab = await app.open_tab(activate=False)
    await tab.ready()
    await tab.restore_conversation(conversation)
    return tab


async def test_the_first_switch_to_a_restored_tab_lays_its_rows_out_once(
    wire: WireServer,
) -> None:
    """The rows the first switch draws are two views high by their estimates: the scrollbar
    is expected, and they are laid out once at the width it leaves them (the layout found the
    scrollbar and laid them all out again). The switch's own layout shows the tab first."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await hidden_restored(pilot, tree(MESSAGES))
        await pilot.pause()  # the layout the new tab asked for, before the key
        transcript = tab.transcript
        screen = app.screen
        layouts = [0]
        lay_out = screen._refresh_layout

        def counted(size: Size | None = None, scroll: bool = False) -> None:
            layouts[0] += not scroll
            lay_out(size, scroll)

        screen._refresh_layout = counted  # type: ignore[method-assign]
        await press_raw(pilot, XTERM["alt+2"])
        await wait_until(pilot, lambda: transcript.settled and active(pilot) is tab)
        await pilot.pause()
        assert transcript.show_vertical_scrollbar and transcript.drawn_rows
        assert transcript.scroll_y == transcript.max_scroll_y > 0  # its last rows are shown
        assert layouts[0] == 1, layouts


async def test_no_frame_shows_a_restored_tab_without_its_last_rows(wire: WireServer) -> None:
    """The first switch to a restored tab draws its rows before the frame that shows the tab
    (a frame showed it empty first), and that frame shows the last message at the bottom of
    the view; clicked in the tab bar, the tab draws them as it is shown, as before."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await hidden_restored(pilot, tree(MESSAGES))
        transcript = tab.transcript
        screen = app.screen
        shown: list[tuple[bool, bool]] = []  # per frame showing the tab: last row, at the end
        draw = screen._compositor_refresh

        def frame() -> None:
            if active(pilot) is tab:
                last = transcript.entries[-1].widget
                visible = screen._compositor.visible_widgets
                at_bottom = last is not None and last in visible
                if at_bottom:
                    assert last is not None
                    at_bottom = visible[last][0].bottom == transcript.content_region.bottom
                shown.append((at_bottom, transcript.scroll_y == transcript.max_scroll_y))
            draw()

        screen._compositor_refresh = frame  # type: ignore[method-assign]
        await press_raw(pilot, XTERM["alt+2"])
        await wait_until(pilot, lambda: transcript.settled and active(pilot) is tab)
        await pilot.pause()
        assert shown and all(at_bottom and at_end for at_bottom, at_end in shown), shown
        assert transcript.row_count == MESSAGES and transcript.drawn_rows <= BOUND

        clicked = await hidden_restored(pilot, tree(MESSAGES))
        await pilot.click(f"#--content-tab-{clicked.parent.id}")  # type: ignore[union-attr]
        await wait_until(pilot, lambda: clicked.transcript.settled and active(pilot) is clicked)
        await pilot.pause()
        view = clicked.transcript
        assert view.drawn_rows and view.scroll_y == view.max_scroll_y > 0


async def test_the_first_switch_to_a_restored_tab_repaints_the_screen_in_one_frame(
    wire: WireServer,
) -> None:
    """Textual repaints the whole screen at each change of focus, which a switch makes: the
    frame after the switch's batch did it, not one more frame (16 ms later) after it."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await hidden_restored(pilot, tree(MESSAGES))
        await pilot.pause()
        transcript = tab.transcript
        screen = app.screen
        whole: list[bool] = []  # per frame: whether it repaints the whole screen
        draw = screen._compositor_refresh

        def frame() -> None:
            whole.append(screen in screen._dirty_widgets)
            draw()

        screen._compositor_refresh = frame  # type: ignore[method-assign]
        await press_raw(pilot, XTERM["alt+2"])
        await wait_until(pilot, lambda: transcript.settled and active(pilot) is tab)
        await pilot.pause()
        assert whole and whole[0] and not any(whole[1:]), whole


async def test_a_short_restored_conversation_gets_no_scrollbar(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await hidden_restored(pilot, tree(2))
        await press_raw(pilot, XTERM["alt+2"])
        await wait_until(pilot, lambda: tab.transcript.settled and active(pilot) is tab)
        await pilot.pause()
        assert tab.transcript.drawn_rows == 2
        assert not tab.transcript.show_vertical_scrollbar


async def test_the_full_collection_due_at_a_first_switch_waits_until_its_rows_are_drawn(
    wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing a restored tab's first rows makes the objects that make a full collection due
    (~30 ms), which ran before the frame showing them: it waits until after that frame."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await hidden_restored(pilot, tree(MESSAGES))
        transcript = tab.transcript
        screen = app.screen
        shown: list[int] = []  # rows drawn in each frame
        draw = screen._compositor_refresh

        def frame() -> None:
            shown.append(transcript.drawn_rows)
            draw()

        screen._compositor_refresh = frame  # type: ignore[method-assign]
        held: list[tuple[bool, int]] = []  # (held, frames so far) at each hold and release
        hold, release = FULL_COLLECTIONS.hold, FULL_COLLECTIONS.release

        def holding() -> None:
            hold()
            held.append((True, len(shown)))

        def releasing() -> None:
            release()
            held.append((False, len(shown)))

        monkeypatch.setattr(FULL_COLLECTIONS, "hold", holding)
        monkeypatch.setattr(FULL_COLLECTIONS, "release", releasing)
        await press_raw(pilot, XTERM["alt+2"])
        await wait_until(pilot, lambda: transcript.settled and active(pilot) is tab)
        assert held and held[0][0], held  # held from the draw on
        await pilot.pause()
        # Given back once the frame is drawn, not 0.25 s later: rows drawn and dropped meanwhile
        # (ctrl+home, page-ups) piled up as garbage, and RSS per tab grew 40%.
        assert len(held) == 2 and held[1][0] is False, held
        assert any(shown[held[0][1] : held[1][1]]), (held, shown)  # a frame showed the rows


async def test_a_tab_restored_while_hidden_loads_its_code_lexers_off_the_event_loop(
    wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pygments compiles a lexer's rules the first time a language is used (~19 ms for
    Python): for a tab restored while hidden, in a thread before the first switch to it."""
    from pygments.lexer import RegexLexerMeta  # type: ignore[import-untyped]
    from pygments.lexers.esoteric import BrainfuckLexer  # type: ignore[import-untyped]

    # As if the process had never used this language (pygments keeps it on the class).
    monkeypatch.delattr(BrainfuckLexer, "_tokens", raising=False)
    on_event_loop: list[bool] = []
    process = RegexLexerMeta.process_tokendef

    def recorded(cls: Any, name: str, tokendefs: Any = None) -> Any:
        if cls is BrainfuckLexer:
            on_event_loop.append(threading.current_thread() is threading.main_thread())
        return process(cls, name, tokendefs)

    monkeypatch.setattr(RegexLexerMeta, "process_tokendef", recorded)
    made = records(4)
    human, ai = made[2], made[3]
    code = IContent("ai", (TextBlock("Run:\n\n```brainfuck\n+++.\n```\n"),), ai.content.metadata)
    made[3] = dataclasses.replace(ai, content=code)
    assert human.content.speaker == "human"
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await hidden_restored(pilot, ConversationTree.from_stored(made, made[-1].id))
        await tab.transcript.lexers_loaded()
        assert on_event_loop == [False]
        await press_raw(pilot, XTERM["alt+2"])
        await wait_until(pilot, lambda: tab.transcript.settled and active(pilot) is tab)
        await pilot.pause()
        assert "+++." in " ".join(str(label.render()) for label in app.query("#code-content"))
        assert on_event_loop == [False]  # not again on the switch


async def test_a_tab_restored_while_hidden_makes_pygments_first_guess_off_the_event_loop(
    wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A code block that names no language has it guessed, and pygments' first guess loads
    every lexer class it has (about 350 ms): in the thread, before the first switch."""
    import pygments.lexers  # type: ignore[import-untyped]

    # As if the process had never guessed: pygments keeps the classes it loaded in a cache
    # (in its functions' globals: the module it puts in sys.modules is a copy).
    cache: dict[str, object] = {}
    monkeypatch.setitem(pygments.lexers.guess_lexer.__globals__, "_lexer_cache", cache)
    made = records(4)
    code = IContent("ai", (TextBlock("Run:\n\n```\nx = 1\n```\n"),), made[3].content.metadata)
    made[3] = dataclasses.replace(made[3], content=code)
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await hidden_restored(pilot, ConversationTree.from_stored(made, made[-1].id))
        await tab.transcript.lexers_loaded()
        assert len(cache) > 100  # every lexer class, loaded


async def test_a_page_up_lays_the_screen_out_once(wire: WireServer) -> None:
    """Issue 18.4: a page-up that drew older rows laid the whole screen out twice. Textual
    awaits a mount once more later only to lay its parent out again; the transcript took
    that await's widgets away after its own, but from a key's action (another task) the late
    one had already started by then."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        _tab, transcript = await restored(pilot)
        screen = app.screen
        layouts: list[int] = []  # full layouts of the screen, per key
        lay_out = screen._refresh_layout

        def counted(size: Size | None = None, scroll: bool = False) -> None:
            layouts[-1] += not scroll
            lay_out(size, scroll)

        screen._refresh_layout = counted  # type: ignore[method-assign]
        drawn_at_first = [e for e in transcript.entries if e.widget is not None]
        for _ in range(8):
            layouts.append(0)
            await press_raw(pilot, XTERM["pageup"])
            await wait_until(pilot, lambda: transcript.settled)
            await pilot.pause()
        assert top_entry(transcript) not in drawn_at_first  # older rows were drawn
        assert all(count <= 1 for count in layouts), layouts


async def test_a_page_up_paints_the_rows_it_draws_once(wire: WireServer) -> None:
    """The frame after a page-up's batch paints the whole view, the rows it drew included;
    each of their widgets then asked for a repaint of its own (for the size the layout gave
    it), and another frame painted them all again."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        _tab, transcript = await restored(pilot)
        screen = app.screen
        again: list[str] = []  # widgets of drawn rows painted again after the first frame
        draw = screen._compositor_refresh
        rows: set[Widget] = set()  # the rows drawn by the key, once its batch is laid out

        def frame() -> None:
            if rows:
                again.extend(type(w).__name__ for w in screen._dirty_widgets if w in rows)
            else:
                rows.update(w for w in transcript.walk_children(Widget) if w not in before)
            draw()

        screen._compositor_refresh = frame  # type: ignore[method-assign]
        drawn_at_first = [e for e in transcript.entries if e.widget is not None]
        for _ in range(8):
            before = set(transcript.walk_children(Widget))
            rows.clear()
            await press_raw(pilot, XTERM["pageup"])
            await wait_until(pilot, lambda: transcript.settled)
            await pilot.pause()
        assert top_entry(transcript) not in drawn_at_first  # older rows were drawn
        assert not again, again


async def test_selection_walks_into_messages_not_drawn_and_reaches_the_first(
    wire: WireServer,
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab, transcript = await restored(pilot)
        drawn = transcript.drawn_rows
        await press_raw(pilot, XTERM["alt+up"])
        assert transcript.has_focus and transcript.selected is transcript.entries[-1]
        for step in range(1, drawn + 5):  # up, past what was drawn at first
            await press_raw(pilot, "k")
            selected = transcript.selected
            assert selected is transcript.entries[-1 - step]
            assert selected.widget is not None and selected.widget.has_class("-selected")
            assert bool(selected.widget.region)  # on screen
        await press_raw(pilot, XTERM["home"])
        first = transcript.entries[0]
        assert transcript.selected is first and first.text == question(0)
        assert first.widget is not None and bool(first.widget.region)
        await wait_until(pilot, lambda: transcript.settled)
        assert transcript.drawn_rows <= BOUND
        await press_raw(pilot, "j" + "c")
        assert app.clipboard == answer(0)
        await press_raw(pilot, XTERM["end"])
        assert transcript.selected is transcript.entries[-1]
        # Export is the whole conversation, drawn or not.
        exported = tab.conversation_markdown()
        assert question(0) in exported and f"answer {MESSAGES // 2 - 1}" in exported


async def test_show_message_scrolls_to_a_stored_message_and_selects_it(
    wire: WireServer,
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        _tab, transcript = await restored(pilot)
        wanted = records(MESSAGES)[201]  # the answer to question 100, far from the end
        assert wanted.content.text() not in [
            e.text for e in transcript.entries if e.widget is not None
        ]
        assert await transcript.show_message(wanted.id)
        selected = transcript.selected
        assert selected is not None and selected.text == answer(100)
        assert selected.widget is not None and bool(selected.widget.region)
        await wait_until(pilot, lambda: transcript.has_focus)
        await wait_until(pilot, lambda: transcript.settled)
        assert transcript.drawn_rows <= BOUND
        # alt+down goes on from there.
        await press_raw(pilot, "j")
        assert transcript.selected is not None and transcript.selected.text == question(101)
        assert not await transcript.show_message(10_000)


async def test_the_end_key_comes_back_to_the_last_message_and_follows_new_ones(
    wire: WireServer,
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        _tab, transcript = await restored(pilot)
        await press_raw(pilot, XTERM["ctrl+home"])
        await wait_until(pilot, lambda: transcript.settled)
        first = transcript.entries[0].widget
        assert transcript.scroll_y == 0 and first is not None and bool(first.region)
        assert transcript.entries[-1].widget is None  # the end is dropped, far away
        await press_raw(pilot, XTERM["ctrl+end"])
        await wait_until(pilot, lambda: transcript.settled)
        last = transcript.entries[-1].widget
        assert last is not None and bool(last.region)
        # The view is full: older messages were drawn above the last ones.
        assert transcript.scroll_y == transcript.max_scroll_y >= transcript.size.height
        assert transcript.drawn_rows <= BOUND
