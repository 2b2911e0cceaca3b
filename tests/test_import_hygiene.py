"""The core and the start-up path stay light: no Textual, no provider SDK, no keyring."""

from __future__ import annotations

import importlib
import json
import pkgutil
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


def _runtime_modules() -> list[str]:
    import llxprt_runtime

    found = pkgutil.walk_packages(llxprt_runtime.__path__, "llxprt_runtime.")
    return sorted(module.name for module in found)


def test_every_runtime_module_is_light() -> None:
    modules = _runtime_modules()
    assert "llxprt_runtime.providers.openai_chat" in modules and len(modules) > 40
    # One process imports them all (check=True: a module that fails to import fails the
    # test): any module pulling in a heavy one shows in the union.
    loaded = _modules_after("import " + ", ".join(modules))
    assert _heavy(loaded) == []


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

    exports: dict[str, str] = llxprt_runtime._EXPORTS
    assert set(llxprt_runtime.__all__) == {*exports, "__version__"}
    for name, module in exports.items():
        # The name is the object its module defines, loaded from that module on first use.
        assert getattr(llxprt_runtime, name) is getattr(importlib.import_module(module), name)
    # Importing the package loads none of those modules.
    loaded = _modules_after("import llxprt_runtime")
    assert sorted(set(exports.values()) & loaded) == []
