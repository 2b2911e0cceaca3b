"""Commands that do what they say (issue 12): saving over a profile asks, set-default with no
name shows the default, /set unset, /key delete and /key save tell the truth, /retry marks
what it replaces, and the first send without a key says what to do next."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from llxprt_runtime.debug_log import LOG_FILE_NAME, LOGGERS, start_debug_log
from llxprt_runtime.profiles.user_settings import load_user_settings
from llxprt_tui.chat.notices import Notice
from llxprt_tui.chat.status import StatusLine
from llxprt_tui.screens.confirm import ConfirmScreen
from tests.conftest import Dirs
from tests.providers.conftest import sent_key
from tests.tui.conftest import (
    SIZE,
    active,
    errors,
    make_app,
    notices,
    send_and_wait,
    type_and_send,
    wait_until,
)
from tests.wire.server import WireServer

# --- the first send without a key --------------------------------------------------------------


@pytest.fixture
def debug_log(dirs: Dirs) -> Iterator[Path]:
    start_debug_log()
    yield dirs.log / LOG_FILE_NAME
    for name in LOGGERS:  # logging is process-wide: take the handler off again
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(logging.NOTSET)


JARGON = ("Incomplete runtime resolution", "runtime_id", "REQ-SP-003", "auth_token")


async def test_the_first_send_without_a_key_says_what_is_missing_and_what_to_do() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/provider anthropic")
        tab = await send_and_wait(pilot, "hello there")
        shown = errors(app)
        assert "anthropic needs an API key and this tab has none" in shown
        assert "f2" in shown and "/key VALUE" in shown and "/provider" in shown
        assert "ANTHROPIC_API_KEY" in shown
        assert not [word for word in JARGON if word in shown]
        assert tab.prompt.text == "hello there"  # nothing lost


async def test_the_next_step_names_the_key_the_keymap_chose(dirs: Dirs) -> None:
    dirs.config.mkdir(parents=True, exist_ok=True)
    (dirs.config / "tui.toml").write_text('[keymap]\nenter-key = "f6"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/provider gemini")
        await send_and_wait(pilot, "hello")
        assert "Press f6 to enter one" in errors(app)


async def test_with_debug_the_technical_detail_is_shown_and_logged(debug_log: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/provider anthropic")
        await send_and_wait(pilot, "hello there")
        shown = errors(app)
        assert "anthropic needs an API key" in shown
        assert "Incomplete runtime resolution (auth_token)" in shown
    assert "Incomplete runtime resolution (auth_token)" in debug_log.read_text()


async def test_the_welcome_names_the_picker_keys_and_baseurl(dirs: Dirs) -> None:
    dirs.config.mkdir(parents=True, exist_ok=True)
    (dirs.config / "tui.toml").write_text('[keymap]\npick-provider = "ctrl+y"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.pause()
        welcome = notices(app)
        assert "/baseurl http://127.0.0.1:PORT/v1" in welcome
        assert "ctrl+y" in welcome and "ctrl+o" not in welcome  # the binding as remapped
        for key in ("f2", "f3", "/model", "/theme", "f1"):
            assert key in welcome, key


# --- /profile -------------------------------------------------------------------------------------


async def test_profile_save_over_an_existing_profile_asks_first(
    wire: WireServer, dirs: Dirs
) -> None:
    app = make_app(wire)
    path = dirs.config / "profiles" / "alpha.json"
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/profile save alpha")  # a new name: no question
        assert not isinstance(app.screen, ConfirmScreen)
        assert "Profile 'alpha' saved" in notices(app)
        before = path.read_text()
        await send_and_wait(pilot, "/model model-two")
        await type_and_send(pilot, "/profile save alpha")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(Static).render())
        assert "Replace profile 'alpha'" in question
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert path.read_text() == before  # no: the file is kept as it was
        await type_and_send(pilot, "/profile save alpha")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: json.loads(path.read_text())["model"] == "model-two")
        await wait_until(pilot, lambda: notices(app).count("Profile 'alpha' saved") == 2)


async def test_profile_set_default_without_a_name_shows_the_default(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/profile set-default")
        assert "No default profile" in notices(app)
        await send_and_wait(pilot, "/profile save alpha")
        await send_and_wait(pilot, "/profile set-default alpha")
        await send_and_wait(pilot, "/profile set-default")
        last = str(app.query(Notice).last().render())
        assert "Default profile: alpha" in last and "/profile set-default none" in last
        assert load_user_settings().default_profile == "alpha"  # shown, not cleared
        await send_and_wait(pilot, "/profile set-default none")
        assert load_user_settings().default_profile is None


# --- /set -----------------------------------------------------------------------------------------


async def test_set_unset_clears_a_setting(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "/set context-limit 4096")
        assert tab.runtime.settings_service.get("context-limit") == 4096
        await send_and_wait(pilot, "/set unset context-limit")
        assert errors(app) == ""
        assert "Setting 'context-limit' cleared" in notices(app)
        assert tab.runtime.settings_service.get("context-limit") is None


async def test_set_unset_without_a_key_shows_the_usage(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        for line in ("/set unset", "/set unset modelparam", "/set unset a b"):
            await send_and_wait(pilot, line)
        shown = errors(app)
        assert "Invalid setting key" not in shown
        assert shown.count("Usage: /set KEY VALUE | /set unset KEY") == 3


async def test_set_shows_booleans_as_true_and_false(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "/set requires-auth false")
        assert "Setting 'requires-auth' set to false" in notices(app)
        assert "False" not in notices(app)


# --- /key -----------------------------------------------------------------------------------------

WORK_KEY = "sk-fake-work-0001"


async def test_deleting_the_key_this_tab_uses_keeps_it_for_the_session_only(
    wire: WireServer,
) -> None:
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, f"/key save work {WORK_KEY}")
        assert "keyring: work" in str(app.query_one(StatusLine).render())
        await send_and_wait(pilot, "/key delete work")
        said = str(app.query(Notice).last().render())
        assert "Deleted key 'work' from the OS keyring" in said
        assert "keeps using it for this session only" in said
        assert await tab.runtime.secret_store.get("work") is None
        status = str(app.query_one(StatusLine).render())
        assert "keyring: work" not in status and "runtime-only" in status
        await send_and_wait(pilot, "still there?")
        assert sent_key(wire.chat_requests()[-1]) == WORK_KEY


async def test_deleting_a_key_this_tab_does_not_use_says_only_that(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, f"/key save spare {WORK_KEY}")
        await send_and_wait(pilot, "/key sk-tui")  # the tab goes back to its own key
        await send_and_wait(pilot, "/key delete spare")
        said = str(app.query(Notice).last().render())
        assert said == "Deleted key 'spare' from the OS keyring."


async def test_saving_a_key_under_another_providers_name_asks_first(wire: WireServer) -> None:
    app = make_app(wire, key=None)  # an openai tab
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, f"/key save anthropic {WORK_KEY}")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one(Static).render())
        assert "'anthropic'" in question and "openai" in question
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        assert await tab.runtime.secret_store.get("anthropic") is None
        assert "key: none" in str(app.query_one(StatusLine).render())
        await type_and_send(pilot, f"/key save anthropic-work {WORK_KEY}")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: "Saved key 'anthropic-work'" in notices(app))
        assert await tab.runtime.secret_store.get("anthropic-work") == WORK_KEY
        assert "keyring: anthropic-work" in str(app.query_one(StatusLine).render())


async def test_saving_a_key_under_this_providers_name_does_not_ask(wire: WireServer) -> None:
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        for name in ("openai", "openai-responses", "work"):  # same vendor, or no vendor
            await send_and_wait(pilot, f"/key save {name} {WORK_KEY}")
            assert not isinstance(app.screen, ConfirmScreen)
            assert f"Saved key '{name}'" in notices(app)


# --- /retry -----------------------------------------------------------------------------------


async def test_retry_shows_its_reply_as_an_alternative_and_export_and_context_agree(
    wire: WireServer, tmp_path: Path
) -> None:
    from llxprt_tui.chat.messages import AssistantMessage
    from tests.wire.server import Reply

    wire.enqueue(Reply(text=("the old answer",)), Reply(text=("the new answer",)))
    wire.enqueue(Reply(text=("and then",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "a question")
        tab = await send_and_wait(pilot, "/retry")
        await wait_until(pilot, lambda: not tab.streaming and len(wire.chat_requests()) == 2)
        # The old reply left the screen (it stays reachable); the new one says it has one.
        (new,) = list(app.query(AssistantMessage))
        assert new.text == "the new answer"
        assert str(new.footer.render()).startswith("‹ 2/2 › · ")
        replies = [e for e in tab.transcript.live_entries() if e.role == "assistant"]
        assert "alternative 2 of 2" in "\n".join(replies[-1].details())
        # The context sent next holds the new answer only, as the screen shows it.
        await send_and_wait(pilot, "go on")
        sent = json.dumps(wire.chat_requests()[-1].body)
        assert "the new answer" in sent and "the old answer" not in sent
        assert sent.count("a question") == 1
        # The export holds what the context holds.
        await send_and_wait(pilot, f"/export {tmp_path / 'chat.md'}")
        exported = (tmp_path / "chat.md").read_text()
        assert "the new answer" in exported and "the old answer" not in exported
        assert exported.count("a question") == 1
        assert active(pilot) is tab
