"""The machine's load while figures are taken: its load average, and (`--with-burner`) one
CPU-bound process beside the bench, so the figures say how the app degrades on a busy machine
next to how its floor does (issue 18.7)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator

BURNER = ("/usr/bin/python3", "-c", "while 1: pass")


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


@contextlib.contextmanager
def burner(on: bool) -> Iterator[None]:
    """One busy loop running for as long as the block does (nothing when not `on`)."""
    if not on:
        yield
        return
    process = subprocess.Popen(BURNER)
    try:
        yield
    finally:
        process.kill()
        process.wait()
