"""Floors for bench/tui.py: bare Textual apps doing the least the measured thing needs.

floor_apps.py static         one Static: the first-frame floor
floor_apps.py layout         the chat app's widgets (tabs, scroll, prompt, status, footer) and
                             nothing else: what that layout alone costs Textual
floor_apps.py log BASE_URL   enter streams a reply with the bare openai SDK into a Log
floor_apps.py escape         escape shows a count: the least an escape needs to be seen, with
                             llxprt's key thread (its driver) as the measured app has
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.driver import Driver
from textual.widgets import Footer, Log, OptionList, Static, TabbedContent, TabPane, TextArea


class StaticFloor(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("FLOOR-READY ^p")


class LayoutFloor(App[None]):
    BINDINGS = [("ctrl+t", "noop", "New tab")]

    def compose(self) -> ComposeResult:
        with TabbedContent(), TabPane("tab 1"), Vertical():
            with VerticalScroll():
                yield Static("FLOOR-READY\nWelcome")
            yield OptionList()
            yield TextArea()
        yield Static("status")
        yield Footer()


class EscapeFloor(App[None]):
    BINDINGS = [("escape", "escaped", "Escape")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def get_driver_class(self) -> type[Driver]:
        from llxprt_tui.terminal_driver import HangupSafeDriver

        return HangupSafeDriver

    def compose(self) -> ComposeResult:
        yield Static("FLOOR-READY")

    def action_escaped(self) -> None:
        self.count += 1
        self.query_one(Static).update(f"FLOOR-ESCAPED {self.count}")


class LogFloor(App[None]):
    BINDINGS = [("enter", "go", "go")]

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def compose(self) -> ComposeResult:
        yield Static("FLOOR-READY", id="state")
        yield Log()

    async def action_go(self) -> None:
        self.run_worker(self.stream())

    async def stream(self) -> None:
        from openai import AsyncOpenAI

        client = AsyncOpenAI(api_key="sk-bench", base_url=self.base_url, max_retries=0)
        log = self.query_one(Log)
        response = await client.chat.completions.create(
            model="gpt-5", messages=[{"role": "user", "content": "go"}], stream=True
        )
        async for chunk in response:
            if chunk.choices and chunk.choices[0].delta.content:
                log.write(chunk.choices[0].delta.content)
        self.query_one("#state", Static).update("FLOOR-DONE")


if __name__ == "__main__":
    if sys.argv[1] == "static":
        StaticFloor().run()
    elif sys.argv[1] == "layout":
        LayoutFloor().run()
    elif sys.argv[1] == "escape":
        EscapeFloor().run()
    else:
        LogFloor(sys.argv[2]).run()
