"""Text from outside (servers, files, users) made safe to show on a terminal.

A reply, a model id or an error body may hold control sequences: OSC 52 writes the user's
clipboard, OSC 0/2 sets the window title, CSI 2J blanks the screen. Textual and Rich pass
ESC through to the terminal, so every outside string is shown with its C0/C1 controls (other
than newline and tab) replaced by visible placeholders from Unicode's Control Pictures block.
UI-free, so the TUI and `llxprt -p` share it.
"""

from __future__ import annotations

_KEPT = ("\n", "\t")
# C0 and DEL -> U+2400..U+241F, U+2421 (␛ for ESC); C1 -> ␛ and its 7-bit form (0x9B -> ␛[).
_TABLE: dict[int, str] = {
    **{code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in _KEPT},
    0x7F: "\u2421",
    **{code: "\u241b" + chr(code - 0x40) for code in range(0x80, 0xA0)},
}


def visible_controls(text: str) -> str:
    """`text` with every control character but newline and tab shown as a visible symbol
    (ESC as ␛); a CRLF line end is a plain newline."""
    return text.replace("\r\n", "\n").translate(_TABLE)


def has_controls(text: str) -> bool:
    """Whether `text` holds a control character that visible_controls() would replace."""
    return visible_controls(text) != text.replace("\r\n", "\n")
