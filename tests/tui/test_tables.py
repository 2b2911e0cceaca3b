"""The command and screen tables are complete: every row resolves to real code, and no
handler, opener or binding exists outside them."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from llxprt_tui.commands.spec import COMMANDS, COMMANDS_BY_NAME, completions
from llxprt_tui.keys import APP_KEYS
from llxprt_tui.screen_table import SCREENS, SCREENS_BY_KIND
from llxprt_tui.screens.picker import PickerScreen
from tests.tui.conftest import SIZE, make_app, wait_until


def _function(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def test_every_command_names_a_handler_that_takes_host_and_command() -> None:
    assert len(COMMANDS_BY_NAME) == len(COMMANDS)
    for spec in COMMANDS:
        handler = spec.load_handler()
        assert inspect.iscoroutinefunction(handler), spec.name
        assert list(inspect.signature(handler).parameters) == ["host", "cmd"], spec.name


def test_every_handler_function_is_in_the_command_table() -> None:
    named = {spec.handler for spec in COMMANDS}
    for module in ("handlers", "auth", "load_balancer"):
        found = importlib.import_module(f"llxprt_tui.commands.{module}")
        for name, value in vars(found).items():
            if name.startswith("cmd_") and inspect.iscoroutinefunction(value):
                if value.__module__ == found.__name__:
                    assert f"{module}:{name}" in named, f"{module}.{name} has no CommandSpec"


def test_completion_and_dispatch_read_the_same_table() -> None:
    assert [spec.name for spec in completions("/")] == [spec.name for spec in COMMANDS]


def test_every_screen_has_an_opener_and_its_key_opens_it() -> None:
    assert len(SCREENS_BY_KIND) == len(SCREENS)
    for screen in SCREENS:
        opener = _function(screen.opener)
        assert list(inspect.signature(opener).parameters) == ["app", "tab"], screen.kind
    actions = {key.action for key in APP_KEYS if key.action and "open_screen" in key.action}
    assert actions == {f"open_screen({s.kind!r})" for s in SCREENS if s.key is not None}
    openers = importlib.import_module("llxprt_tui.screens.openers")
    named = {s.opener.partition(":")[2] for s in SCREENS}
    assert {n for n in vars(openers) if n.startswith("open_")} == named


async def test_the_palette_lists_the_table_s_screens_and_opens_them() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for spec in SCREENS:
            if spec.palette is not None:
                assert commands[spec.palette[0]].help == spec.palette[1]
        commands["Choose provider"].callback()
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        screen = app.screen
        await wait_until(pilot, lambda: screen.is_mounted)
        await pilot.press("escape")
        assert isinstance(screen, PickerScreen) and screen.picker_title == "Provider"
