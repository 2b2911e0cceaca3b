"""Fixtures' machinery for the browser tests: `llxprt serve` in a subprocess, Debian's Chromium
through Playwright, and reading what the page's terminal (xterm.js) shows."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).with_name("artifacts")
# As root, headless, and quiet: without the background-networking flags Chromium keeps trying
# to reach the outside, which is refused here and slows it down.
CHROMIUM_ARGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WAIT_MS = 30_000

# textual.js keeps its xterm.js Terminal in a closure; before any page script runs, a setter on
# Object.prototype catches the first `.terminal = new Terminal(...)` assignment so the test can
# read the terminal's buffer (the canvas renderer puts no text in the DOM).
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
    if (value && value.buffer && !window.__llxprtTerminal) window.__llxprtTerminal = value;
  },
});
window.screenText = () => {
  const terminal = window.__llxprtTerminal;
  if (!terminal) return "";
  const buffer = terminal.buffer.active;
  const lines = [];
  for (let row = 0; row < terminal.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    // Only the terminal's width: after the window narrows, xterm.js keeps each line's cells
    // past the new last column (not shown), and the whole line would read them too.
    lines.push(line ? line.translateToString(true, 0, terminal.cols) : "");
  }
  return lines.join("\\n");
};
"""


@dataclass
class Served:
    """A running `llxprt serve`; `url` carries the token, `base` does not."""

    process: subprocess.Popen[str]
    url: str
    output: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.url.split("?", 1)[0]

    @property
    def token(self) -> str:
        return self.url.split("?token=", 1)[1]

    def app_processes(self) -> list[int]:
        """The processes the server started (one per browser connection)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()  # no deadline: pytest-timeout ends a hang


def serve_env(home: Path, keyring_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(
        HOME=str(home),
        LLXPRT_CONFIG_HOME=str(home / "config"),
        LLXPRT_DATA_HOME=str(home / "data"),
        LLXPRT_CACHE_HOME=str(home / "cache"),
        LLXPRT_LOG_HOME=str(home / "log"),
        PYTHON_KEYRING_BACKEND="tests.keyrings.FileKeyring",
        LLXPRT_TEST_KEYRING_FILE=str(keyring_file),
        PYTHONPATH=str(ROOT),
    )
    return env


def store_key(keyring_file: Path, name: str, value: str) -> None:
    keyring_file.write_text(json.dumps({f"llxprt-code-provider-keys/{name}": value}))


def start_serve(*flags: str, env: dict[str, str]) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "llxprt_tui.cli", "serve", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def drain() -> None:  # the server's output must never fill its pipe
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            lines.put(line)
        lines.put("")

    threading.Thread(target=drain, daemon=True).start()
    first = lines.get()  # a line, or "" when the process ends; pytest-timeout ends a hang
    if not first.startswith("http://"):
        process.kill()
        raise AssertionError(f"llxprt serve did not print its URL: {first!r}{output}")
    return Served(process, first.strip(), output)
