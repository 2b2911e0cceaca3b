"""The streamed reply widget: it always ends, and what it shows at the end is the Markdown of
its whole text, however the text arrived."""

from __future__ import annotations

import asyncio

import pytest
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Label, Markdown
from textual.widgets._markdown import (
    MarkdownBlock,
    MarkdownBullet,
    MarkdownBulletList,
    MarkdownFence,
    MarkdownParagraph,
)

from llxprt_tui.chat.messages import AssistantMessage, LiveFence, Piece, shared_parser
from llxprt_tui.chat.painted import PaintedPiece, paint_alone
from llxprt_tui.chat.transcript import Transcript
from tests.tui.conftest import pause_until, wait_until


def shown_lines(reply: AssistantMessage) -> list[str]:
    """The lines the reply's pieces show (painted, or composed from their blocks as the screen
    does), top to bottom, without trailing spaces; not the footer. All must be laid out."""
    lines: list[str] = []
    for child in reply.children:
        if child is not reply.footer and child.display:
            lines += piece_lines(child)
    return lines


def paint(widget: Widget) -> list[Strip]:
    """The lines `widget` (laid out by the screen) and everything in it show, composed as the
    screen composes, on screen or not."""
    compositor = Compositor()
    compositor.reflow(widget, widget.outer_size)
    return compositor.render_strips()


def piece_lines(piece: Widget) -> list[str]:
    """A piece's lines as shown: a painted one's, or those its widgets compose."""
    if isinstance(piece, PaintedPiece):
        return piece.texts
    return [strip.text.rstrip() for strip in paint(piece)]


def rendered(reply: AssistantMessage) -> str:
    """The reply's text as shown, its blank lines left out."""
    return "\n".join(line for line in shown_lines(reply) if line.strip())


def laid_out_height(piece: Widget) -> bool:
    height = piece.styles.height
    return height is not None and piece.outer_size.height == int(height.value)


async def settled(pilot: Pilot[None], reply: AssistantMessage) -> None:
    """Until the reply has settled its pieces at its width (a scrollbar that came with a
    reference drawn below it narrows it: for the frame before, pieces keep the old height)."""

    def done() -> bool:
        width = reply.size.width
        return (
            reply._settled_width == width
            and not reply._changing.locked()
            and all(at == width for at in reply._fixed.values())
            and all(piece.width == width for piece in reply._painted)
            # and laid out at the heights found
            and all(laid_out_height(piece) for piece in reply._fixed if piece.display)
        )

    await pause_until(pilot, done)
    assert done(), (reply.size.width, reply._settled_width, reply._fixed)
    await pilot.pause()


async def drawn_whole(app: App[None], source: str) -> AssistantMessage:
    """`source` drawn as a finished reply is (one Markdown, never streamed), mounted at the end
    of the app's VerticalScroll: what a streamed reply must end up showing."""
    reference = AssistantMessage.drawn(source, "done", "")
    await app.query_one(VerticalScroll).mount(reference)
    return reference


def leaf_blocks(widget: Widget) -> list[Widget]:
    """The innermost Markdown blocks (paragraphs, list items' paragraphs, fences...) in order."""
    found: list[Widget] = []
    for child in widget.children:
        inner = leaf_blocks(child)
        if inner:
            found += inner
        elif isinstance(child, MarkdownBlock | Label) and not isinstance(child, MarkdownBullet):
            found.append(child)
    return found


class ReplyApp(App[None]):
    # The scrollbar always shown: a reference drawn below a reply narrows nothing.
    CSS = """
    VerticalScroll { overflow-y: scroll; }
    AssistantMessage.-tinted { background: rgb(120, 20, 20); }
    """

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def compose(self) -> ComposeResult:
        yield VerticalScroll()

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        self.opened.append(url)  # (no browser in tests)


class ScrollbarComesApp(ReplyApp):
    CSS = "VerticalScroll { overflow-y: auto; }"


async def test_a_reply_ends_whenever_the_turn_ends_while_it_renders() -> None:
    """Issue 11 item 12: the end of the turn stopped a Markdown stream that another task had
    created and not yet started; that raised CancelledError into the end of the turn and the
    tab stayed "streaming" forever. Now the reply's one renderer task is asked to stop and
    waited for, never cancelled: the turn ends at every point of a render, including before
    the renderer first ran (0 yields) and in the middle of mounting its pieces."""
    app = ReplyApp()
    async with app.run_test() as pilot:
        for yields in range(12):
            reply = AssistantMessage()
            await app.query_one(VerticalScroll).mount(reply)
            await reply.append_text("Hello **world**\n\n" + "x " * 2_100)
            await reply.append_text("\n\n```python\nprint(1)\n")
            for _ in range(yields):
                await asyncio.sleep(0)
            finishing = asyncio.create_task(reply.finish("done", "the footer"))
            await asyncio.wait({finishing})
            assert finishing.exception() is None
            await pilot.pause()
            assert reply.state == "done"
            assert rendered(reply).startswith("Hello world")
            assert "print(1)" in rendered(reply)
            assert reply.shown_source() == reply.text


class EagerReply(AssistantMessage):
    """Renders each delta as it comes, in the caller's task (no renderer, no pacing): every
    cut the text allows is exercised, whatever the machine's speed; small pieces, so short
    texts are cut often."""

    def __init__(self) -> None:
        super().__init__()
        scanner = self._scanner
        scanner.FREEZE_MIN, scanner.TAIL_MAX, scanner.LIST_MAX = 200, 600, 150
        scanner.LIST_PIECE_MIN = 150

    THEME_SETTLED_SECONDS = 0.01
    FREEZE_SECONDS = 60.0  # a flush freezes all that is queued, whatever the machine's speed

    async def append_text(self, text: str) -> None:
        self._parts.append(text)
        self.state = "streaming"
        await self._show_text(final=False)


def paragraphs() -> str:
    return "\n\n".join(
        f"Paragraph {i} with **bold {i}**, `code {i}` and a [link](http://example.test/{i}). " * 3
        for i in range(12)
    )


def lists() -> str:
    tight = "\n".join(f"- item {i} with *stress*" for i in range(4))
    numbered = "\n".join(f"{i}. step {i} of a longer procedure" for i in range(1, 9))
    loose = "\n\n".join(f"{i}. numbered {i}\n\n   its own paragraph {i}" for i in range(1, 5))
    nested = "\n".join(f"- outer {i}\n  - inner {i}\n  - inner {i}b" for i in range(4))
    return f"Intro.\n\n{tight}\n\n{numbered}\n\nBetween.\n\n{loose}\n\n{nested}\n\nThe end."


def fences() -> str:
    code = "\n".join(f"def f{i}(x):\n    return x * {i}  # ``` not a fence" for i in range(20))
    item = "1. Run:\n\n   ```sh\n   echo one\n\n   echo two\n   ```\n\n2. Done."
    return (
        f"Some prose.\n\n```python\n{code}\n```\n\nMore prose.\n\n~~~\nraw ``` text\n\n~~~\n\n"
        f"{item}\n\n````\n```\nnested fence\n```\n````\n\nLast words.\n\n```\nunclosed {code}"
    )


def tables() -> str:
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| {i} | **{i * i}** |" for i in range(12))
    return f"# Tables\n\nFirst:\n\n{table}\n\n## Again\n\n{table}\n\n> a quote\n> more\n\nBye."


def blocks(widget: Widget) -> list[tuple[str, str]]:
    """Each block's kind (Textual's class: the tail's paragraphs are SteadyParagraph) and text."""
    return [(textual_kind(b), str(b.render())) for b in leaf_blocks(widget)]


def textual_kind(block: Widget) -> str:
    return next(c.__name__ for c in type(block).__mro__ if c.__module__.startswith("textual."))


async def stream(app: ReplyApp, source: str, chunk: int = 61) -> AssistantMessage:
    reply = EagerReply()
    await app.query_one(VerticalScroll).mount(reply)
    for at in range(0, len(source), chunk):
        await reply.append_text(source[at : at + chunk])
    await reply.finish("done", "")
    return reply


@pytest.mark.parametrize(
    "source",
    [paragraphs(), lists(), fences(), tables()],
    ids=["paragraphs", "lists", "fences", "tables"],
)
async def test_a_streamed_reply_ends_as_the_markdown_of_its_whole_text(source: str) -> None:
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await stream(app, source)
        reference = await drawn_whole(app, source)
        await settled(pilot, reply)
        assert shown_lines(reply) == shown_lines(reference)
        assert reply.shown_source() == source
        assert len(reply.frozen_pieces()) >= 2  # it was streamed in frozen pieces


@pytest.mark.parametrize("state", ["cancelled", "failed"])
async def test_a_reply_cut_inside_a_code_fence_keeps_its_code_as_it_streamed(state: str) -> None:
    # Escape in a long fence drew the whole fence again as highlighted Markdown before the
    # turn could end: seconds for a long one (bench.all --only cancel: 2.5-3.1 s). It stays as
    # it streamed: every line, plain, under the reply's footer.
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = EagerReply()
        await app.query_one(VerticalScroll).mount(reply)
        await reply.append_text("Intro.\n\n```python\n")
        for i in range(300):
            await reply.append_text(f"x{i} = {i}\n")
        await reply.append_text("half a li")
        await reply.finish(state, state)
        await pilot.pause()
        fence = reply.query_one(LiveFence)
        assert fence.lines == [f"x{i} = {i}" for i in range(300)]
        assert fence.partial == "half a li"
        assert not reply.query(MarkdownFence)
        code = [f"  x{i} = {i}" for i in range(300)]  # (in the fence's padding)
        assert rendered(reply).split("\n") == ["Intro.", *code, "  half a li"]
        assert reply.shown_source() == reply.text
        assert reply.state == state and str(reply.footer.render()) == state


async def test_a_long_paragraph_streams_in_pieces_that_join_into_the_same_text() -> None:
    words = " ".join(f"word{i} *em{i}* `c {i}`" for i in range(150))
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await stream(app, words, chunk=40)
        reference = await drawn_whole(app, words)
        await settled(pilot, reply)
        assert len(reply.frozen_pieces()) > 3
        lines = shown_lines(reply)
        # The pieces join without a gap (the line breaks there); the last line is the tail's
        # bottom margin.
        assert "" not in lines[:-1]
        assert " ".join(lines).split() == " ".join(shown_lines(reference)).split()


async def test_what_a_reply_shows_while_it_streams_is_spaced_as_the_markdown_of_it() -> None:
    """After each line, the reply shows what the Markdown of the text it shows would: blocks
    spaced as in one Markdown where pieces join, and as the tail's last block (a quote here,
    after a paragraph) is parsed again. Only the tail's first block drops the top margin that
    the frozen piece before it ends with; a block parsed again in its place is not first."""
    source = "A long first paragraph. " * 10 + "\n\nIntro.\n\n> q1\n> q2\n> q3\n\n## Head\n\nEnd.\n"
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = EagerReply()
        await app.query_one(VerticalScroll).mount(reply)
        for line in source.splitlines(keepends=True):
            await reply.append_text(line)
            await pilot.pause()
            reference = await drawn_whole(app, reply.shown_source())
            await settled(pilot, reply)
            assert shown_lines(reply) == shown_lines(reference), reply.shown_source()
            await reference.remove()
        assert reply.frozen_pieces()


async def test_words_added_to_a_live_list_mount_only_its_last_item_again() -> None:
    """Issue 18.1: Markdown.append mounted the tail's whole list again on each flush (four
    widgets an item, styled and laid out anew): most of a flush's cost for a list at 100
    tok/s. The items before the last stay as they are; what shows is still the Markdown of
    the text so far."""
    items = [f"- item {i} has a few words" for i in range(8)]
    source = "Intro.\n\n" + "\n".join(items) + "\n\nEnd.\n"
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = EagerReply()
        reply._scanner.LIST_MAX = 10_000  # the list stays live
        await app.query_one(VerticalScroll).mount(reply)
        await pilot.pause()
        kept: list[Widget] = []
        for line in source.splitlines(keepends=True):
            for word in line.split(" "):
                await reply.append_text(word + ("" if word.endswith("\n") else " "))
            await pilot.pause()
            lists = reply.markdown.query(MarkdownBulletList)
            if lists and "End." not in reply.text:
                rows = list(lists.first().children)
                assert rows[: len(kept)] == kept  # the same widgets, not mounted again
                kept = rows[:-1]
            reference = await drawn_whole(app, reply.shown_source())
            await settled(pilot, reply)
            assert shown_lines(reply) == shown_lines(reference), reply.shown_source()
            await reference.remove()
        assert len(kept) == 7


class PiledUpReply(EagerReply):
    """Renders only when told: the text that arrives meanwhile piles up, as it does when a
    flush comes late (a busy machine, a long flush before it)."""

    async def append_text(self, text: str) -> None:
        self._parts.append(text)
        self.state = "streaming"


@pytest.mark.parametrize(
    "source",
    [
        paragraphs() * 3,
        lists() * 2,
        "\n\n".join([tables(), paragraphs(), tables(), paragraphs()]),
        " ".join(f"word{i} *em{i}*" for i in range(900)),
    ],
    ids=["paragraphs", "lists", "headings, tables and quotes", "one paragraph"],
)
async def test_text_that_piled_up_is_frozen_in_several_small_pieces(source: str) -> None:
    """Issue 18.1: a flush froze all the text that had arrived since the last one as one
    piece, whose blocks mounted in one go (up to 600 ms on an idle machine, keys waiting);
    the later a flush, the bigger. Now it is cut at safe places into pieces of about
    FREEZE_MIN (TAIL_MAX for a long paragraph), mounted one at a time, and the reply still
    ends as the Markdown of its whole text."""
    app = ReplyApp()
    async with app.run_test(size=(100, 500)) as pilot:  # tall: every block drawn, to be spaced
        reply = PiledUpReply()
        await app.query_one(VerticalScroll).mount(reply)
        await reply.append_text(source[:-30])
        await reply._show_text(final=False)  # one late flush
        sizes = [len(piece.source) for piece in reply.frozen_pieces()]  # type: ignore[attr-defined]
        assert len(sizes) >= 4, sizes
        assert max(sizes) <= reply._scanner.TAIL_MAX, sizes
        await reply.append_text(source[-30:])
        await reply.finish("done", "")
        reference = await drawn_whole(app, source)
        await settled(pilot, reply)
        lines, whole = shown_lines(reply), shown_lines(reference)
        if "\n" in source:
            # Spaced alike too: the blank line between two blocks stays where a piece ends.
            assert lines == whole
        else:  # one paragraph: its pieces join without a gap (the line breaks there)
            assert "" not in lines[:-1]
            assert " ".join(lines).split() == " ".join(whole).split()
        assert reply.shown_source() == source


async def piled_up(
    app: ReplyApp, pilot: Pilot[None], reply: PiledUpReply, source: str
) -> PiledUpReply:
    """`reply` mounted, laid out, then given all of `source` at once (nothing drawn yet)."""
    await app.query_one(VerticalScroll).mount(reply)
    await pilot.pause()
    await reply.append_text(source)
    return reply


async def test_text_that_piled_up_until_the_end_is_frozen_too() -> None:
    """At full speed the text that came during the last flush was all drawn at the end as the
    tail, one Markdown: for a long list thousands of widgets, one layout of 2 s (issue 18.1).
    It is frozen and painted like the rest; the tail holds what came after the last cut."""
    source = lists() * 4
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await piled_up(app, pilot, PiledUpReply(), source)
        await reply.finish("done", "")
        reference = await drawn_whole(app, source)
        await settled(pilot, reply)
        assert len(reply.markdown.source) < reply._scanner.TAIL_MAX
        assert len(reply._painted) >= 3
        assert shown_lines(reply) == shown_lines(reference)


class OnePieceAFlushReply(PiledUpReply):
    FREEZE_SECONDS = 0.0


async def test_a_reply_that_came_faster_than_it_is_drawn_shows_a_piece_at_a_time() -> None:
    """Issue 18.1: at full speed a flush froze everything that had come since the last (a long
    list: seconds of mounting) and showed nothing until the end of it, the reply's end
    included. A flush now freezes what FREEZE_SECONDS allow (at least one piece) and shows
    it; the live tail waits meanwhile; the end shows the Markdown of the whole text."""
    source = lists() * 4
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await piled_up(app, pilot, OnePieceAFlushReply(), source)
        shown = []
        for _ in range(3):
            await reply._show_text(final=False)
            shown.append(len(reply.frozen_pieces()))
            assert reply._queued and reply.markdown.source == ""
        assert shown == [1, 2, 3]
        await reply.finish("done", "")
        assert not reply._queued
        reference = await drawn_whole(app, source)
        await settled(pilot, reply)
        assert shown_lines(reply) == shown_lines(reference)


def clipped(reply: AssistantMessage) -> list[str]:
    """The blocks of frozen pieces that reach below their piece (cut off on screen)."""
    return [
        str(block.render())[:20]
        for piece in list(reply.query(Markdown))[:-1]
        for block in piece.children
        if block.virtual_region.bottom > piece.size.height  # (a block's region is the piece's)
    ]


def auto_height(widget: Widget) -> bool:
    height = widget.styles.height
    return height is None or height.is_auto


async def painted_reply(app: ReplyApp, pilot: Pilot[None], source: str) -> AssistantMessage:
    """`source` streamed into an EagerReply in deltas of 200 characters: its pieces painted."""
    reply = EagerReply()
    await app.query_one(VerticalScroll).mount(reply)
    for at in range(0, len(source), 200):
        await reply.append_text(source[at : at + 200])
    await pilot.pause()
    return reply


def widgets_in(widget: Widget) -> int:
    return len(list(widget.walk_children()))


async def test_frozen_pieces_are_painted_and_painted_again_at_another_width() -> None:
    """Issue 18.1: each layout of a streaming reply placed every widget of its frozen pieces
    again (a list item is four), a cost that grew with the reply: a list at 100 tok/s spent
    most of its CPU in layouts, and keys waited. A frozen piece is now painted as it freezes,
    laid out on its own: one widget showing the lines its blocks would show. A narrower window
    paints them again at its width: what shows is what the whole text drawn there shows."""
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = EagerReply()
        await app.query_one(VerticalScroll).mount(reply)
        source = lists() * 2 + "\n\n" + paragraphs()
        for at in range(0, len(source), 200):
            await reply.append_text(source[at : at + 200])
        pieces = reply.frozen_pieces()
        painted = [p for p in pieces if isinstance(p, PaintedPiece)]
        assert len(painted) >= 3 and all(widgets_in(p) == 0 for p in painted)
        # Pieces of few widgets (paragraphs) stay Markdown, at the height found for them.
        kept = [p for p in pieces if p not in painted]
        assert kept and all(not auto_height(p) for p in kept)
        await reply.finish("done", "")
        reference = await drawn_whole(app, source)
        await settled(pilot, reply)
        assert shown_lines(reply) == shown_lines(reference)
        assert widgets_in(reply) < widgets_in(reference) / 2

        await pilot.resize_terminal(50, 40)
        await pause_until(
            pilot,
            lambda: (
                not reply._changing.locked()
                and len(reply._painted) == len(painted)
                and all(p.width == 46 for p in reply._painted)
            ),
        )
        await pilot.pause()
        assert len(reply._painted) == len(painted) and reply._painted[0] is not painted[0]
        assert shown_lines(reply) == shown_lines(reference)
        assert clipped(reply) == []
        assert max(len(line) for line in shown_lines(reply)) <= 46


async def test_pieces_settle_again_when_a_scrollbar_narrows_the_reply() -> None:
    """A scrollbar that comes when the conversation outgrows the view narrows the reply: the
    pieces kept at the height found at the old width are settled again at the new one, and no
    last line of a piece is cut off."""
    words = " ".join(f"word{i} *em{i}* `c {i}`" for i in range(150))
    app = ScrollbarComesApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await stream(app, words, chunk=40)
        await pilot.pause()
        assert reply.size.width == 98 and reply._fixed
        reference = await drawn_whole(app, words)  # below it: a scrollbar comes
        await pause_until(pilot, lambda: reply._settled_width == 96, pauses=200)
        assert reply._settled_width == 96
        await settled(pilot, reply)
        assert " ".join(shown_lines(reply)).split() == " ".join(shown_lines(reference)).split()
        assert clipped(reply) == []


async def test_painted_pieces_are_painted_again_in_a_new_theme() -> None:
    """Painted lines hold the colours of the theme they were painted in: another theme paints
    them again, in its colours."""
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await painted_reply(app, pilot, lists() * 2)
        before = reply.frozen_pieces()[0]
        assert isinstance(before, PaintedPiece)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await wait_until(
            pilot,
            lambda: reply.frozen_pieces()[0] is not before and not reply._changing.locked(),
        )
        after = reply.frozen_pieces()[0]
        assert isinstance(after, PaintedPiece)
        assert [line.text for line in after.lines] == [line.text for line in before.lines]
        assert after.lines[0] != before.lines[0]  # same text, other colours


async def test_a_painted_piece_takes_the_background_its_reply_has_now() -> None:
    """Painted lines hold the background they were painted on: a reply tinted later (the
    transcript's selection) shows its painted pieces on the tint too, not in old stripes."""
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await painted_reply(app, pilot, lists() * 2)
        piece = next(p for p in reply.frozen_pieces() if isinstance(p, PaintedPiece))
        painted_on = piece.lines[0]._segments[0].style
        assert painted_on is not None and painted_on.bgcolor == piece.rich_style.bgcolor
        reply.add_class("-tinted")
        await pilot.pause()
        tint = reply.rich_style.bgcolor
        assert tint is not None and tint != painted_on.bgcolor
        line = piece.render_line(0)
        assert {seg.style.bgcolor for seg in line if seg.style is not None} == {tint}
        assert line.text == piece.lines[0].text


async def test_a_link_in_a_painted_piece_opens_as_in_markdown() -> None:
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await painted_reply(app, pilot, lists() * 2)
        piece = next(p for p in reply.frozen_pieces() if isinstance(p, PaintedPiece))
        await piece.action_link("http://example.test/a%20b")
        assert app.opened == ["http://example.test/a b"]  # unquoted, as Markdown does


async def test_a_reply_with_painted_pieces_is_freed_once_removed() -> None:
    """A painted reply subscribes to theme changes; a signal keeps its subscribers' callbacks,
    so a reply dropped by the transcript, or in a closed tab, stayed alive with every painted
    line of it. Removed, it unsubscribes."""
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await painted_reply(app, pilot, lists() * 2)
        assert reply._painted and reply in app.theme_changed_signal._subscriptions
        subscriptions = app.theme_changed_signal._subscriptions
        await reply.remove()
        await pilot.pause()
        assert reply not in subscriptions
        assert reply not in app.screen.screen_layout_refresh_signal._subscriptions


async def test_a_piece_removed_before_it_is_painted_is_left_alone() -> None:
    """Its reply dropped (or its tab closed) before a piece is painted: nothing is painted or
    kept for it, nothing raises (and so the renderer goes on)."""
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = EagerReply()
        await app.query_one(VerticalScroll).mount(reply)
        await pilot.pause()
        piece = Piece(lists(), parser_factory=shared_parser)
        piece.display = False
        await reply.mount(piece)
        await piece.remove()
        assert await paint_alone(piece, 98) is None
        assert await reply._settle(piece) is piece
        assert not reply._painted and not reply.query(PaintedPiece)


async def test_a_painted_piece_gives_its_text_to_a_selection() -> None:
    """Text selected with the mouse across a painted piece is its text, as shown."""
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await painted_reply(app, pilot, lists() * 2)
        piece = next(p for p in reply.frozen_pieces() if isinstance(p, PaintedPiece))
        assert piece.texts[0] == "Intro."
        selected = piece.get_selection(Selection(Offset(0, 0), Offset(5, 0)))
        assert selected == ("Intro", "\n")
        whole = piece.get_selection(Selection(None, None))
        assert whole is not None and "item 0 with stress" in whole[0]
        piece.selection_updated(Selection(Offset(0, 0), Offset(5, 0)))
        app.screen.selections = {piece: Selection(Offset(0, 0), Offset(5, 0))}
        await pilot.pause()
        line = piece.render_line(0)
        assert line.text == piece.lines[0].text  # the same characters, the selection styled
        assert line != piece.lines[0].apply_offsets(0, 0)


async def test_words_that_fit_on_the_last_line_repaint_the_tail_without_a_layout() -> None:
    """Issue 18.1: each flush laid out the whole screen (every widget of it arranged again),
    though the words added to the tail's last paragraph mostly leave its height as it was (at
    100 tok/s, about four flushes in five): a key pressed meanwhile waited for it. Such a flush
    now repaints that paragraph only. Words that wrap to a new line are laid out: the paragraph
    grows by that line and its text is all on screen."""
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = EagerReply()
        await app.query_one(VerticalScroll).mount(reply)
        await reply.append_text("Intro.\n\nShort")
        await pilot.pause()
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append, True)
        for word in [" words", " that", " fit"]:
            await reply.append_text(word)
            await pilot.pause()
        assert layouts == []
        paragraph = reply.markdown.query(MarkdownParagraph).last()
        assert str(paragraph.render()) == "Short words that fit"
        await reply.append_text(" and more" * 10)  # 110 columns: two lines
        await pilot.pause()
        assert layouts
        assert str(paragraph.render()).endswith(" and more and more")
        assert paragraph.size.height == 2
        assert paragraph.region.bottom <= reply.markdown.region.bottom


class TranscriptApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Transcript()


async def test_a_line_the_reply_grows_by_is_laid_out_once_and_followed() -> None:
    """Issue 18.1: a layout in which the reply grew by a line set the new sizes (Textual's
    virtual_size), and each size set asked for a layout and a repaint of its whole widget
    again: a second full layout, and the whole transcript painted twice, for every line of a
    reply. One layout now; the view still follows the end of the reply."""
    app = TranscriptApp()
    async with app.run_test(size=(100, 20)) as pilot:
        transcript = app.query_one(Transcript)
        reply = EagerReply()
        await transcript.add(reply)
        await reply.append_text(paragraphs()[:1500] + "\n\nLast")  # longer than the view
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append, True)
        # Settled: the transcript has drawn its rows, the frozen pieces are painted (a flush
        # that paints one lays out the swap too), and a pause lays nothing out any more.
        await pause_until(pilot, lambda: transcript.settled)
        for _ in range(3):
            await reply._show_text(final=False)
            await pilot.pause()
        assert (reply._painted or reply._fixed) and not reply._unsettled
        seen = -1
        while seen != len(layouts):
            seen = len(layouts)
            await pilot.pause()
        for _ in range(3):
            before = len(layouts)
            await reply.append_text(" and more" * 11)  # one more line, each time
            await pilot.pause()
            assert len(layouts) == before + 1
            assert transcript.scroll_y == transcript.max_scroll_y > 0
        paragraph = reply.markdown.query(MarkdownParagraph).last()
        assert paragraph.size.height == 4
        assert paragraph.region.bottom <= transcript.region.bottom


def laid_out(widget: Widget) -> int:
    """How many widgets in `widget` the layout places (displayed, all their ancestors too)."""
    return sum(1 + laid_out(child) for child in widget.children if child.display)


async def long_reply_at_its_end(app: TranscriptApp, pilot: object) -> AssistantMessage:
    """A reply of 60 paragraphs streamed into a 20-line transcript that follows its end."""
    transcript = app.query_one(Transcript)
    reply = EagerReply()
    await transcript.add(reply)
    for i in range(60):
        await reply.append_text(f"Paragraph {i}: " + "words in a row " * 12 + "\n\n")
        await pilot.pause()  # type: ignore[attr-defined]
    await pause_until(pilot, lambda: transcript.settled)  # type: ignore[arg-type]
    return reply


async def test_pieces_far_above_the_view_lay_out_no_blocks_while_a_reply_streams() -> None:
    """Issue 18.1: every layout placed every block of the reply so far, on screen or not
    (at full speed 30-45 ms each, and a key's frame waited for it). Frozen pieces more than
    two screens above the view are now not displayed, one blank widget of their height in
    their place: the blocks laid out stay about as many as a few screens hold, whatever the
    reply's length. What the view shows is the reply's end, unchanged."""
    app = TranscriptApp()
    async with app.run_test(size=(100, 20)) as pilot:
        reply = await long_reply_at_its_end(app, pilot)
        transcript = app.query_one(Transcript)
        assert len(reply.frozen_pieces()) >= 20
        assert len(reply._far.hidden) >= 5
        assert laid_out(reply) <= 25
        assert transcript.scroll_y == transcript.max_scroll_y > 0
        assert "Paragraph 59:" in "\n".join(shown_lines(reply)[-8:])
        assert clipped(reply) == []


async def test_pieces_hidden_far_above_are_shown_as_soon_as_the_view_nears_them() -> None:
    """Scrolling to the top shows the reply's first paragraph, not blank lines, and the
    reply keeps its height (nothing moves); a narrower window shows every block again."""
    app = TranscriptApp()
    async with app.run_test(size=(100, 20)) as pilot:
        reply = await long_reply_at_its_end(app, pilot)
        transcript = app.query_one(Transcript)
        height = reply.size.height
        assert reply._far.hidden
        transcript.scroll_home(animate=False, immediate=True)
        assert not reply._far.hidden  # before any frame is drawn
        await pilot.pause()
        assert reply.size.height == height
        first = reply.frozen_pieces()[0]
        assert first.display
        assert piece_lines(first)[0].startswith("Paragraph 0:")
        assert transcript.region.contains_region(first.region)
        transcript.scroll_end(animate=False, immediate=True)
        await reply.append_text("More.\n\n" * 3)
        await pilot.pause()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        transcript.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert not reply._far.hidden
        assert clipped(reply) == []  # every piece laid out anew at the narrower width
        assert transcript.region.contains_region(first.region)
