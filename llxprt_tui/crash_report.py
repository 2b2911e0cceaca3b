"""What the terminal shows after a crash: the traceback, without any frame's local values.

Textual's own report prints every frame's locals (up to 80 characters of each string), so a
key held in a local variable reached the terminal and its scrollback. The text also goes
through the debug log's credential redactor, and its control characters are made visible.
"""

from __future__ import annotations

import io

import rich
from rich.console import Console
from rich.text import Text
from rich.traceback import Traceback

from llxprt_runtime.api import redact_credentials, visible_controls


def crash_report(width: int) -> Text:
    """The exception being handled, as plain text: no locals, credentials redacted."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    console.print(Traceback(show_locals=False, suppress=[rich]))
    return Text(visible_controls(redact_credentials(buffer.getvalue())))
