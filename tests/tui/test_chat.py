"""The chat in one tab: streaming, cancel, errors, retry, commands, secrets."""

from __future__ import annotations

import threading

import pytest

from llxprt_tui.chat.messages import AssistantMessage
from llxprt_tui.chat.notices import ErrorNotice, Notice, UserMessage
from llxprt_tui.chat.status import StatusLine
from tests.providers.conftest import sent_key
from tests.tui.conftest import (
    SIZE,
    active,
    make_app,
    send_and_wait,
    type_and_send,
    wait_until,
)
from tests.wire.server import Fault, Reply, ToolCall, WireServer


async def test_first_run_shows_a_welcome_and_no_provider() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # The first frame comes before the tab's runtime: the welcome is already there.
        notices = [str(n.render()) for n in app.query(Notice)]
        assert any("Welcome to llxprt." in n for n in notices)
        assert "starting" in str(app.query_one(StatusLine).render())
        await app.wait_ready()
        await pilot.pause()
        assert "no provider" in str(app.query_one(StatusLine).render())
        assert len(app.query(Notice)) == 1  # welcomed once


async def test_a_reply_streams_into_markdown_with_usage(wire: WireServer) -> None:
    wire.enqueue(
        Reply(
            text=("Here:\n\n```python\n", "print('hi')\n", "```\n"),
            thinking=("thinking hard",),
            tool_calls=(ToolCall("c1", "search", {"q": "x"}),),
            prompt_tokens=5,
            completion_tokens=3,
        )
    )
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "show me code")
        reply = app.query(AssistantMessage).last()
        assert reply.text == "Here:\n\n```python\nprint('hi')\n```\n"
        assert reply.state == "done"
        assert "↑ 5 ↓ 3 tokens" in str(reply.footer.render())
        assert [h.speaker for h in tab.session.history] == ["human", "ai"]
        assert tab.session.history[1].thinking() == "thinking hard"
        assert tab.session.history[1].tool_calls()[0].name == "search"
        status = str(app.query_one(StatusLine).render())
        assert "openai · gpt-5" in status and "tokens ↑5 ↓3" in status and "ready" in status
        assert sent_key(wire.chat_requests()[-1]) == "sk-tui"


async def test_escape_cancels_and_keeps_the_partial_reply(wire: WireServer) -> None:
    # The reply pauses after its tenth event until the test ends: escape comes mid-reply.
    held = threading.Event()
    wire.enqueue(Reply(text=tuple(f"w{i} " for i in range(40)), hold=held, hold_at=10))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "long please")
        tab = active(pilot)
        await wait_until(pilot, lambda: "w3" in app.query(AssistantMessage).last().text)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not tab.streaming)
        reply = app.query(AssistantMessage).last()
        assert reply.state == "cancelled" and reply.text.startswith("w0 w1 w2 w3")
        assert "cancelled" in str(reply.footer.render())
        assert tab.session.history[-1].speaker == "ai"  # the partial reply stays in the context
    held.set()


async def test_errors_show_clearly_keep_the_prompt_and_the_tab_usable(wire: WireServer) -> None:
    wire.enqueue(Fault(status=401, message="bad key"))
    app = make_app(wire, key="sk-wrong-key")
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "my careful prompt")
        errors = [e.text for e in app.query(ErrorNotice)]
        assert len(errors) == 1 and "401 Unauthorized" in errors[0] and "/key" in errors[0]
        assert "sk-wrong-key" not in errors[0]
        assert tab.prompt.text == "my careful prompt"
        assert tab.session.history == ()
        tab.prompt.load_text("")
        await send_and_wait(pilot, "again")
        assert app.query(AssistantMessage).last().text == "Echo: again"


async def test_retry_sends_the_last_prompt_again(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "first question")
        tab = await send_and_wait(pilot, "/retry")
        await wait_until(pilot, lambda: not tab.streaming)
        bodies = [r.last_user_text() for r in wire.chat_requests()]
        assert bodies == ["first question", "first question"]
        assert len(tab.session.history) == 2  # the old turn was replaced, not duplicated


async def test_a_key_typed_in_a_command_is_never_echoed_or_remembered(wire: WireServer) -> None:
    app = make_app(wire, key=None)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "/key sk-pasted-secret-999")
        shown = " ".join(u.text for u in app.query(UserMessage))
        assert "sk-pasted-secret-999" not in shown
        assert "sk-pasted-secret-999" not in tab.prompt.prompt_history.entries
        assert any("API key updated" in str(n.render()) for n in app.query(Notice))
        await send_and_wait(pilot, "hello")
        assert sent_key(wire.chat_requests()[-1]) == "sk-pasted-secret-999"
        status = str(app.query_one(StatusLine).render())
        assert "runtime-only" in status and "sk-pasted" not in status


async def test_bad_commands_say_what_is_wrong_and_change_nothing(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "/set streaming loud")
        await send_and_wait(pilot, "/bogus")
        await send_and_wait(pilot, "/provider acme")
        errors = [e.text for e in app.query(ErrorNotice)]
        assert "streaming must be one of: enabled, disabled" in errors[0]
        assert "Unknown command /bogus" in errors[1]
        assert "Provider 'acme' is not available" in errors[2]
        assert tab.runtime.settings_service.get("streaming") is None
        assert tab.runtime.config.get_provider() == "openai"


async def test_commands_reach_the_runtime(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "/model model-q")
        await send_and_wait(pilot, "/set modelparam temperature 0.5")
        await send_and_wait(pilot, "/set context-limit 4096")
        await send_and_wait(pilot, "/profile save tui-profile")
        await send_and_wait(pilot, "hi")
        request = wire.chat_requests()[-1]
        assert request.body["model"] == "model-q" and request.body["temperature"] == 0.5
        assert tab.runtime.settings_service.get("context-limit") == 4096
        assert tab.runtime.settings_service.current_profile_name == "tui-profile"
        await send_and_wait(pilot, "/rename research")
        assert tab.tab_name == "research" and "research openai:model-q" in tab.label()


async def test_prompt_history_and_newlines(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "one")
        await send_and_wait(pilot, "two")
        tab.prompt.focus()
        await pilot.press("up")
        assert tab.prompt.text == "two"
        await pilot.press("up")
        assert tab.prompt.text == "one"
        await pilot.press("down", "down")
        assert tab.prompt.text == ""
        await pilot.press("a", "ctrl+j", "b")
        assert tab.prompt.text == "a\nb"


async def test_slash_completion_as_you_type(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = active(pilot)
        tab.prompt.focus()
        await pilot.press("slash", "p", "r")
        from llxprt_tui.chat.completer import CommandCompletion

        menu = app.query_one(CommandCompletion)
        await wait_until(pilot, lambda: menu.has_class("-visible"))
        assert [menu.get_option_at_index(i).id for i in range(menu.option_count)] == [
            "/profile",
            "/provider",
        ]
        await pilot.press("tab")
        assert tab.prompt.text == "/profile "


async def test_enter_sends_the_request_before_the_turn_is_drawn(
    wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request leaves first; the prompt and the empty reply are drawn while it is out
    (drawing them cost several times the request itself: issue 18.8). The first request of
    a tab may wait for the SDK's import: the order is checked on the next ones."""
    from llxprt_runtime.providers import clients

    drawn_then: list[list[str]] = []
    hooks = clients.guarded_event_hooks
    app = make_app(wire)

    async def sent(_request: object) -> None:
        drawn_then.append([str(m.render()) for m in app.query(UserMessage)])

    def with_ours() -> dict[str, list[object]]:
        made = hooks()
        made["request"].append(sent)
        return made  # type: ignore[return-value]

    monkeypatch.setattr(clients, "guarded_event_hooks", with_ours)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "first")
        await send_and_wait(pilot, "second")
        await send_and_wait(pilot, "third")
        assert drawn_then[1:] == [["first"], ["first", "second"]]
        assert [str(m.render()) for m in app.query(UserMessage)] == ["first", "second", "third"]
        assert app.query(AssistantMessage).last().text == "Echo: third"


async def test_escape_right_after_enter_ends_the_turn(wire: WireServer) -> None:
    """Escape before the stream's task first ran: cancelling that task would skip its
    `finally` and leave the tab "streaming" forever (issue 11 item 12)."""
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        await tab.send("cancel me at once")
        assert tab.cancel_stream()
        await wait_until(pilot, lambda: not tab.streaming)
        reply = app.query(AssistantMessage).last()
        assert reply.state == "cancelled"
        await send_and_wait(pilot, "and the tab still works")
        assert app.query(AssistantMessage).last().text == "Echo: and the tab still works"


async def test_a_setting_changed_through_the_runtime_api_redraws_the_status_line(
    wire: WireServer,
) -> None:
    # Not through a command nor a screen: the tab hears its SettingsService's change events.
    from llxprt_runtime import api

    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        tab = active(pilot)
        status = app.query_one(StatusLine)
        await wait_until(pilot, lambda: "openai" in str(status.render()))
        assert "model-from-the-api" not in str(status.render())
        await api.set_active_model("model-from-the-api", runtime=tab.runtime)
        await wait_until(pilot, lambda: "model-from-the-api" in str(status.render()))
        assert "model-from-the-api" in tab.label()
