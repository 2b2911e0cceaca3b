"""Snapshots of the load-balancer states: the profile screen with a load balancer selected,
and /stats lb after a failover (with the status line naming the member that served)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from keyring.backend import KeyringBackend
from textual.pilot import Pilot

from llxprt_tui.screens.load_balancer_builder import LoadBalancerBuilderScreen
from llxprt_tui.screens.profiles import ProfilesScreen
from tests.conftest import Dirs
from tests.providers.lb_fixtures import servers, write_lb, write_members
from tests.tui.conftest import SIZE, make_app, send_and_wait, wait_until
from tests.tui.test_snapshots import fixed_config, open_and_settle, settle, steady, still
from tests.wire.server import Fault, WireServer

__all__ = ["fixed_config", "servers"]  # fixtures, imported for this module's tests


def test_profiles_screen_load_balancer(
    snap_compare: Callable[..., bool],
    fixed_config: Path,
    dirs: Dirs,
    servers: list[WireServer],
    memory_keyring: KeyringBackend,
) -> None:
    config = Dirs(dirs.home, fixed_config, dirs.data, dirs.cache, dirs.log)
    write_members(config, servers, memory_keyring)
    write_lb(
        config,
        "balanced",
        "failover",
        ("lb-one", "lb-two", "lb-three", "gone"),
        failover_retry_count=1,
        circuit_breaker_enabled=True,
    )

    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/profile list", ProfilesScreen)
        await pilot.pause(0.1)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_stats_lb_after_a_failover(
    snap_compare: Callable[..., bool],
    fixed_config: Path,
    dirs: Dirs,
    servers: list[WireServer],
    memory_keyring: KeyringBackend,
) -> None:
    config = Dirs(dirs.home, fixed_config, dirs.data, dirs.cache, dirs.log)
    write_members(config, servers, memory_keyring)
    write_lb(config, "balanced", "failover", failover_retry_count=1)
    servers[0].enqueue(Fault(status=503, message="overloaded"), Fault(status=503))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await send_and_wait(pilot, "/profile load balanced")
        await send_and_wait(pilot, "hello")
        await send_and_wait(pilot, "/stats lb")
        steady(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_load_balancer_builder(
    snap_compare: Callable[..., bool],
    fixed_config: Path,
    dirs: Dirs,
    servers: list[WireServer],
    memory_keyring: KeyringBackend,
) -> None:
    config = Dirs(dirs.home, fixed_config, dirs.data, dirs.cache, dirs.log)
    write_members(config, servers, memory_keyring)

    async def run_before(pilot: Pilot[None]) -> None:
        await open_and_settle(pilot, "/profile list", ProfilesScreen)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, LoadBalancerBuilderScreen))
        await pilot.press(*"team", "enter", "down", "down", "space", "up", "up", "space")
        await pilot.pause()
        still(pilot.app)  # type: ignore[arg-type]
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
