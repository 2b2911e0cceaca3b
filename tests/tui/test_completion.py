"""Tab completion: every match in turn, with a line about each; arguments from the tab's
runtime (providers, its model list, profiles, saved keys), themes, setting keys, paths."""

from __future__ import annotations

from pathlib import Path

from llxprt_runtime import runtime_settings as rs
from llxprt_tui.chat.completer import CommandCompletion
from tests.tui.conftest import SIZE, active, make_app, wait_until
from tests.tui.keyboard import XTERM, press_raw
from tests.wire.server import WireServer


def shown(menu: CommandCompletion) -> list[str]:
    return [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]


async def test_tab_cycles_through_every_match_with_descriptions(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        menu = app.query_one(CommandCompletion)
        await press_raw(pilot, "/c")
        await wait_until(pilot, lambda: menu.option_count == 4)
        assert any(
            "/clear" in line and "Clear this tab's conversation" in line for line in shown(menu)
        )
        lines = []
        for _ in range(5):
            await press_raw(pilot, XTERM["tab"])
            lines.append(tab.prompt.text)
        assert lines == ["/clear ", "/close ", "/compare ", "/copy ", "/clear "]
        assert menu.highlighted == 0 and tab.prompt.has_focus
        # Typing on completes from what is typed now.
        await press_raw(pilot, "\x7f" * 7 + "/he" + XTERM["tab"])
        assert tab.prompt.text == "/help "


async def test_tab_with_nothing_to_complete_does_nothing(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await press_raw(pilot, "hello" + XTERM["tab"] + " there")
        assert tab.prompt.has_focus and tab.prompt.text == "hello there"
        await press_raw(pilot, "\x7f" * 11 + "/zz" + XTERM["tab"])
        assert tab.prompt.text == "/zz" and tab.prompt.has_focus


async def _completions_of(pilot: object, text: str) -> list[str]:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    tab = active(pilot)
    return [c.line for c in await tab.completer.candidates(text)]


async def test_arguments_complete_from_the_tab_and_its_runtime(
    wire: WireServer, tmp_path: Path
) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        runtime = tab.runtime
        await rs.save_profile_snapshot("work-profile", runtime=runtime)
        await runtime.secret_store.save("team-openai", "sk-fake-sentinel-value")
        (tmp_path / "keys").mkdir()
        (tmp_path / "keys" / "openai.key").write_text("x")
        cases = {
            "/provider an": ["/provider anthropic "],
            "/provider ": [
                "/provider openai ",
                "/provider openai-responses ",
                "/provider anthropic ",
                "/provider gemini ",
                "/provider codex ",
            ],
            "/model model-": ["/model model-a ", "/model model-b ", "/model model-c "],
            "/profile l": ["/profile load ", "/profile list "],
            "/profile load w": ["/profile load work-profile "],
            "/profile set-default ": [
                "/profile set-default work-profile ",
                "/profile set-default none ",
            ],
            "/key load t": ["/key load team-openai "],
            "/key delete ": ["/key delete team-openai "],
            "/theme DRAC": ["/theme dracula "],
            "/set unset retr": ["/set unset retries ", "/set unset retrywait "],
            "/set streaming ": ["/set streaming enabled ", "/set streaming disabled "],
            f"/keyfile {tmp_path}/k": [f"/keyfile {tmp_path}/keys/"],
            f"/keyfile {tmp_path}/keys/": [f"/keyfile {tmp_path}/keys/openai.key "],
        }
        for typed, expected in cases.items():
            assert await _completions_of(pilot, typed) == expected, typed
        # One server listing per provider and base URL, then from the cache.
        before = len(wire.requests)
        await _completions_of(pilot, "/model m")
        assert len(wire.requests) == before
        # A setting key shows its type and allowed values.
        found = await tab.completer.candidates("/set strea")
        assert found[0].label == "streaming" and "enabled | disabled" in found[0].help
        found = await tab.completer.candidates("/set socket")
        assert found[0].help.startswith("integer")
        await press_raw(pilot, "/theme DRAC" + XTERM["tab"])
        assert tab.prompt.text == "/theme dracula "
