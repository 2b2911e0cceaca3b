"""llxprt_runtime.api, the runtime's public surface: every name resolves to the object its
module defines, and importing it loads none of them (the first frame may import it)."""

from __future__ import annotations

import importlib

import pytest

from llxprt_runtime import api
from tests.test_import_hygiene import _modules_after


def test_every_public_name_is_its_module_s_object() -> None:
    exports: dict[str, str] = api._EXPORTS
    assert set(api.__all__) == {*exports, "paths", "__version__"}
    for name, module in exports.items():
        assert getattr(api, name) is getattr(importlib.import_module(module), name)


def test_importing_the_surface_loads_none_of_the_runtime() -> None:
    loaded = _modules_after("from llxprt_runtime import api")
    assert sorted(set(api._EXPORTS.values()) & loaded) == []


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'describ'"):
        api.describ  # type: ignore[attr-defined]  # noqa: B018


def test_every_runtime_helper_is_on_the_surface() -> None:
    from llxprt_runtime import runtime_settings

    assert set(runtime_settings.__all__) <= set(api.__all__)
