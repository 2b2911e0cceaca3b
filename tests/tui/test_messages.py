"""The streamed reply widget: it always ends, and what it shows at the end is the Markdown of
its whole text, however the text arrived."""

from __future__ import annotations

import asyncio
from itertools import pairwise

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Label, Markdown
from textual.widgets._markdown import (
    MarkdownBlock,
    MarkdownBullet,
    MarkdownFence,
    MarkdownParagraph,
)

from llxprt_tui.chat.messages import AssistantMessage, LiveFence
from llxprt_tui.chat.transcript import Transcript
from tests.tui.conftest import pause_until


def rendered(reply: AssistantMessage) -> str:
    """The text the reply's Markdown blocks show, block after block."""
    return "\n".join(str(block.render()) for block in leaf_blocks(reply))


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
    def compose(self) -> ComposeResult:
        yield VerticalScroll()


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
        self._scanner.FREEZE_MIN, self._scanner.TAIL_MAX, self._scanner.LIST_MAX = 200, 600, 150

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
        reference = Markdown(source)
        await app.query_one(VerticalScroll).mount(reference)
        await pilot.pause()
        assert blocks(reply) == blocks(reference)
        assert reply.shown_source() == source
        assert len(reply.query(Markdown)) > 2  # it was streamed in frozen pieces


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
        assert rendered(reply) == "Intro."
        assert reply.shown_source() == reply.text
        assert reply.state == state and str(reply.footer.render()) == state


async def test_a_long_paragraph_streams_in_pieces_that_join_into_the_same_text() -> None:
    words = " ".join(f"word{i} *em{i}* `c {i}`" for i in range(150))
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = await stream(app, words, chunk=40)
        await pilot.pause()
        pieces = blocks(reply)
        assert len(pieces) > 3 and {name for name, _ in pieces} == {"MarkdownParagraph"}
        reference = Markdown(words)
        await app.query_one(VerticalScroll).mount(reference)
        await pilot.pause()
        ((_, whole),) = blocks(reference)
        assert " ".join(text for _, text in pieces) == whole


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
        pieces = list(reply.query(Markdown))[:-1]  # the last one is the live tail
        sizes = [len(piece.source) for piece in pieces]
        assert len(pieces) >= 4, sizes
        assert max(sizes) <= reply._scanner.TAIL_MAX, sizes
        await reply.append_text(source[-30:])
        await reply.finish("done", "")
        reference = Markdown(source)
        await app.query_one(VerticalScroll).mount(reference)
        await pilot.pause()
        if "\n" in source:
            assert blocks(reply) == blocks(reference)
            # And spaced alike: the blank line between two blocks stays where a piece ends.
            assert gaps(reply) == gaps(reference)
        else:  # one paragraph: its pieces join without a gap (the line breaks there)
            ((_, whole),) = blocks(reference)
            assert " ".join(text for _, text in blocks(reply)) == whole
        assert reply.shown_source() == source


def gaps(widget: Widget) -> list[int]:
    """The blank rows between each leaf block and the next, as drawn (all must be on screen)."""
    found = leaf_blocks(widget)
    assert all(block.region for block in found)
    return [b.region.y - a.region.bottom for a, b in pairwise(found)]


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


async def test_frozen_pieces_keep_their_height_until_the_width_changes() -> None:
    """Issue 18.1: each layout of a streaming reply arranged every frozen piece again (they
    are auto-height), a cost that grew with the reply; a piece now keeps the height it was
    laid out at. A narrower window lays them out anew: nothing is cut off."""
    app = ReplyApp()
    async with app.run_test(size=(100, 40)) as pilot:
        reply = EagerReply()
        await app.query_one(VerticalScroll).mount(reply)
        source = paragraphs()
        for at in range(0, len(source), 200):
            await reply.append_text(source[at : at + 200])
            await pilot.pause()
        pieces = list(reply.query(Markdown))[:-1]
        fixed = [piece for piece in pieces if not auto_height(piece)]
        assert len(fixed) >= 3
        assert clipped(reply) == []
        heights = [piece.outer_size.height for piece in pieces]
        await pilot.resize_terminal(50, 40)
        await pilot.pause()
        # Laid out anew at the narrower width (taller), not kept at the old heights.
        assert all(p.outer_size.height > h for p, h in zip(pieces, heights, strict=True))
        assert clipped(reply) == []
        await reply.append_text("\n\nMore words " * 60)
        await pilot.pause()
        await reply.finish("done", "")
        await pilot.pause()
        assert clipped(reply) == []


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
        # Settled: the transcript has drawn its rows, and a pause lays nothing out any more.
        await pause_until(pilot, lambda: transcript.settled)
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


def shown_blocks(reply: AssistantMessage) -> list[Widget]:
    """The top-level Markdown blocks of the reply's pieces the layout places (display)."""
    return [b for piece in reply.query(Markdown) if piece.display for b in piece.children]


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
        all_blocks = [b for piece in reply.query(Markdown) for b in piece.children]
        assert len(all_blocks) >= 55
        assert len(reply._far.hidden) >= 5
        assert len(shown_blocks(reply)) <= 25
        assert transcript.scroll_y == transcript.max_scroll_y > 0
        assert "Paragraph 59:" in "\n".join(str(b.render()) for b in leaf_blocks(reply)[-2:])
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
        first = leaf_blocks(reply)[0]
        assert first.parent is not None and first.parent.display
        assert str(first.render()).startswith("Paragraph 0:")
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
