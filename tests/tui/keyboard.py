"""Keys as a terminal sends them: raw bytes through Textual's own input parser, then into the
app the way its driver delivers them. What a plain xterm (TERM=xterm-256color, no kitty
protocol, no modifyOtherKeys) sends for each key name llxprt binds."""

from __future__ import annotations

from textual import events
from textual._xterm_parser import XTermParser
from textual.pilot import Pilot

from llxprt_tui.keys import read_escape_digits_as_alt

XTERM: dict[str, str] = {
    "ctrl+t": "\x14",
    "ctrl+w": "\x17",
    "ctrl+o": "\x0f",
    "ctrl+p": "\x10",
    "ctrl+q": "\x11",
    "ctrl+j": "\n",
    "enter": "\r",
    "tab": "\t",
    "shift+tab": "\x1b[Z",
    "escape": "\x1b",
    "f1": "\x1bOP",
    "f2": "\x1bOQ",
    "f3": "\x1bOR",
    "f4": "\x1bOS",
    "f5": "\x1b[15~",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "pageup": "\x1b[5~",
    "pagedown": "\x1b[6~",
    "ctrl+home": "\x1b[1;5H",
    "ctrl+end": "\x1b[1;5F",
    "ctrl+pageup": "\x1b[5;5~",
    "ctrl+pagedown": "\x1b[6;5~",
    "left": "\x1b[D",
    "right": "\x1b[C",
    "alt+up": "\x1b[1;3A",
    "alt+down": "\x1b[1;3B",
    "alt+left": "\x1b[1;3D",
    "alt+right": "\x1b[1;3C",
    **{f"alt+{n}": f"\x1b{n}" for n in range(10)},
    **{c: c for c in "bceghijklrG"},
}


def parse(data: str) -> list[events.Key]:
    """The key events Textual makes of `data` (then end of input, as after ESCDELAY)."""
    read_escape_digits_as_alt()  # what LlxprtApp does when it starts
    parser = XTermParser()
    tokens = [*parser.feed(data), *parser.feed("")]
    return [t for t in tokens if isinstance(t, events.Key)]


async def press_raw(pilot: Pilot[None], data: str) -> None:
    """Deliver the keys of `data` as the terminal driver would."""
    app = pilot.app
    driver = app._driver
    assert driver is not None
    for event in parse(data):
        event.set_sender(app)
        driver.send_message(event)
        await pilot.pause()
    await pilot.pause()
