"""Control sequences from outside are shown, never sent to the terminal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from llxprt_runtime.terminal_text import has_controls, visible_controls

OSC52 = "\x1b]52;c;aGVsbG8=\x07"
OSC0 = "\x1b]0;owned\x07"
CSI_2J = "\x1b[2J"


def test_escape_sequences_become_visible_placeholders() -> None:
    shown = visible_controls(f"a{OSC52}b{OSC0}c{CSI_2J}d")
    assert shown == "a␛]52;c;aGVsbG8=␇b␛]0;owned␇c␛[2Jd"


def test_newline_and_tab_stay_and_crlf_is_a_newline() -> None:
    assert visible_controls("one\ttwo\r\nthree\nfour\rfive") == "one\ttwo\nthree\nfour␍five"


def test_c1_controls_and_del_are_shown() -> None:
    assert visible_controls("\x9b2J\x9d0;t\x9c\x7f") == "␛[2J␛]0;t␛\\␡"
    assert has_controls("\x9b") and not has_controls("plain\ttext\r\n")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    shown = visible_controls(text)
    assert not any((ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0 for ch in shown)
