"""The syntax lexers a restored conversation's code blocks need, loaded in a thread before its
tab is first shown (issue 18.4).

Markdown highlights a code block as it builds it, and pygments compiles a lexer's rules the
first time the process uses that language: about 19 ms for Python, paid on the event loop by
the first switch to a restored tab with code in it. Loaded here while the tab waits to be
shown, the switch finds them compiled (pygments keeps them on the lexer's class). A block that
names no language has it guessed, and pygments' first guess imports every lexer it has (about
350 ms): that is done here too."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

# The info string of a fenced code block (CommonMark: up to three spaces, ``` or ~~~).
_FENCE: Final = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[ \t]*([^`\n]*?)[ \t]*$", re.M)
MOST: Final = 8  # languages loaded at most per conversation (its text is anyone's)
LONGEST: Final = 40  # characters of an info string looked up (no language name is longer)


def fence_languages(texts: Iterable[str]) -> list[str]:
    """The distinct info strings of the code blocks in `texts` ("" for a block that names no
    language; Markdown's fences pass the whole string to the highlighter, so the same string
    is looked up), at most MOST."""
    found: dict[str, None] = {}
    for text in texts:
        if "```" not in text and "~~~" not in text:
            continue
        inside = False  # in a block: the next bare fence closes it
        for match in _FENCE.finditer(text):
            info = match.group(1)
            if inside:
                inside = bool(info)
                continue
            inside = True
            if len(info) <= LONGEST:
                found[info] = None  # "": a block that names no language
                if len(found) >= MOST:
                    return list(found)
    return list(found)


def load_lexers(languages: Iterable[str]) -> None:
    """Highlight a little in each language ("": guessed), as Markdown's code block does (for a
    thread): the lexer's module is imported and its rules compiled. A name pygments does not
    know falls back to plain text, as it does in the block."""
    from textual.highlight import highlight

    for language in languages:
        # Some code to guess from when it names none (nothing to guess from is no guess).
        highlight("" if language else "x = 1", language=language or None)
