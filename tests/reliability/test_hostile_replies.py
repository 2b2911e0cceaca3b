"""Replies a hostile or broken server can send: a lone surrogate, an empty 200.

A bad character is made valid on the way in (it never poisons the conversation), and a
reply with nothing in it is an error, not a success, for every provider, in the app and -p.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from llxprt_runtime.errors import ProviderError
from llxprt_runtime.providers.content import IContent
from llxprt_tui.chat.messages import AssistantMessage
from tests.providers.conftest import PROVIDERS, base_url, collect, runtime_for
from tests.test_oneshot import llxprt
from tests.tui.conftest import SIZE, errors, make_app, send_and_wait
from tests.wire.server import Fault, Reply, WireServer

LONE = "\ud800"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_lone_surrogate_becomes_a_replacement_character(
    provider: str, wire: WireServer
) -> None:
    runtime = await runtime_for(provider, wire)
    wire.enqueue(Reply(text=(f"bad {LONE}", " char"), thinking=(f"hm{LONE}",)))
    chunks, reply = await collect(runtime, IContent.human("hi"))
    assert reply.text() == "bad \ufffd char"
    # Every delta is valid Unicode, not only the merged reply (the blocks are slots
    # dataclasses: their fields, not a __dict__).
    streamed = [
        str(getattr(block, field.name))
        for chunk in chunks
        for block in chunk.blocks
        for field in dataclasses.fields(block)
    ]
    assert any("\ufffd" in value for value in streamed)  # the delta that held it
    assert all(LONE not in value for value in streamed)
    if reply.thinking():
        assert reply.thinking() == "hm\ufffd"
    reply.text().encode()  # valid UTF-8 now
    _, again = await collect(runtime, IContent.human("hi"), reply, IContent.human("more"))
    assert again.text() == "Echo: more"


async def test_a_lone_surrogate_does_not_poison_the_tab(tmp_path: Path, wire: WireServer) -> None:
    wire.enqueue(Reply(text=(f"bad {LONE} char",)))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_wait(pilot, "one")
        assert app.query(AssistantMessage).last().text == "bad \ufffd char"
        await send_and_wait(pilot, "two")
        assert errors(app) == ""
        assert app.query(AssistantMessage).last().text == "Echo: two"
        assert wire.chat_requests()[-1].last_user_text() == "two"
        await send_and_wait(pilot, "/copy")
        copied = app.clipboard
        target = tmp_path / "chat.md"
        await send_and_wait(pilot, f"/export {target}")
        await send_and_wait(pilot, "three")
        assert errors(app) == ""
    assert copied == "Echo: two"
    assert "bad \ufffd char" in target.read_text(encoding="utf-8")


def test_a_lone_surrogate_in_oneshot_is_printed_as_a_replacement(wire: WireServer) -> None:
    wire.enqueue(Reply(text=(f"bad {LONE} char",)))
    result = llxprt("-p", "x", "--provider", "openai", "--baseurl", f"{wire.url}/v1", "--key", "k")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "bad \ufffd char\n"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_empty_200_reply_is_an_error(provider: str, wire: WireServer) -> None:
    runtime = await runtime_for(provider, wire, retries=0)
    wire.enqueue(Fault(empty=True))
    with pytest.raises(ProviderError) as info:
        await collect(runtime, IContent.human("hi"))
    assert "the server returned an empty reply" in str(info.value)
    assert wire.url in str(info.value)


async def test_an_empty_reply_in_the_app_is_an_error_and_the_prompt_comes_back(
    wire: WireServer,
) -> None:
    wire.enqueue(Fault(empty=True))
    app = make_app(wire)
    async with app.run_test(size=SIZE) as pilot:
        tab = await send_and_wait(pilot, "/set retries 0")
        tab = await send_and_wait(pilot, "my careful prompt")
        assert "the server returned an empty reply" in errors(app)
        assert tab.prompt.text == "my careful prompt"
        assert tab.session.history == ()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_empty_reply_in_oneshot_exits_1(provider: str, wire: WireServer) -> None:
    wire.enqueue(Fault(empty=True), Fault(empty=True), Fault(empty=True), Fault(empty=True))
    args = ("--provider", provider, "--baseurl", base_url(provider, wire), "--key", "k")
    result = llxprt("-p", "x", *args, "--set", "retries=0")
    assert result.returncode == 1
    assert "the server returned an empty reply" in result.stderr
    assert result.stdout == ""
