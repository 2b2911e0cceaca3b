"""What the app shows is what is there (issue 12): inline HTML in a reply is text, booleans are
true/false, themes are listed by display name with their id apart."""

from __future__ import annotations

import json

from textual.widgets import OptionList, Static

from llxprt_tui.chat.messages import AssistantMessage
from llxprt_tui.screens.picker import PickerScreen
from llxprt_tui.screens.profiles import ProfilesScreen
from tests.conftest import Dirs
from tests.tui.conftest import SIZE, make_app, send_and_wait, type_and_send, wait_until
from tests.tui.test_messages import rendered
from tests.wire.server import Reply, WireServer


async def test_inline_html_in_a_streamed_reply_is_shown_as_text(wire: WireServer) -> None:
    wire.enqueue(
        Reply(
            text=(
                'Use the <div> element, not <span class="x">.\n\n',
                "<details>\n<summary>more</summary>\n</details>\n\n",
                "A <!-- comment --> too.",
            )
        )
    )
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "which element?")
        shown = rendered(app.query(AssistantMessage).last())
        assert 'Use the <div> element, not <span class="x">.' in shown
        assert "<details>" in shown and "<summary>more</summary>" in shown
        assert "A <!-- comment --> too." in shown


async def test_the_profile_screen_shows_booleans_as_true_and_false(
    wire: WireServer, dirs: Dirs
) -> None:
    profiles = dirs.config / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "local.json").write_text(
        json.dumps(
            {
                "version": 1,
                "provider": "openai",
                "model": "qwen3",
                "modelParams": {"temperature": 0.2},
                "ephemeralSettings": {"requires-auth": False, "context-limit": 4096},
            }
        )
    )
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "/profile list")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        details = app.screen.query_one("#profile-details", Static)
        await wait_until(pilot, lambda: "requires-auth" in str(details.render()))
        shown = str(details.render())
        assert "requires-auth = false" in shown and "False" not in shown
        assert "context-limit = 4096" in shown and "temperature = 0.2" in shown


async def test_the_theme_list_is_sorted_by_display_name_with_the_id_apart() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await type_and_send(pilot, "/theme")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id or "" for i in range(options.option_count)]
        names = [app.themes.display_name(i) for i in ids]
        assert names == sorted(names, key=str.casefold)
        assert set(ids) == set(app.theme_names())
        dracula = str(options.get_option_at_index(ids.index("dracula")).prompt)
        assert "Dracula" in dracula and "id: dracula" in dracula
