"""Load balancers in the app: /profile save loadbalancer, loading one, the status line, the
tab label and /stats lb, against three loopback servers."""

from __future__ import annotations

import json

from keyring.backend import KeyringBackend

from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.status import describe
from llxprt_tui.screens.load_balancer_builder import LoadBalancerBuilderScreen
from llxprt_tui.screens.profiles import ProfilesScreen
from tests.conftest import Dirs
from tests.providers.lb_fixtures import servers, write_lb, write_members
from tests.tui.conftest import (
    SIZE,
    active,
    errors,
    make_app,
    notices,
    press_new_tab,
    send_and_wait,
    type_and_send,
    wait_until,
)
from tests.wire.server import Fault, WireServer

__all__ = ["servers"]  # the fixture, imported for this module's tests


async def test_save_load_and_use_a_load_balancer_in_a_tab(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await send_and_wait(pilot, "/profile save loadbalancer made failover lb-two lb-one")
        saved = json.loads((dirs.config / "profiles" / "made.json").read_text())
        assert saved["type"] == "loadbalancer" and saved["profiles"] == ["lb-two", "lb-one"]
        await send_and_wait(pilot, "/profile load made")
        tab = active(pilot)
        assert "Load balancer 'made' (failover) over 2 members" in notices(app)
        assert describe(tab).startswith("lb: made (failover) · no reply yet")
        servers[1].enqueue(Fault(status=503, message="busy"), *[Fault(status=503)] * 2)
        await send_and_wait(pilot, "hello")
        assert tab.session.last_reply_text() == "Echo: hello"
        assert describe(tab).startswith(
            "lb: made (failover) · last reply: lb-one (openai model-one)"
        )
        assert tab.label().endswith("lb:made")
        await send_and_wait(pilot, "/stats lb")
        text = notices(app)
        assert "Load balancer 'made' (failover) · last reply from: lb-one" in text
        assert "lb-two: 503 Server error: injected fault" in text  # its last failure


async def test_load_balancer_command_errors_are_specific(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await send_and_wait(pilot, "/profile save loadbalancer made")
        await send_and_wait(pilot, "/profile save loadbalancer made sometimes lb-one lb-two")
        await send_and_wait(pilot, "/profile save loadbalancer made roundrobin lb-one ghost")
        await send_and_wait(pilot, "/stats lb")
        await send_and_wait(pilot, "/stats model")
        shown = errors(app)
        assert "Usage: /profile save loadbalancer NAME roundrobin|failover" in shown
        assert "Invalid policy 'sometimes'. Use roundrobin or failover." in shown
        assert "member profile 'ghost' not found" in shown
        assert "Usage: /stats lb" in shown
        assert "No load balancer in this tab." in notices(app)
        assert not (dirs.config / "profiles" / "made.json").exists()
        # With one loaded, a setting of one provider is refused, saying why and what to do.
        write_lb(dirs, "rr", "roundrobin")
        await send_and_wait(pilot, "/profile load rr")
        await send_and_wait(pilot, "/model other-model")
        await send_and_wait(pilot, "/baseurl http://127.0.0.1:9/v1")
        shown = errors(app)
        assert "Cannot set a model while the load balancer 'rr' is active" in shown
        assert "Cannot set a base URL while the load balancer 'rr' is active" in shown
        assert describe(active(pilot)).startswith("lb: rr (roundrobin)")


async def test_each_tab_on_one_load_balancer_has_its_own_rotation(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "rr", "roundrobin")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app, LlxprtApp)
        await app.wait_ready()
        await send_and_wait(pilot, "/profile load rr")
        await send_and_wait(pilot, "one A")
        await press_new_tab(pilot)
        await send_and_wait(pilot, "/profile load rr")
        await send_and_wait(pilot, "one B")
        await send_and_wait(pilot, "two B")
    assert [[r.last_user_text() for r in s.chat_requests()] for s in servers] == [
        ["one A", "one B"],
        ["two B"],
        [],
    ]


async def test_the_profile_screen_makes_a_load_balancer_from_picked_members(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await type_and_send(pilot, "/profile list")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, LoadBalancerBuilderScreen))
        builder = app.screen
        assert isinstance(builder, LoadBalancerBuilderScreen)
        await pilot.press("ctrl+s")  # no name yet: said in place
        assert "Give the load balancer a name." in str(builder.query_one("#lb-status").render())
        await pilot.press(*"picked", "enter")  # on to the members list
        # Pick lb-two, then lb-one: the picked order is the failover order.
        await pilot.press("down", "down", "space", "up", "up", "space")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
    saved = json.loads((dirs.config / "profiles" / "picked.json").read_text())
    assert (saved["type"], saved["policy"]) == ("loadbalancer", "failover")
    assert saved["profiles"] == ["lb-two", "lb-one"]
