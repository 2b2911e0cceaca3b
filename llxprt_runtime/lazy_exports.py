"""Lazy re-exports (PEP 562): a package names what it offers without importing it, so
`import llxprt_runtime` and `import llxprt_runtime.api` stay cheap at start-up."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(
    module_name: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `name` from `exports[name]` on first use and keeps
    it in `namespace` (the module's globals), so the next lookup is a plain attribute."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
