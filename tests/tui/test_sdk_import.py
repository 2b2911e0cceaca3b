"""The first send does not freeze the app (issue 18 item 3): the active tab's provider SDK
is imported in a worker thread after the first frame, and any other provider's SDK is
imported off the event loop before its first use. Checked in a fresh interpreter (this one
has imported the SDKs already) with an import hook that records which thread imports what;
one SDK per interpreter (an SDK import costs 1-2 s of CPU, a lot on a loaded machine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.providers.conftest import base_url
from tests.wire.server import WireServer

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, json, sys, threading

main_thread = {}

class Spy:
    # Records, for each SDK, whether the event loop's (main) thread imported it.
    def find_spec(self, name, path=None, target=None):
        if name in ("openai", "anthropic", "google") and name not in main_thread:
            main_thread[name] = threading.current_thread() is threading.main_thread()
        return None

sys.meta_path.insert(0, Spy())

from llxprt_runtime.overrides import CliOverrides
from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS
from llxprt_runtime.providers.manager import provider_modules_imported
from llxprt_tui.app import LlxprtApp

async def start_up(openai_url):
    app = LlxprtApp(CliOverrides(provider="openai", base_url=openai_url, key="sk-first-tab"))
    async with app.run_test() as pilot:
        await app.wait_ready()
        # Nothing sent: the SDK is imported on its own, by the worker the tab started.
        (importer,) = [w for w in app.workers if w.group == "sdk-import"]
        await importer.wait()
        assert provider_modules_imported(BUILTIN_PROVIDERS["openai"])
        return {"main_thread": main_thread}

async def first_use(openai_url):
    app = LlxprtApp(CliOverrides())  # no provider yet: nothing to import at start-up
    async with app.run_test() as pilot:
        await app.wait_ready()
        tab = app.active_tab()
        for command in ("/provider openai", "/baseurl " + openai_url, "/key sk-second"):
            await tab.execute_command(command)
        await tab.send("hello")
        await tab.wait_for_stream()
        return {"main_thread": main_thread, "reply": tab.session.last_reply_text()}

case = {"start-up": start_up, "first-use": first_use}[sys.argv[1]]
print(json.dumps(asyncio.run(case(sys.argv[2]))))
"""


def run(case: str, url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, case, url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_active_tabs_sdk_is_imported_off_the_event_loop_before_any_send(
    wire: WireServer,
) -> None:
    result = run("start-up", base_url("openai", wire))
    assert result["main_thread"] == {"openai": False}
    assert wire.chat_requests() == []


def test_a_providers_sdk_chosen_later_is_imported_off_the_event_loop_on_first_use(
    wire: WireServer,
) -> None:
    # OpenAI's SDK is the cheapest to import; the import path is the same for every provider.
    result = run("first-use", base_url("openai", wire))
    assert result["main_thread"] == {"openai": False}
    assert result["reply"] == "Echo: hello"
    assert [r.protocol for r in wire.chat_requests()] == ["openai"]
