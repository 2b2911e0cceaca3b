"""Where a streaming reply's Markdown can be cut into pieces that render alike apart.

A reply streams into pieces (see messages.py): everything before a cut is frozen and never
rendered again. A cut is safe where the Markdown before it cannot change meaning with what
follows: a blank line outside a fence followed by an unindented line that does not continue
a list, or the opening or closing line of an unindented code fence. A long paragraph with no
such place is cut at a space (the pieces then join without a gap: the line breaks there).
This module only reads text; it knows nothing of widgets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)$")
# A block that starts with one of these is not a plain paragraph: never cut inside it.
_NOT_PLAIN = re.compile(r"[ \t]*(?:[#>|<]|[-*+][ \t]|\d{1,9}[.)][ \t]|[-*_=]{3,}|\[|```|~~~)")


@dataclass(frozen=True)
class Cut:
    """frozen_upto: text before it is finished; joined: that last cut was inside a paragraph;
    fence_start: where an unindented fence that is still open begins (None: no open fence);
    pieces: the pieces frozen since the last feed, as (end, joined), the last ending at
    frozen_upto. Text that piled up between two feeds is cut into several pieces of about
    FREEZE_MIN, so no one piece costs long to mount."""

    frozen_upto: int
    joined: bool = False
    fence_start: int | None = None
    pieces: tuple[tuple[int, bool], ...] = ()


def _marker(item: str) -> str:
    first = item.lstrip()[:1]
    return first if not first.isdigit() else item.lstrip("0123456789")[:1]


class ReplyScanner:
    """Reads a growing reply line by line (each line once) and says where it may be cut."""

    FREEZE_MIN = 1_500  # a frozen piece holds at least this much (fewer, larger pieces)
    TAIL_MAX = 4_000  # a plain paragraph longer than this is cut at a space
    LIST_MAX = 200  # a live list longer than this is cut before an item (Textual mounts the
    # whole list again on each append: the live tail's list is most of a flush's cost)
    LIST_PIECE_MIN = 600  # but a list that piled up is cut into pieces of at least this much
    # (fewer pieces to mount and paint when a flush comes late)

    def __init__(self) -> None:
        self._pos = 0  # the start of the first line not read yet
        self._fence: tuple[str, int, bool] | None = None  # char, length, unindented
        self._fence_start: int | None = None
        self._blank = False
        self._block_is_list = False
        self._block_plain = False
        self._marker = ""  # the current list's marker kind: "-", "*", "+", "." or ")"
        self._item = 0  # the start of the current list's latest item
        self._boundary = 0  # the latest safe cut
        self._frozen = 0
        self._joined = False
        # Safe cuts after _frozen, in order, as (position, joined): where a span frozen at once
        # may be split into pieces.
        self._cuts: list[tuple[int, bool]] = []
        self._out: list[tuple[int, bool]] = []  # pieces frozen since the last feed
        self._taken = 0  # where the pieces the last feed gave ended

    def feed(self, text: str, *, final: bool = False) -> Cut:
        """`text`: the whole reply so far (it only ever grows)."""
        while True:
            end = text.find("\n", self._pos)
            if end < 0:
                break
            self._line(text, self._pos, end)
            self._pos = end + 1
        long_list = self.LIST_MAX
        if self._fence is None and self._boundary - self._frozen >= self.FREEZE_MIN:
            self._advance(self._boundary, joined=False)
        elif self._fence is None and self._plain(text):
            self._cut_paragraph(text)
        elif self._fence is None and self._block_is_list and self._item - self._frozen > long_list:
            # A long list: cut before an item of the same list (the pieces number on).
            self._advance(self._item, joined=True)
        if final:
            # Frozen as it would have been streamed slower: the tail drawn at the end holds
            # only what came after the last cut (at full speed it held all that came during
            # the last flush: one layout of 2,700 widgets, 2 s, for a long list).
            return Cut(self._frozen, self._joined, pieces=self._take_pieces())
        return Cut(self._frozen, self._joined, self._fence_start, self._take_pieces())

    def _take_pieces(self) -> tuple[tuple[int, bool], ...]:
        """The pieces frozen since the last feed; a piece under FREEZE_MIN that ends at a
        block boundary joins the next one (a paragraph before a fence that opened and closed
        meanwhile stays with it, as it shows when streamed slower)."""
        pieces: list[tuple[int, int, bool]] = []  # start, end, joined
        start = self._taken
        for end, joined in self._out:
            if pieces and not pieces[-1][2] and pieces[-1][1] - pieces[-1][0] < self.FREEZE_MIN:
                pieces[-1] = (pieces[-1][0], end, joined)
            else:
                pieces.append((start, end, joined))
            start = end
        self._out, self._taken = [], self._frozen
        return tuple((end, joined) for _, end, joined in pieces)

    def _cut_at(self, at: int, *, joined: bool) -> None:
        """A safe cut (a block boundary; joined: before a list item) a later freeze may use."""
        if at > self._frozen and (not self._cuts or at > self._cuts[-1][0]):
            self._cuts.append((at, joined))

    def _advance(self, to: int, *, joined: bool) -> None:
        """Freeze up to `to`: in one piece, or in several at the safe cuts before it when
        much text piled up (each piece at least FREEZE_MIN, or LIST_PIECE_MIN ending before an
        item)."""
        if to <= self._frozen:
            return
        last = self._frozen
        for at, at_joined in self._cuts:
            if at >= to:
                break
            least = self.LIST_PIECE_MIN if at_joined else self.FREEZE_MIN
            if at - last >= least and to - at >= least:
                self._out.append((at, at_joined))
                last = at
        self._out.append((to, joined))
        self._frozen, self._joined = to, joined
        self._cuts = [cut for cut in self._cuts if cut[0] > to]

    def _plain(self, text: str) -> bool:
        """Whether the block being read is a plain paragraph (its first line may be the
        unfinished line: a reply in one long paragraph has no line break at all)."""
        partial = text[self._pos :]
        fresh = self._pos == 0 or self._blank or (self._pos == self._frozen and not self._joined)
        if fresh and partial:
            return not partial[0].isspace() and not _NOT_PLAIN.match(partial)
        return self._block_plain

    def _line(self, text: str, start: int, end: int) -> None:
        line = text[start:end]
        fence = _FENCE.match(line)
        if self._fence is not None:
            char, length, unindented = self._fence
            if fence and fence.group(2)[0] == char and len(fence.group(2)) >= length:
                if not fence.group(3).strip():
                    self._fence = None
                    if unindented:  # the whole fence is one finished piece
                        self._advance(end + 1, joined=False)
                        self._boundary = end + 1
                        self._fence_start = None
                        self._blank = False
            return
        if not line.strip():
            self._blank = True
            return
        unindented = not line[0].isspace()
        is_item = bool(_LIST_ITEM.match(line))
        if fence and unindented and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            # An unindented fence ends any block before it: freeze that, show the fence live.
            self._fence = (fence.group(2)[0], len(fence.group(2)), True)
            self._cut_at(start, joined=False)
            self._advance(start, joined=False)
            self._boundary = start
            self._fence_start = start
            self._blank = False
            self._block_plain = self._block_is_list = False
            return
        if fence and not (fence.group(2)[0] == "`" and "`" in fence.group(3)):
            self._fence = (fence.group(2)[0], len(fence.group(2)), False)
        new_block = start == 0 or (self._blank and unindented)
        if self._blank and unindented and not (is_item and self._block_is_list):
            self._boundary = start
            self._cut_at(start, joined=False)
        if is_item and unindented and self._block_is_list and _marker(line) != self._marker:
            self._boundary = start  # another kind of marker starts another list
            self._cut_at(start, joined=False)
            self._block_is_list = False
        if is_item and unindented and self._block_is_list:
            self._item = start
            self._cut_at(start, joined=True)
        if new_block and not (is_item and self._block_is_list):
            self._block_is_list = is_item
            self._marker = _marker(line) if is_item else ""
            self._block_plain = not _NOT_PLAIN.match(line) and self._fence is None
        elif _NOT_PLAIN.match(line):
            self._block_plain = False  # a list, heading or table row joins the paragraph
        self._blank = False

    def _cut_paragraph(self, text: str) -> None:
        """A plain paragraph longer than TAIL_MAX: cut it at spaces where no inline markup
        is open and the rest starts with a letter (so it cannot start a block), into pieces
        of at most TAIL_MAX (however much arrived since the last cut)."""
        start = max(self._frozen, self._boundary)
        while len(text) - start > self.TAIL_MAX:
            at = self._space_cut(text, start)
            if at is None:
                return  # the next flush tries again
            self._advance(at + 1, joined=True)
            start = at + 1

    def _space_cut(self, text: str, start: int) -> int | None:
        lowest = start + self.TAIL_MAX // 2
        at = text.rfind(" ", lowest, min(start + self.TAIL_MAX, len(text) - 1))
        for _ in range(50):  # bounded
            if at <= start:
                return None
            piece = text[start:at]
            if (
                text[at + 1].isalpha()
                and piece.count("`") % 2 == 0
                and piece.count("*") % 2 == 0
                and piece.count("[") == piece.count("]")
            ):
                return at
            at = text.rfind(" ", lowest, at)
        return None
