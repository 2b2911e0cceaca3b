"""The bullet lists of a streaming reply's live tail (chat/messages.py, TailPiece): words added
to the list mount only its last item again, not the whole list.

Markdown.append parses the tail's last block again and, for a list, removes it and mounts the
new one: every item of the list, four widgets each, mounted, styled and laid out anew on each
flush (issue 18.1: most of a flush's cost for a list at 100 tok/s, and keys waited). Items
before the last are finished once a later item has begun (a line can only add to the last
one), so the list keeps their rows and replaces only the last row and those after it.
Anything else (another kind of block, fewer items) is drawn again whole, as Markdown does; the
reply's final render draws its tail whole in any case.
"""

from __future__ import annotations

from textual.containers import Horizontal, Vertical
from textual.widgets._markdown import (
    MarkdownBlock,
    MarkdownBullet,
    MarkdownBulletList,
    MarkdownListItem,
)


class SteadyBulletList(MarkdownBulletList):
    async def _update_from_block(self, block: MarkdownBlock) -> None:
        rows = list(self.children)
        items = [child for child in block._blocks if isinstance(child, MarkdownListItem)]
        if (
            not isinstance(block, MarkdownBulletList)
            or not rows
            or len(items) != len(block._blocks)
            or len(items) < len(rows)
        ):
            await super()._update_from_block(block)
            return
        await rows[-1].remove()
        new_rows = []
        for item in items[len(rows) - 1 :]:
            bullet = MarkdownBullet()
            bullet.symbol = item.bullet
            new_rows.append(Horizontal(bullet, Vertical(*item._blocks)))
        await self.mount_all(new_rows)
