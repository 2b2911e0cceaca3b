"""The paragraphs of a streaming reply's live tail (chat/messages.py, TailPiece): one asks for
a layout only when text appended to it changes its height.

Textual lays out the whole screen after any change of a paragraph's text (every widget of it
arranged again, and a frame that repaints all it moved): each flush of a reply did, though the
words it adds mostly stay on the paragraph's last line (at 100 tok/s, about four flushes in
five), and a key pressed meanwhile waited for it (issue 18.1). The height the new text needs
at the paragraph's width is measured here (Textual would measure it in the layout anyway);
when it is the height already laid out, only the paragraph is repainted.
"""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widgets._markdown import MarkdownParagraph

from llxprt_tui.chat.sized_by_layout import virtual_size_set_by_layout


class SteadyParagraph(MarkdownParagraph):
    virtual_size = virtual_size_set_by_layout()

    def set_content(self, content: Content) -> None:
        outer, gutter = self.outer_size, self.styles.gutter
        laid_out = Size(outer.width - gutter.width, outer.height - gutter.height)
        self._content = content
        self.update(content, layout=False)
        # Not laid out yet (just mounted), or the text needs another height: a layout.
        if laid_out.width <= 0 or (
            self.get_content_height(laid_out, laid_out, laid_out.width) != laid_out.height
        ):
            self.refresh(layout=True)
