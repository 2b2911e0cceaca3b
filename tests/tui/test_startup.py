"""The first frame comes before anything heavy is imported: no provider SDK, no Markdown
parser, not even the runtime (its settings, reply events, content types) or the session store
(both come right after the frame)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from llxprt_runtime.overrides import CliOverrides
from llxprt_tui.app import LlxprtApp
from tests.tui.conftest import SIZE, fixed_clock, make_app, send_and_wait, wait_until
from tests.wire.server import Reply, WireServer

SCRIPT = """
import asyncio, json, sys
from llxprt_tui.app import LlxprtApp

async def main():
    app = LlxprtApp()
    async with app.run_test(size=(80, 24)) as pilot:
        at_first_frame = sorted(sys.modules)
        assert app.active_tab() is not None
        await app.wait_ready()
        assert app.active_tab().runtime.runtime_id
    print(json.dumps(at_first_frame), file=sys.stderr)

asyncio.run(main())
"""


def test_first_frame_imports_nothing_heavy() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    heavy = (
        "openai",
        "anthropic",
        "google.genai",
        "httpx",
        "keyring",
        "markdown_it",
        "llxprt_runtime.runtime.registry",
        "llxprt_runtime.providers.manager",
        "sqlite3",  # the session store is opened after the first frame
        "llxprt_runtime.store.service",
        # What a reply, a completion or a runtime needs, imported when first needed (#18.6).
        "llxprt_runtime.chat.events",
        "llxprt_runtime.providers.content",
        "llxprt_runtime.settings",
    )
    for name in heavy:
        assert name not in modules, name
    assert "textual.app" in modules


async def test_copy_and_export(tmp_path: Path, wire: WireServer) -> None:
    wire.enqueue(Reply(text=("Try:\n\n```sh\nls -la\n```\n",)))
    app = make_app(wire)
    copied: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "how to list files")
        await send_and_wait(pilot, "/copy code")
        copied.append(app.clipboard)  # what App.copy_to_clipboard (OSC 52) was given
        await send_and_wait(pilot, "/copy")
        copied.append(app.clipboard)
        target = tmp_path / "chat.md"
        await send_and_wait(pilot, f"/export {target}")
    assert copied == ["ls -la\n", "Try:\n\n```sh\nls -la\n```\n"]
    exported = target.read_text()
    assert "## You\n\nhow to list files" in exported and "```sh\nls -la" in exported
    assert oct(target.stat().st_mode & 0o777) == "0o600"


async def test_a_prompt_given_at_start_up_is_sent_in_the_first_tab(wire: WireServer) -> None:
    """`llxprt "question"`: the app starts with the question sent, as if typed."""
    overrides = CliOverrides(provider="openai", base_url=f"{wire.url}/v1", key="sk-tui")
    app = LlxprtApp(overrides, clock=fixed_clock(), first_prompt="question from the shell")
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = app.active_tab_or_fail()
        await wait_until(pilot, lambda: bool(wire.chat_requests()) and not tab.streaming)
        assert tab.session.last_reply_text() == "Echo: question from the shell"
        assert tab.prompt.text == ""
        assert len(app.chat_tabs()) == 1
    assert wire.chat_requests()[0].body["messages"][-1]["content"] == "question from the shell"
