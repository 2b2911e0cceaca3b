"""The assistant's reply: streamed Markdown, thinking and tool-call entries, the usage footer.

Imported when the first prompt is sent (Markdown and markdown-it cost ~35 ms), not before the
first frame; notices.py holds the light entries.

A reply streams without ever laying out all of itself again (issue 18): finished top-level
blocks are frozen into pieces that are never touched again (each laid out on its own as it
freezes, and painted as one widget of its lines if it holds many: chat/painted.py), only the
tail is live, and a growing code fence shows as plain lines until it closes (highlighting it
on every flush is quadratic). One task, the reply's renderer, owns every change to the pieces
while text streams; `finish` asks it to stop and waits for it (it never cancels it), then
renders the tail once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import NoScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Collapsible, Markdown, Static
from textual.widgets.markdown import MarkdownBlock

from llxprt_runtime.providers.content import ToolCallBlock, Usage
from llxprt_tui.chat.far_pieces import FarPieces
from llxprt_tui.chat.painted import PaintedPiece, height_at, paint_alone
from llxprt_tui.chat.sized_by_layout import virtual_size_set_by_layout
from llxprt_tui.chat.splitting import ReplyScanner
from llxprt_tui.chat.steady_list import SteadyBulletList
from llxprt_tui.chat.steady_paragraph import SteadyParagraph
from llxprt_tui.chat.visibility import hidden
from llxprt_tui.full_collections import FULL_COLLECTIONS
from llxprt_tui.plain_text import plain, visible_controls

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from rich.style import Style
    from textual.await_complete import AwaitComplete
    from textual.geometry import Region, Size
    from textual.timer import Timer

_log = logging.getLogger(__name__)

_PARSER: MarkdownIt | None = None


def shared_parser() -> MarkdownIt:
    """One markdown-it parser for every piece: Markdown builds a new one per update and per
    append otherwise (its rules are compiled each time). Parsing keeps no state in it."""
    global _PARSER  # a cache of an immutable-in-use parser, not a setting
    if _PARSER is None:
        from markdown_it import MarkdownIt

        # No raw HTML: a reply's `<div>` is text to read, not markup to drop.
        _PARSER = MarkdownIt("gfm-like", {"html": False})
    return _PARSER


# Text from the server must reach the terminal as text: control characters in a live fence
# (drawn as plain segments, not through Markdown) are shown as U+FFFD.
_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]}
del _CONTROLS[0x09]


class ThinkingEntry(Collapsible):
    """The model's thinking: collapsed by default, expanded on demand."""

    DEFAULT_CSS = """
    ThinkingEntry { background: transparent; border: none; padding: 0; margin: 0; }
    ThinkingEntry Static { color: $text-muted; }
    """

    def __init__(self, text: str = "") -> None:
        self._body = Static(text, markup=False)
        super().__init__(self._body, title="Thinking", collapsed=True)
        self.text = text

    def append(self, thought: str) -> None:
        self.text += thought
        self._body.update(self.text)


class ToolCallEntry(Collapsible):
    DEFAULT_CSS = """
    ToolCallEntry { background: transparent; border: none; padding: 0; margin: 0; }
    ToolCallEntry Static { color: $text-muted; }
    """

    def __init__(self, call: ToolCallBlock) -> None:
        arguments = json.dumps(dict(call.parameters), indent=2, ensure_ascii=False)
        super().__init__(
            Static(visible_controls(arguments), markup=False), title="tool call", collapsed=True
        )
        # A str title is parsed as markup; the name is the server's, so it is plain content.
        self.title = plain(f"tool call: {call.name}")  # type: ignore[assignment]
        self.call = call


class LiveFence(Widget):
    """A code fence still streaming, as plain lines: appending a line renders that line only.
    Styled like Markdown's fence; replaced by the highlighted fence when it closes."""

    DEFAULT_CSS = """
    LiveFence {
        height: auto;
        margin: 1 2;
        padding: 1 2;
        color: rgb(210,210,210);
        background: black 10%;
        &:light { background: white 30%; }
    }
    AssistantMessage > LiveFence:first-child { margin-top: 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.partial = ""
        self.source = ""
        self._look: tuple[Style, int] | None = None  # while render_lines runs

    def show(self, source: str) -> None:
        """`source`: the fence's code so far (without its opening line); grows only."""
        added = source[len(self.source) :]
        self.source = source
        head, *rest = (self.partial + added).split("\n")
        clean = [line.expandtabs(4).translate(_CONTROLS) for line in [head, *rest]]
        self.lines += clean[:-1]
        self.partial = clean[-1]
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines) + (1 if self.partial else 0)

    def render_lines(self, crop: Region) -> list[Strip]:
        # One style and width for every line of a render, so found once: each walks the
        # widget's ancestors, most of a line's cost (and a growing fence is drawn whole again
        # on each flush: a new height repaints all of it).
        self._look = (self.rich_style, self.content_region.width)
        try:
            return super().render_lines(crop)
        finally:
            self._look = None

    def render_line(self, y: int) -> Strip:
        lines = self.lines
        line = lines[y] if y < len(lines) else self.partial if y == len(lines) else ""
        style, width = self._look or (self.rich_style, self.content_region.width)
        return Strip([Segment(line)]).crop_extend(0, width, style)


class Piece(Markdown):
    """A frozen piece of a streamed reply: its first top-level block carries `-first` and its
    last `-last`, which the rules joining pieces select (AssistantMessage's CSS). Classes, not
    :first-child/:last-child: Textual styles again, whole, every child such a rule could select
    after each mount into its parent (a tail's list of 50 widgets restyled on each flush that
    added a block after it, ~30 ms each, issue 18.1; and a tenth of a page-up's CPU in a long
    tab)."""

    def _parse_markdown(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        # Parsed once, whole (a piece never changes): the first and last blocks are known.
        blocks = list(super()._parse_markdown(tokens))
        if blocks:
            blocks[0].add_class("-first", update=False)  # not mounted yet: styled at its mount
            blocks[-1].add_class("-last", update=False)
        return blocks


class TailPiece(Markdown):
    """The live tail: its paragraphs ask for a layout only when their height changes
    (chat/steady_paragraph.py), its bullet lists mount only their last items again
    (chat/steady_list.py). Its first block carries `-first` (see Piece): the first block a
    parse yields is the first child, or else it is merged into the tail's last block, which
    keeps its own classes (Markdown.append)."""

    BLOCKS: dict[str, type[MarkdownBlock]] = {
        **Markdown.BLOCKS,
        "paragraph_open": SteadyParagraph,
        "bullet_list_open": SteadyBulletList,
    }
    virtual_size = virtual_size_set_by_layout()  # (chat/sized_by_layout.py)

    def __init__(self, markdown: str = "", **kwargs: Any) -> None:
        super().__init__(markdown, **kwargs)
        self._whole = True  # the parse under way is an update's (all blocks new), or append's

    def update(self, markdown: str) -> AwaitComplete:
        self._whole = True
        return super().update(markdown)

    def append(self, markdown: str) -> AwaitComplete:
        self._whole = False
        return super().append(markdown)

    def _parse_markdown(self, tokens: Iterable[Token]) -> Iterable[MarkdownBlock]:
        # An append's first block replaces the tail's last one (merged into it, or mounted in
        # its place): the first child only if that one was.
        existing = 0 if self._whole else sum(isinstance(c, MarkdownBlock) for c in self.children)
        first = existing <= 1
        for block in super()._parse_markdown(tokens):
            if first:
                block.add_class("-first", update=False)
                first = False
            yield block


class AssistantMessage(Vertical):
    """One reply, streamed (see the module's note); at the end the pieces show the Markdown of
    the whole text."""

    DEFAULT_CSS = """
    AssistantMessage { height: auto; margin: 1 0 0 0; padding: 0 1; }
    AssistantMessage > Markdown { margin: 0; padding: 0; }
    /* Pieces are spaced as one Markdown spaces its blocks. Within one, margins collapse (the
       larger of a bottom and the next top); across two pieces they add up, and every
       top-level block ends with a blank line: a piece's first block keeps only what its top
       margin has beyond that one (H1 and H2 have two). A piece cut inside a paragraph (or a
       list) joins the next without a gap. Whole margins each time: in Textual, a rule's
       margin-top sets the other sides to 0 too. */
    AssistantMessage > .-after > .-first { margin: 0 0 1 0; }
    AssistantMessage > .-after > MarkdownH1.-first { margin: 1 0 1 0; }
    AssistantMessage > .-after > MarkdownH2.-first { margin: 1 0 1 0; }
    AssistantMessage > .-cut > .-last { margin: 0; }
    AssistantMessage > .reply-footer { color: $text-muted; }
    AssistantMessage.-cancelled > .reply-footer { color: $warning; }
    AssistantMessage.-failed > .reply-footer { color: $error; }
    """

    virtual_size = virtual_size_set_by_layout()  # (chat/sized_by_layout.py)

    FLUSH_SECONDS: ClassVar[float] = 0.05
    FREEZE_SECONDS: ClassVar[float] = 0.25  # a flush freezes pieces for about this long at most
    THEME_SETTLED_SECONDS: ClassVar[float] = 0.3  # painted pieces are painted again after
    # A frozen piece of fewer widgets (paragraphs, a code block) is kept as Markdown: painting
    # costs per line (a 900-line code block ~280 ms), what it saves layouts per widget.
    PAINT_MIN_WIDGETS: ClassVar[int] = 6
    # The next flush waits this many times the last one's cost: rendering stays a bounded share
    # of the event loop however costly a flush gets; but at most FLUSH_MAX_SECONDS: a longer
    # wait piles up more text for the next flush to freeze, whose cost grows with it.
    FLUSH_COST_FACTOR: ClassVar[float] = 3.0
    FLUSH_MAX_SECONDS: ClassVar[float] = 0.2
    # Full collections are given back this long after the reply ends: the one that is due then
    # (~110 ms with a long reply on screen) held up the frame showing the end, and escape with
    # it, when it ran at once; the terminal needs the frame's text first.
    COLLECT_AFTER_SECONDS: ClassVar[float] = 0.25

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[str] = []
        self._scanner = ReplyScanner()
        self.markdown: Markdown = TailPiece("", parser_factory=shared_parser)  # the live tail
        self.footer = Static("", classes="reply-footer", markup=False)
        self._fence: LiveFence | None = None
        self._fence_opening = ""
        self._pieces = 0
        self._frozen_upto = 0  # text before this offset is in frozen pieces
        self._queued: list[tuple[int, bool]] = []  # pieces the scanner cut, not yet frozen
        self._thinking: ThinkingEntry | None = None
        self._renderer: asyncio.Task[None] | None = None
        self._holds_collections = False  # full collections wait while it streams
        # Frozen pieces once settled (_settle): painted, or Markdown of a fixed height; and
        # those frozen while the reply had no width yet.
        self._painted: list[PaintedPiece] = []
        self._fixed: dict[Piece, int] = {}  # with the width its height was found at
        self._unsettled: list[Piece] = []
        self._settled_width = 0  # the reply's width when its pieces were last settled
        self._themed = False  # subscribed to theme changes (which repaint the painted pieces)
        self._theme_timer: Timer | None = None
        self._theme_pending = False  # a theme changed while the reply was hidden
        # Held by whatever changes the pieces: the renderer's flushes, finish, a repaint.
        self._changing = asyncio.Lock()
        self._far = FarPieces(self)  # painted pieces far above the view lay nothing out
        self._wake = asyncio.Event()
        self._ending = asyncio.Event()
        self.state = "waiting"
        self._rendered = True
        # The renderer found the reply hidden: deltas only buffer (no wake per delta) until
        # on_show wakes it.
        self._parked = False
        self._footer_text = ""
        self._branch = ""  # "‹ 2/3 ›" when the reply has siblings (chat/branches.py)
        self._ended_with: tuple[str, Sequence[ToolCallBlock]] = ("", ())  # see drawn()

    @classmethod
    def drawn(
        cls,
        text: str,
        state: str,
        footer: str,
        thinking: str = "",
        calls: Sequence[ToolCallBlock] = (),
    ) -> AssistantMessage:
        """A reply that has ended, drawn whole at once: restored from the store, or drawn
        again when the transcript scrolls back to it. Its text is shown as it is given."""
        reply = cls()
        reply._parts = [text]
        reply.state = state
        reply._ended_with = (thinking, tuple(calls))
        reply.markdown = Markdown(text, parser_factory=shared_parser)
        reply._footer_text = footer
        reply._show_footer()
        reply.set_class(state == "cancelled", "-cancelled")
        reply.set_class(state == "failed", "-failed")
        return reply

    def recipe(self) -> Callable[[], Widget] | None:
        """How the transcript draws this reply again once it has dropped it; None while it
        streams (a streaming reply is never dropped)."""
        if self.state in ("waiting", "streaming"):
            return None
        thinking = self._thinking.text if self._thinking is not None else ""
        calls = tuple(entry.call for entry in self.query(ToolCallEntry))
        footer = self._footer_text  # without its branch mark: the transcript adds it
        return partial(AssistantMessage.drawn, self.text, self.state, footer, thinking, calls)

    def compose(self) -> ComposeResult:
        thinking, calls = self._ended_with
        if thinking:
            self._thinking = ThinkingEntry(thinking)
            yield self._thinking
        yield self.markdown
        for call in calls:
            yield ToolCallEntry(call)
        yield self.footer

    @property
    def text(self) -> str:
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def shown_source(self) -> str:
        """The Markdown source of what the pieces show now (frozen, live fence, tail)."""
        fence = self._fence
        live = (self._fence_opening + fence.source) if fence is not None else ""
        return self.text[: self._frozen_upto] + live + self.markdown.source

    async def append_text(self, text: str) -> None:
        """Buffer a delta for the renderer (started here, in the stream's task, on the first
        delta), which renders at most every FLUSH_SECONDS and then more rarely as flushes cost
        more: a fast stream costs a few dozen renders, not one per token."""
        self._parts.append(text)
        self.state = "streaming"
        if self._renderer is None:
            self._holds_collections = True
            FULL_COLLECTIONS.hold()
            self._renderer = asyncio.create_task(self._render_loop(), name="reply renderer")
        if not self._parked:
            self._wake.set()

    async def _render_loop(self) -> None:
        while not self._ending.is_set():
            await self._wake.wait()
            self._wake.clear()
            if self._ending.is_set():
                return
            if hidden(self):
                # In a tab that is not shown: keep buffering (ten tabs streaming at once cost
                # one tab's rendering); on_show wakes this loop.
                self._parked = True
                continue
            began = time.perf_counter()
            await self._show_text(final=False)
            cost = time.perf_counter() - began
            pause = min(
                max(self.FLUSH_SECONDS, self.FLUSH_COST_FACTOR * cost), self.FLUSH_MAX_SECONDS
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ending.wait(), pause)

    async def _show_text(self, *, final: bool) -> None:
        """Show the text received so far: freeze what the scanner says is finished, keep the
        live fence or the tail up to date. `final`: the text is complete."""
        async with self._changing:
            # Before this flush's changes ask for a layout: painting pieces or hiding far ones
            # then costs none of its own.
            await self._settle_unsettled()
            if self._far.started:
                width = self.size.width
                fixed = [piece for piece, at in self._fixed.items() if at == width]
                self._far.update(self.frozen_pieces(), {*self._painted, *fixed})
            text = self.text
            cut = self._scanner.feed(text, final=final)
            self._queued += cut.pieces
            if self._queued:
                await self._freeze(text)
            if self._queued:
                # Catching up with text that came faster than it is drawn: the pieces show as
                # they are frozen, a flush's worth at a time; the live tail waits for them.
                await self._close_fence()
                if self.markdown.source:
                    await self.markdown.update("")
                return
            if cut.fence_start is not None and not final:
                await self._show_fence(text, cut.fence_start)
            else:
                await self._close_fence()
                tail, shown = text[self._frozen_upto :], self.markdown.source
                if final or not (shown and tail.startswith(shown)):
                    # At the end, once: Markdown.append can leave a block half-parsed.
                    await self.markdown.update(tail)
                elif tail != shown:
                    await self.markdown.append(tail[len(shown) :])

    async def _show_all(self, *, final: bool) -> None:
        """Show the text received so far, however many flushes it takes to freeze what is
        queued (each shows its pieces; keys and frames get in between)."""
        await self._show_text(final=final)
        while self._queued and self.is_attached:
            await self._show_text(final=final)

    async def _freeze(self, text: str) -> None:
        """Each of text[_frozen_upto:end] for (end, joined) queued by the scanner becomes a
        piece never touched again, the tail the rest. The pieces are mounted and painted one at
        a time, hidden (mounting one's blocks is the costly part, so key presses are handled
        between them), then show in one frame with the new tail: as many as FREEZE_SECONDS
        allow (at least one), the rest at the next flush. At full speed a flush froze all that
        had come since the last (a list: seconds of mounting) and showed nothing until the
        end of it."""
        start, mounted = self._frozen_upto, list[Widget]()
        if not self._far.started:
            await self._far.start(before=self.markdown)
            self.screen.screen_layout_refresh_signal.subscribe(self, self._laid_out, True)
        began = time.perf_counter()
        while self._queued and (not mounted or time.perf_counter() - began < self.FREEZE_SECONDS):
            end, joined = self._queued.pop(0)
            source = text[start:end]
            if source.strip():
                classes = ("-after " if self._pieces else "") + ("-cut" if joined else "")
                piece = Piece(source, parser_factory=shared_parser, classes=classes.strip())
                piece.display = False
                await self.mount(piece, before=self.markdown)
                mounted.append(await self._settle(piece))
                self._pieces += 1
            start = end
        with self.app.batch_update():
            if self._fence is not None:
                # The fence closed: the highlighted fence replaces the plain one, once.
                await self._fence.remove()
                self._fence = None
            for shown in mounted:
                shown.display = True
            self._frozen_upto = start
            self.markdown.add_class("-after")
            await self.markdown.update("")

    def frozen_pieces(self) -> list[Widget]:
        """The frozen pieces, in order (painted and hidden ones too)."""
        tail = self.markdown
        return [
            child
            for child in self.children
            if isinstance(child, Piece | PaintedPiece) and child is not tail
        ]

    async def _settle(self, piece: Piece) -> Widget:
        """A frozen Markdown piece (mounted, not displayed) laid out on its own at the reply's
        width: painted, one widget of its lines (chat/painted.py) mounted in its place (not
        displayed either) and the piece removed; or, if it holds few widgets, kept at the
        height found. Each layout of the reply placed every widget of the pieces near the view
        otherwise (a list item alone is four), and arranged every auto-height piece again.
        Before the reply has a width: the piece itself, settled by the next flush."""
        width = self.size.width
        if width <= 0 or not piece.is_attached:  # (or the app is closing)
            self._unsettled.append(piece)
            return piece
        if sum(1 for _ in piece.walk_children()) < self.PAINT_MIN_WIDGETS:
            piece.styles.height = height_at(piece, width)
            self._fixed[piece] = width
            return piece
        if not self._themed:
            self._themed = True
            self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        classes = " ".join(piece.classes)
        lines = await paint_alone(piece, width)
        if lines is None or not piece.is_attached:  # removed meanwhile, or the app closing
            return piece
        painted = PaintedPiece(piece.source, lines, width, classes, piece.rich_style.bgcolor)
        painted.display = False
        await self.mount(painted, before=piece)
        if not painted.is_attached:  # (the reply is being removed: nothing was mounted)
            return piece
        if piece.display:  # shown unsettled until now: in one frame
            with self.app.batch_update():
                piece.display = False
                painted.display = True
        await piece.remove()
        self._painted.append(painted)
        return painted

    async def _settle_unsettled(self) -> None:
        if self._unsettled and self.size.width > 0:
            pieces, self._unsettled = self._unsettled, []
            for piece in pieces:
                if piece.is_attached:
                    await self._settle(piece)

    def _theme_changed(self, _theme: object) -> None:
        # Once the theme has stayed a moment (the theme picker previews each theme the cursor
        # passes), and in a hidden tab once it is shown.
        if self._theme_timer is not None:
            self._theme_timer.stop()
        self._theme_timer = self.set_timer(self.THEME_SETTLED_SECONDS, self._theme_settled)

    def _theme_settled(self) -> None:
        self._theme_timer = None
        if hidden(self):
            self._theme_pending = True
        else:
            self.call_later(self._repaint, True)

    def _laid_out(self, screen: object) -> None:
        self._far.laid_out(screen)
        # A layout that narrowed the reply (a scrollbar came) can come some frames before its
        # Resize event: fixed heights found at the old width cut a line off meanwhile.
        self.on_resize()

    def on_resize(self) -> None:
        width = self.size.width
        if width != self._settled_width:
            self._settled_width = width
            self._far.show_all()  # laid out anew at this width: all of them
            for piece in self._fixed:
                # Laid out by the screen until _repaint fixes their height at this width: a
                # height found at another width may cut a line off.
                piece.styles.height = "auto"
                self._fixed[piece] = 0
            self.call_later(self._repaint)

    async def _repaint(self, theme: bool = False) -> None:
        """Settle the pieces again at a new width (or all painted ones in a new theme): the
        painted ones each from a Markdown piece of its source, mounted hidden, shown in its
        place once painted; the others at their height at the new width. And those frozen
        before the reply had a width."""
        async with self._changing:
            if not self.is_attached:
                return
            self._far.show_all()
            await self._settle_unsettled()
            width = self.size.width
            for piece, fixed_at in list(self._fixed.items()):
                if not piece.is_attached:
                    del self._fixed[piece]
                elif width > 0 and (fixed_at != width or theme):  # (ANSI themes: other margins)
                    piece.styles.height = height_at(piece, width)
                    self._fixed[piece] = width
            painted, self._painted = self._painted, []
            left = list(reversed(painted))  # put back if this stops half-way (or raises)
            try:
                while left:
                    old = left[-1]
                    if not self.is_attached or self.size.width <= 0:
                        break  # painted again on the next resize
                    left.pop()
                    if not old.is_attached:
                        continue
                    if old.width == self.size.width and not theme:
                        self._painted.append(old)
                        continue
                    classes = " ".join(old.classes)
                    piece = Piece(old.source, parser_factory=shared_parser, classes=classes)
                    piece.display = False
                    await self.mount(piece, before=old)
                    new = await self._settle(piece)  # (in order: _painted gets it last)
                    with self.app.batch_update():
                        old.display = False
                        new.display = True
                    await old.remove()
            finally:
                self._painted += [p for p in reversed(left) if p.is_attached]

    async def _show_fence(self, text: str, start: int) -> None:
        opening_end = text.index("\n", start) + 1
        if self._fence is None:
            self._fence_opening = text[start:opening_end]
            self._fence = LiveFence()
            if self._pieces:
                self._fence.add_class("-after")
            await self.mount(self._fence, before=self.markdown)
        self._fence.show(text[opening_end:])

    async def _close_fence(self) -> None:
        if self._fence is not None:
            await self._fence.remove()
            self._fence = None

    async def on_show(self) -> None:
        if self.state == "streaming":
            self._parked = False
            self._wake.set()
        elif not self._rendered:
            # Finished while its tab was hidden: render the rest now that it is seen.
            self._rendered = True
            await self._show_all(final=True)
        if self._theme_pending:
            self._theme_pending = False
            self.call_later(self._repaint, True)

    def on_unmount(self) -> None:
        self._ending.set()
        self._wake.set()
        self._release_collections()
        # A signal keeps its subscribers' callbacks: the reply, and every painted line of it,
        # stayed alive after it was dropped or its tab closed.
        if self._themed:
            self.app.theme_changed_signal.unsubscribe(self)
        if self._far.started:
            with contextlib.suppress(NoScreen):
                self.screen.screen_layout_refresh_signal.unsubscribe(self)

    def _release_collections(self) -> None:
        if self._holds_collections:
            self._holds_collections = False
            FULL_COLLECTIONS.release()

    async def append_thinking(self, thought: str) -> None:
        if self._thinking is None:
            self._thinking = ThinkingEntry()
            await self.mount(self._thinking, before=0)
        self._thinking.append(thought)

    async def add_tool_call(self, call: ToolCallBlock) -> None:
        await self.mount(ToolCallEntry(call), before=self.footer)

    async def finish(self, state: str, footer: str) -> None:
        """Stop streaming: the renderer ends by itself (it is never cancelled: a task cancelled
        before it ran raises CancelledError into whoever awaits it), then the tail, and only
        the tail, is rendered once with the whole text. Full collections are given back
        COLLECT_AFTER_SECONDS later."""
        self._ending.set()
        self._wake.set()
        renderer = self._renderer
        if renderer is not None:
            await asyncio.wait({renderer})
            if not renderer.cancelled() and renderer.exception() is not None:
                _log.error("reply renderer failed", exc_info=renderer.exception())
        self.state = state
        self._rendered = not hidden(self)
        try:
            if self._rendered:
                # Cut inside a code fence: the fence stays as it streamed, plain lines. Drawing
                # it as Markdown now (highlighting every line of it) held up escape for seconds
                # in a long fence; drawn again later (scrolled away and back, restored) it is
                # highlighted.
                cut_in_fence = state != "done" and self._fence is not None
                await self._show_all(final=not cut_in_fence)
        finally:
            if self.is_attached:
                self.set_timer(self.COLLECT_AFTER_SECONDS, self._release_collections)
            else:
                self._release_collections()
        self.set_class(state == "cancelled", "-cancelled")
        self.set_class(state == "failed", "-failed")
        self._footer_text = footer
        self._show_footer()

    def show_branch(self, mark: str) -> None:
        """Which of its siblings this reply is ("‹ 2/3 ›"), before the footer; "" for none."""
        self._branch = mark
        self._show_footer()

    def _show_footer(self) -> None:
        self.footer.update(" · ".join(p for p in (self._branch, self._footer_text) if p))


def usage_line(
    usage: Usage | None, first_token_seconds: float | None, stream_seconds: float | None
) -> str:
    """The footer under a reply: tokens in/out, time to first token, tokens per second."""
    parts: list[str] = []
    if usage is not None:
        parts.append(f"↑ {usage.prompt_tokens} ↓ {usage.completion_tokens} tokens")
    if first_token_seconds is not None:
        parts.append(f"first token {first_token_seconds:.2f} s")
    if usage is not None and stream_seconds and usage.completion_tokens:
        parts.append(f"{usage.completion_tokens / stream_seconds:.0f} tok/s")
    return " · ".join(parts)
