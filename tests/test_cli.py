from __future__ import annotations

import subprocess
import sys

from llxprt_runtime import __version__


def test_version_and_help() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "llxprt_tui.cli", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.strip() == f"llxprt {__version__}"
    helped = subprocess.run(
        [sys.executable, "-m", "llxprt_tui.cli", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "usage: llxprt" in helped.stdout
