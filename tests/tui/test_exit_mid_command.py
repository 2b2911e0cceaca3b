"""Quitting while a slash command is on its way: the app ends. A command entered just as the
app was told to quit (ctrl+q typed fast, a SIGTERM, a browser tab closed, which quits its
`llxprt serve` app) went up to the app as a message the quitting app never handled; its tab
waited for the answer for ever, so the tab never closed and the process never ended."""

from __future__ import annotations

from llxprt_tui.chat.prompt import PromptInput
from tests.tui.conftest import SIZE, active, make_app
from tests.wire.server import WireServer


async def test_quitting_as_a_command_is_entered_ends_the_app(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        # The prompt's enter reaches the tab as the app is told to quit.
        tab.post_message(PromptInput.Submitted(tab.prompt, "/copy"))
        app.exit()
    # Leaving the block waits for the app to end: it hung there (pytest-timeout ended it).
    assert app.return_code == 0 and not app.is_running
