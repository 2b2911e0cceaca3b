"""Snapshots of every state a user sees. Deterministic: fixed size, fixed clock, no cursor
blink, isolated config dirs, animation off, and a fixed loopback port (it shows in the
status line), one per test."""

from __future__ import annotations

import asyncio
import fcntl
import json
import shutil
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from llxprt_runtime.auth.codex_auth import LoginPrompt, PromptSink
from llxprt_tui.app import LlxprtApp
from llxprt_tui.screens.key_entry import KeyEntryScreen
from llxprt_tui.screens.login import LoginScreen
from llxprt_tui.screens.picker import PickerScreen
from llxprt_tui.screens.profiles import ProfilesScreen
from tests.tui.conftest import SIZE, active, make_app, send_and_wait, type_and_send, wait_until
from tests.wire.server import Fault, Reply, ToolCall, WireServer

RunBefore = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def fixed_wire(request: pytest.FixtureRequest) -> Iterator[WireServer]:
    # The base URL is on screen, so the port must not vary. Below the kernel's ephemeral
    # range (32768-60999), so no client socket or port-0 server elsewhere can hold it.
    # Another checkout's suite on this machine may run the same test at once: a lock file
    # per port makes the second wait for the port instead of failing to bind it.
    port = 20300 + sum(ord(c) for c in request.node.name) % 600
    lock_path = Path(tempfile.gettempdir()) / f"llxprt-snapshot-port-{port}.lock"
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
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


# --- screens of the pickers/profiles issue ------------------------------------------------------


@pytest.fixture
def fixed_config(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config dir at a fixed path (the profile screen shows file paths)."""
    name: str = request.node.name
    path = Path(tempfile.gettempdir()) / "llxprt-snapshots" / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    monkeypatch.setenv("LLXPRT_CONFIG_HOME", str(path))
    return path


def still(app: LlxprtApp) -> None:
    """No blinking cursors on the current screen, whatever it is."""
    steady(app)
    for field in app.screen.query(Input):
        field.cursor_blink = False


async def open_and_settle(pilot: Pilot[None], command: str, screen_type: type) -> None:
    await settle(pilot)
    tab = active(pilot)
    tab.prompt.load_text(command)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type))
    loading = pilot.app.screen.query("LoadingIndicator")
    await wait_until(pilot, lambda: all(not w.display for w in loading))
    await pilot.pause()
    assert isinstance(pilot.app, LlxprtApp)
    still(pilot.app)
    await pilot.pause()


def test_provider_picker(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/provider", PickerScreen)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_model_picker(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    fixed_wire.models = ("gpt-5", "gpt-5-mini", "gpt-4.1", "o4-mini")

    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/model", PickerScreen)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_model_picker_error(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    fixed_wire.models_fault = Fault(status=403, message="listing models is not allowed")

    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/model", PickerScreen)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_profile_picker_empty(snap_compare: Callable[..., bool], fixed_config: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/profile load", PickerScreen)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def _profiles(config: Path) -> Path:
    profiles = config / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    return profiles


def test_profiles_screen(snap_compare: Callable[..., bool], fixed_config: Path) -> None:
    profiles = _profiles(fixed_config)
    (profiles / "work.json").write_text(
        json.dumps(
            {
                "version": 1,
                "provider": "anthropic",
                "model": "claude-sonnet-5",
                "modelParams": {"temperature": 0.2, "max_tokens": 4096},
                "ephemeralSettings": {"auth-key-name": "work-anthropic", "context-limit": 200000},
            }
        )
    )
    (profiles / "local.json").write_text(
        json.dumps({"version": 1, "provider": "openai", "model": "qwen3", "ephemeralSettings": {}})
    )
    (fixed_config / "tui.toml").write_text('default-profile = "work"\n')

    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/profile list", ProfilesScreen)
        await pilot.press("down")
        details = pilot.app.screen.query_one("#profile-details", Static)
        # The key line is filled in by a worker (it asks the keyring): wait for it.
        await wait_until(pilot, lambda: "key:      …" not in str(details.render()))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_profiles_screen_empty(snap_compare: Callable[..., bool], fixed_config: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/profile list", ProfilesScreen)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_profiles_screen_invalid_profile(
    snap_compare: Callable[..., bool], fixed_config: Path
) -> None:
    (_profiles(fixed_config) / "broken.json").write_text('{"version": 7, "provider": "openai"}')

    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/profile list", ProfilesScreen)
        await pilot.press("enter")  # loading it fails, in place
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_key_entry(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyEntryScreen))
        await pilot.press(*"sk-typed-secret")
        assert isinstance(pilot.app, LlxprtApp)
        still(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(fixed_wire, key=None), terminal_size=SIZE, run_before=run_before)


def test_light_theme(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    fixed_wire.enqueue(Reply(text=("A reply with `code` and a list:\n\n- one\n- two\n",)))

    async def run_before(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app, LlxprtApp)
        pilot.app.theme = "llxprt-light"
        await settle(pilot)
        await send_and_wait(pilot, "Show me the light theme")
        steady(pilot.app)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_key_entry_error(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, KeyEntryScreen))
        await pilot.press("enter")  # nothing typed: says so, stays open
        assert isinstance(pilot.app, LlxprtApp)
        still(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(fixed_wire, key=None), terminal_size=SIZE, run_before=run_before)


def test_theme_picker_previewing(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/theme", PickerScreen)
        pilot.app.screen.query_one(Input).value = "light"
        await pilot.pause()
        await pilot.press("down")  # the preview follows the highlight
        await pilot.pause()
        assert isinstance(pilot.app, LlxprtApp)
        still(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_profile_picker(snap_compare: Callable[..., bool], fixed_config: Path) -> None:
    profiles = _profiles(fixed_config)
    for name, provider, model in (("fast", "openai", "gpt-5-mini"), ("deep", "anthropic", "x")):
        (profiles / f"{name}.json").write_text(
            json.dumps({"version": 1, "provider": provider, "model": model})
        )
    (profiles / "old.json").write_text('{"version": 1}')

    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/profile load", PickerScreen)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


# --- the codex login screen -----------------------------------------------------------------


def _login_snapshot(prompt: LoginPrompt) -> RunBefore:
    async def start(on_prompt: PromptSink) -> str:
        result = on_prompt(prompt)
        if result is not None:
            await result
        await asyncio.Event().wait()  # a login waiting for the user (never completes here)
        return ""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        screen = LoginScreen("Log in to codex · browser", start)
        if prompt.kind == "device":
            screen = LoginScreen("Log in to codex (bucket work) · device code", start)
        pilot.app.push_screen(screen)
        await wait_until(pilot, lambda: screen.prompt is not None)
        await pilot.pause()

    return run_before


def test_login_browser_url(snap_compare: Callable[..., bool]) -> None:
    url = (
        "https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0C"
        "kXaXp7hrann&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback&scope=openid"
        "%20profile%20email%20offline_access&code_challenge=FIXED-CHALLENGE&code_challenge_meth"
        "od=S256&state=FIXED-STATE"
    )
    run_before = _login_snapshot(LoginPrompt("browser", url))
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_login_device_code(snap_compare: Callable[..., bool]) -> None:
    prompt = LoginPrompt("device", "https://auth.openai.com/codex/device", "WXYZ-1234")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_login_snapshot(prompt))


def test_credential_confirm(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    from llxprt_tui.screens.confirm import ConfirmScreen
    from tests.runtime.test_credentials import fake

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await type_and_send(pilot, "¡/key " + fake("sk-", 24))
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await settle(pilot)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


@pytest.fixture
def no_progress_tick(monkeypatch: pytest.MonkeyPatch) -> None:
    # The progress line reads the (fixed) clock on events only: no tick, same line every run.
    from llxprt_tui.chat.progress import StreamProgress

    monkeypatch.setattr(StreamProgress, "TICK_SECONDS", 3600.0)


def test_waiting_for_the_first_token(
    snap_compare: Callable[..., bool], fixed_wire: WireServer, no_progress_tick: None
) -> None:
    release = threading.Event()  # the first token never comes while the snapshot is taken
    fixed_wire.enqueue(Fault(first_byte_hold=release, reply=Reply(text=("late",))))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        tab = active(pilot)
        await tab.send("are you there?")
        await wait_until(
            pilot, lambda: "waiting for" in str(tab.query_one("StreamProgress").render())
        )
        steady(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    try:
        assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)
    finally:
        release.set()


def test_retrying_after_a_rate_limit(
    snap_compare: Callable[..., bool], fixed_wire: WireServer, no_progress_tick: None
) -> None:
    fixed_wire.enqueue(Fault(status=429, retry_after="7"), Reply(text=("late",)))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        tab = active(pilot)
        await tab.send("are you there?")
        progress = tab.query_one("StreamProgress")
        await wait_until(pilot, lambda: "retrying" in str(progress.render()))
        steady(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_a_selected_message(snap_compare: Callable[..., bool], fixed_wire: WireServer) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "first question")
        await send_and_wait(pilot, "second question")
        await pilot.press("alt+up", "k")
        steady(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


# --- issue 12: commands that do what they say --------------------------------------------------


def test_first_send_without_a_key(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "/provider anthropic")
        await send_and_wait(pilot, "hello there")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_a_retried_reply_shown_as_alternative_two_of_two(
    snap_compare: Callable[..., bool], fixed_wire: WireServer
) -> None:
    fixed_wire.enqueue(Reply(text=("The first answer.",)), Reply(text=("A better answer.",)))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "a question")
        tab = await send_and_wait(pilot, "/retry")
        await wait_until(pilot, lambda: not tab.streaming and len(fixed_wire.chat_requests()) == 2)
        await settle(pilot)

    assert snap_compare(make_app(fixed_wire), terminal_size=SIZE, run_before=run_before)


def test_streaming_at_80x24(
    snap_compare: Callable[..., bool], fixed_wire: WireServer, no_progress_tick: None
) -> None:
    hold = threading.Event()  # the reply waits here: the snapshot is taken while it streams
    fixed_wire.enqueue(Reply(text=("Working on it,", " slowly", " and more"), hold=hold, hold_at=3))

    from llxprt_tui.chat.messages import AssistantMessage
    from tests.tui.test_messages import rendered

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        tab = active(pilot)
        await tab.send("a long question")
        reply = pilot.app.query(AssistantMessage).last()
        # Both deltas before the hold, as drawn (the reply renders in its own task).
        await wait_until(pilot, lambda: "Working on it, slowly" in rendered(reply))
        # The tab's label grew a ● when the reply started: its underline follows after a
        # refresh (on a loaded machine, after the snapshot otherwise).
        await wait_until(pilot, lambda: _underline_fits_active_tab(pilot))
        steady(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    try:
        assert snap_compare(make_app(fixed_wire), terminal_size=(80, 24), run_before=run_before)
    finally:
        hold.set()


def _underline_fits_active_tab(pilot: Pilot[None]) -> bool:
    from textual.widgets import Tabs
    from textual.widgets._tabs import Tab, Underline

    active = pilot.app.query("Tab.-active").first(Tab)
    start, end = active.virtual_region.shrink(active.styles.gutter).column_span
    underline = pilot.app.query_one(Underline)
    if (underline.highlight_start, underline.highlight_end) == (start, end):
        return True
    # Textual moves the underline one refresh after a relabel, measuring the tab then: on a
    # loaded machine that refresh can come before the wider label's layout, and the underline
    # stays short (seen as a 60 s wait ending in a finished reply). Ask again until it fits.
    pilot.app.query_one(Tabs)._highlight_active(animate=False)
    return False
