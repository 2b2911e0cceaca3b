"""The first send does not freeze the app (issue 18 item 3): the active tab's provider SDK
is imported in a worker thread after the first frame, and any other provider's SDK is
imported off the event loop before its first use. Checked in a fresh interpreter (this one
has imported the SDKs already) with an import hook that records which thread imports what."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.providers.conftest import base_url
from tests.wire.server import WireServer

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, json, sys, threading

main_thread = {}

class Spy:
    # Records, for each SDK, whether the event loop's (main) thread imported it.
    def find_spec(self, name, path=None, target=None):
        if name in ("openai", "anthropic") and name not in main_thread:
            main_thread[name] = threading.current_thread() is threading.main_thread()
        return None

sys.meta_path.insert(0, Spy())

from llxprt_runtime.overrides import CliOverrides
from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS
from llxprt_runtime.providers.manager import provider_modules_imported
from llxprt_tui.app import LlxprtApp

async def main(openai_url, anthropic_url):
    app = LlxprtApp(CliOverrides(provider="openai", base_url=openai_url, key="sk-first-tab"))
    async with app.run_test() as pilot:
        await app.wait_ready()
        # Nothing sent: the SDK is imported on its own.
        while not provider_modules_imported(BUILTIN_PROVIDERS["openai"]):
            await asyncio.sleep(0.01)
        tab = app.active_tab()
        for command in ("/provider anthropic", "/baseurl " + anthropic_url, "/key sk-second"):
            await tab.execute_command(command)
        await tab.send("hello")
        await tab.wait_for_stream()
        print(json.dumps({"main_thread": main_thread, "reply": tab.session.last_reply_text()}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def test_sdks_are_imported_off_the_event_loop(wire: WireServer) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, base_url("openai", wire), base_url("anthropic", wire)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # The active tab's SDK before anything was sent, the other one on its first use: neither
    # on the event loop's thread.
    assert result["main_thread"] == {"openai": False, "anthropic": False}
    assert result["reply"] == "Echo: hello"
    assert [r.protocol for r in wire.chat_requests()] == ["anthropic"]
