"""The core and the start-up path stay light: no Textual, no provider SDK, no keyring."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("textual", "openai", "anthropic", "google.genai", "keyring", "aiohttp", "textual_serve")


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stderr
    return set(json.loads(out.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_import_llxprt_runtime_is_light() -> None:
    modules = _modules_after("import llxprt_runtime, llxprt_runtime.runtime_settings")
    assert _heavy(modules) == []


def test_cli_version_path_is_light() -> None:
    modules = _modules_after(
        "import contextlib\nfrom llxprt_tui import cli\n"
        "with contextlib.suppress(SystemExit):\n    cli.main(['--version'])"
    )
    assert _heavy(modules) == []


def test_cli_serve_help_path_is_light() -> None:
    modules = _modules_after(
        "import contextlib\nfrom llxprt_tui import cli\n"
        "with contextlib.suppress(SystemExit):\n    cli.main(['serve', '--help'])"
    )
    assert _heavy(modules) == []


def test_every_public_name_resolves_lazily() -> None:
    import llxprt_runtime

    for name in llxprt_runtime.__all__:
        assert getattr(llxprt_runtime, name) is not None, name
