"""Snapshots of every state a user sees. Deterministic: fixed size, fixed clock, no cursor
blink, isolated config dirs, animation off, and a fixed loopback port (it shows in the
status line), one per test."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest
from textual.pilot import Pilot

from llxprt_tui.app import LlxprtApp
from tests.tui.conftest import SIZE, active, make_app, send_and_wait, wait_until
from tests.wire.server import Fault, Reply, ToolCall, WireServer

RunBefore = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def fixed_wire(request: pytest.FixtureRequest) -> Iterator[WireServer]:
    port = 47300 + sum(ord(c) for c in request.node.name) % 600
    with WireServer(port=port) as server:
        yield server


def steady(app: LlxprtApp) -> None:
    for tab in app.chat_tabs():
        tab.prompt.cursor_blink = False


async def settle(pilot: Pilot[None]) -> None:
    assert isinstance(pilot.app, LlxprtApp)
    await pilot.app.wait_ready()
    await pilot.pause()
    steady(pilot.app)
    await pilot.pause()


def test_first_run(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_finished_reply_with_code_thinking_and_tool_call(
    snap_compare: Callable[..., bool], fixed_wire: WireServer
) -> None:
    fixed_wire.enqueue(
        Reply(
            text=(
                "Here is a **function**:\n\n",
                "```python\ndef add(a: int, b: int) -> int:\n",
                "    return a + b\n```\n\n",
                "Call it with two numbers.",
            ),
            thinking=("The user wants a small example.",),
            tool_calls=(ToolCall("call_1", "run_tests", {"path": "tests/"}),),
            prompt_tokens=42,
            completion_tokens=17,
        )
    )

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "Write an add function")
        steady(pilot.app)  # type: ignore[arg-type]

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_two_tabs(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "hello from tab one")
        await pilot.press("ctrl+t")
        await settle(pilot)
        await send_and_wait(pilot, "/provider anthropic")
        await send_and_wait(pilot, "/rename research")
        await settle(pilot)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_error(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    fixed_wire.enqueue(Fault(status=429, message="Rate limit reached", retry_after="3"))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "/set retries 0")
        await send_and_wait(pilot, "a question that fails")
        await settle(pilot)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_command_completion(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        tab = active(pilot)
        tab.prompt.focus()
        await pilot.press("slash", "p")
        await settle(pilot)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "/help")
        await wait_until(pilot, lambda: pilot.app.screen.__class__.__name__ == "HelpScreen")
        await pilot.pause()

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)
