"""Fixtures for driving the real app with Pilot against the loopback wire server."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from textual.pilot import Pilot
from textual.widgets import Input, RadioButton

from llxprt_runtime.bootstrap import CliOverrides
from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.notices import ErrorNotice, Notice
from llxprt_tui.chat.tab import ChatTab
from llxprt_tui.screens.key_entry import KeyEntryScreen
from tests.providers.conftest import base_url
from tests.wire.server import WireServer

SIZE = (100, 32)


def fixed_clock(step: float = 0.25) -> Callable[[], float]:
    """A clock that advances by `step` on every reading: reply timings are deterministic."""
    ticks = count()
    return lambda: next(ticks) * step


def make_app(
    server: WireServer | None = None,
    provider: str = "openai",
    key: str | None = "sk-tui",
    **extra: object,
) -> LlxprtApp:
    overrides = CliOverrides()
    if server is not None:
        overrides = CliOverrides(
            provider=provider,
            base_url=base_url(provider, server),
            key=key,
            **extra,  # type: ignore[arg-type]
        )
    app = LlxprtApp(overrides, clock=fixed_clock(), progress_clock=fixed_clock())
    app.animation_level = "none"
    return app


async def wait_until(pilot: Pilot[None], predicate: Callable[[], bool]) -> None:
    """Pause until `predicate()` holds (streams finish on their own schedule). No deadline
    of its own: on a loaded machine any deadline is a guess; pytest-timeout ends a hang."""
    while not predicate():
        # A crashed app (or a timeout raised inside it) never makes the condition true.
        if not pilot.app.is_running:
            raise AssertionError("the app stopped before the condition held")
        await pilot.pause(0.02)


async def pause_until(pilot: Pilot[None], predicate: Callable[[], bool], pauses: int = 50) -> None:
    """Pause until `predicate()` holds, at most `pauses` times, for a state a few messages
    away (each pause lets every widget on the screen handle what it was sent before it; a
    message bubbling from a tab to the app takes one pause per hop). Unlike wait_until it
    gives up, so a wrong state fails on the assert that follows, with its diff."""
    for _ in range(pauses):
        if predicate():
            return
        await pilot.pause()


async def press_new_tab(pilot: Pilot[None], key: str = "ctrl+t") -> ChatTab:
    """Press the new-tab key; the new tab once it is shown and has its runtime (the key
    starts an action: on a loaded machine the tab may appear after the press returns)."""
    app = pilot.app
    assert isinstance(app, LlxprtApp)
    await app.wait_ready()  # the first tab set up: a key pressed earlier may open a hidden tab
    before = app.chat_tabs()
    await pilot.press(key)
    await wait_until(pilot, lambda: app.active_tab() not in (None, *before))
    tab = active(pilot)
    await tab.ready()
    return tab


async def type_and_send(pilot: Pilot[None], text: str) -> None:
    """Type `text` into the shown tab's prompt and press enter; it is handled (a command
    run, a reply started) by the time this returns. Pilot's own wait for the key to be
    handled is a guess: wait_for_idle reads a CPU-starved process as idle."""
    tab = active(pilot)
    handled = tab.prompts_handled
    tab.prompt.focus()
    tab.prompt.load_text(text)
    await pilot.press("enter")
    await wait_until(pilot, lambda: tab.prompts_handled > handled)


def active(pilot: Pilot[None]) -> ChatTab:
    app = pilot.app
    assert isinstance(app, LlxprtApp)
    tab = app.active_tab()
    assert tab is not None
    return tab


async def send_and_wait(pilot: Pilot[None], text: str) -> ChatTab:
    """Type and send `text`, then wait for its reply (if any) to end; the tab it went to."""
    tab = active(pilot)
    await type_and_send(pilot, text)
    await wait_until(pilot, lambda: not tab.streaming)
    await pilot.pause()
    return tab


async def send_to(pilot: Pilot[None], tab: ChatTab, text: str) -> str:
    """Send `text` from `tab`, shown or not, and wait for the reply to end; its text."""
    await tab.send(text)
    await wait_until(pilot, lambda: not tab.streaming)
    return tab.session.last_reply_text() or ""


def notices(app: LlxprtApp) -> str:
    return "\n".join(str(n.render()) for n in app.query(Notice))


def errors(app: LlxprtApp) -> str:
    return "\n".join(str(n.render()) for n in app.query(ErrorNotice))


async def enter_key(pilot: Pilot[None], value: str, *, name: str | None, tab_only: bool) -> None:
    await pilot.press("f2")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyEntryScreen))
    screen = pilot.app.screen
    screen.query_one("#key-value", Input).value = value
    if name is not None:
        screen.query_one("#key-name", Input).value = name
    if tab_only:
        screen.query_one("#tab-only", RadioButton).value = True
    await pilot.pause()
    await pilot.click("#save")
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, KeyEntryScreen))
    await pilot.pause()
