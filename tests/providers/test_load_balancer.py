"""Load-balancer profiles over the real SDKs: three members (openai, anthropic, gemini) on
three loopback servers with three keys from three sources."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from llxprt_runtime import RuntimeServices
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.auth.secret_store import KEYRING_SERVICE
from llxprt_runtime.errors import (
    ClientError,
    LoadBalancerActiveError,
    LoadBalancerFailoverError,
    NetworkError,
    ProfileError,
    StreamInterruptedError,
)
from llxprt_runtime.providers.base import GenerateChatOptions
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.providers.load_balancer import LOAD_BALANCER_PROVIDER
from llxprt_runtime.runtime.lb_snapshot import save_load_balancer_profile
from tests.conftest import Dirs
from tests.providers.conftest import collect, sent_key
from tests.providers.lb_fixtures import (
    MEMBERS,
    NAMES,
    FakeClock,
    refused_url,
    sent_model,
    servers,
    write_lb,
    write_members,
    write_profile,
)
from tests.wire.server import Fault, Reply, WireServer

__all__ = ["servers"]  # the fixture, imported for this module's tests


async def lb_runtime(name: str, clock: FakeClock | None = None) -> RuntimeServices:
    runtime = await rs.activate_isolated_runtime_context()
    if clock is not None:
        runtime.provider_manager.clock = clock
    await rs.load_profile_by_name(name, runtime=runtime)
    return runtime


async def ask(runtime: RuntimeServices, text: str) -> str:
    _, reply = await collect(runtime, IContent.human(text))
    return reply.text()


def counts(servers: list[WireServer]) -> list[int]:
    return [len(s.chat_requests()) for s in servers]


def assert_member_requests(servers: list[WireServer]) -> None:
    """Every request carries its own member's key, model and endpoint (and nothing else's)."""
    for member, server in zip(MEMBERS, servers, strict=True):
        for request in server.chat_requests():
            assert request.protocol == member.provider
            assert sent_key(request) == member.key
            assert sent_model(request) == member.model


async def test_round_robin_sends_each_request_to_the_next_member(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "rr", "roundrobin")
    runtime = await lb_runtime("rr")
    assert runtime.settings_service.active_provider == LOAD_BALANCER_PROVIDER
    replies = [await ask(runtime, f"request {i}") for i in range(4)]
    assert replies == [f"Echo: request {i}" for i in range(4)]
    assert [[r.last_user_text() for r in s.chat_requests()] for s in servers] == [
        ["request 0", "request 3"],
        ["request 1"],
        ["request 2"],
    ]
    assert_member_requests(servers)
    # Each member's own params reach its request.
    assert servers[0].chat_requests()[0].body["temperature"] == 0.3
    assert servers[1].chat_requests()[0].body["temperature"] == 0.3
    balancer = runtime.provider_manager.load_balancer
    assert balancer is not None and balancer.last_served is not None
    assert balancer.last_served.name == "lb-one"
    # The runtime's own settings hold no member's key, model or endpoint.
    diagnostics = json.dumps(runtime.settings_service.diagnostics())
    assert not any(m.key in diagnostics or m.model in diagnostics for m in MEMBERS)


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_failover_retries_the_member_then_moves_on_and_sticks(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend, status: int
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "fo", "failover", failover_retry_count=1)
    runtime = await lb_runtime("fo")
    servers[0].enqueue(Fault(status=status, retry_after="0"), Fault(status=status))
    assert await ask(runtime, "first") == "Echo: first"
    assert counts(servers) == [2, 1, 0]  # one try and one retry on lb-one, then lb-two
    assert await ask(runtime, "second") == "Echo: second"
    assert counts(servers) == [2, 2, 0]  # sticky: the member that served last
    assert_member_requests(servers)
    report = {r.name: r for r in runtime.provider_manager.load_balancer.report({})}  # type: ignore[union-attr]
    assert (report["lb-one"].requests, report["lb-one"].failures) == (2, 2)
    assert report["lb-one"].failovers == 1
    assert (report["lb-two"].requests, report["lb-two"].successes) == (2, 2)
    assert report["lb-two"].is_next


async def test_failover_on_connection_refused(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring, urls={"lb-one": f"{refused_url()}/v1"})
    write_lb(dirs, "fo", "failover", failover_retry_count=0)
    runtime = await lb_runtime("fo")
    assert await ask(runtime, "hi") == "Echo: hi"
    assert counts(servers) == [0, 1, 0]
    assert_member_requests(servers)


async def test_network_errors_do_not_fail_over_when_turned_off(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring, urls={"lb-one": f"{refused_url()}/v1"})
    write_lb(dirs, "fo", "failover", failover_on_network_errors=False)
    runtime = await lb_runtime("fo")
    with pytest.raises(NetworkError):
        await ask(runtime, "hi")
    assert counts(servers) == [0, 0, 0]


@pytest.mark.parametrize("status", [401, 402, 403])
async def test_auth_failures_move_on_at_once(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend, status: int
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "fo", "failover", failover_retry_count=3)
    runtime = await lb_runtime("fo")
    servers[0].enqueue(Fault(status=status, message="no entry"))
    assert await ask(runtime, "hi") == "Echo: hi"
    assert counts(servers) == [1, 1, 0]  # never retried on lb-one


async def test_a_status_outside_the_failover_codes_is_not_failed_over(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "fo", "failover", failover_status_codes=[503])
    runtime = await lb_runtime("fo")
    servers[0].enqueue(Fault(status=400, message="bad request"))
    with pytest.raises(ClientError):
        await ask(runtime, "hi")
    servers[0].enqueue(Fault(status=500, message="boom"))
    with pytest.raises(Exception, match="500"):
        await ask(runtime, "again")
    assert counts(servers) == [2, 0, 0]


async def test_all_members_failing_names_each_one(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "fo", "failover", failover_retry_count=0)
    runtime = await lb_runtime("fo")
    for server in servers:
        server.enqueue(Fault(status=503, message="down"))
    with pytest.raises(LoadBalancerFailoverError) as info:
        await ask(runtime, "hi")
    message = str(info.value)
    assert all(name in message for name in NAMES) and "503" in message
    assert not any(m.key in message for m in MEMBERS)


async def test_failover_retry_delay_is_waited_between_tries(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "fo", "failover", failover_retry_count=2, failover_retry_delay_ms=250)
    runtime = await rs.activate_isolated_runtime_context()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    runtime.provider_manager.sleep = sleep
    await rs.load_profile_by_name("fo", runtime=runtime)
    servers[0].enqueue(*[Fault(status=500)] * 3)
    assert await ask(runtime, "hi") == "Echo: hi"
    assert waits == [0.25, 0.25] and counts(servers) == [3, 1, 0]


async def test_a_member_that_times_out_is_failed_over(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "fo", "failover", failover_retry_count=0, timeout_ms=1000)
    runtime = await lb_runtime("fo")
    release = threading.Event()  # the first member answers only once the test is done
    servers[0].enqueue(Fault(first_byte_hold=release))
    try:
        assert await ask(runtime, "hi") == "Echo: hi"
    finally:
        release.set()
    assert counts(servers) == [1, 1, 0]
    report = runtime.provider_manager.load_balancer.report({})  # type: ignore[union-attr]
    assert "timeout_ms=1000" in (report[0].last_error or "")


async def test_a_reply_cut_off_mid_stream_is_never_replayed_elsewhere(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "fo", "failover")
    runtime = await lb_runtime("fo")
    servers[0].enqueue(Fault(reply=Reply(text=("one", " two", " three", " four")), cut_after=3))
    received: list[IContent] = []
    with pytest.raises(StreamInterruptedError, match="cut off"):
        async for chunk in runtime.provider_manager.generate_chat_completion(
            GenerateChatOptions([IContent.human("hi")], runtime=runtime.context)
        ):
            received.append(chunk)
    assert "".join(c.text() for c in received).startswith("one")
    assert counts(servers) == [1, 0, 0]


async def test_the_circuit_breaker_opens_and_recovers(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(
        dirs,
        "rr",
        "roundrobin",
        retries=1,
        circuit_breaker_enabled=True,
        circuit_breaker_failure_threshold=2,
        circuit_breaker_failure_window_ms=60000,
        circuit_breaker_recovery_timeout_ms=30000,
    )
    clock = FakeClock()
    runtime = await lb_runtime("rr", clock)
    balancer = runtime.provider_manager.load_balancer
    assert balancer is not None
    settings = runtime.settings_service.get_all_global_settings()
    servers[1].enqueue(Fault(status=500), Fault(status=500))
    for i in range(6):  # lb-two fails twice (each time the retry goes on to lb-three)
        assert await ask(runtime, f"r{i}") == f"Echo: r{i}"
    assert counts(servers)[1] == 2
    assert {r.name: r.breaker for r in balancer.report(settings)}["lb-two"] == "open (retry in 30s)"
    for i in range(3):  # while open, lb-two is skipped
        await ask(runtime, f"open {i}")
    assert counts(servers)[1] == 2
    clock.advance(29)
    await ask(runtime, "still open")
    await ask(runtime, "still open 2")
    assert counts(servers)[1] == 2
    clock.advance(1)  # recovery timeout reached: one request tries lb-two again
    for i in range(3):
        await ask(runtime, f"after {i}")
    assert counts(servers)[1] == 3
    assert {r.name: r.breaker for r in balancer.report(settings)}["lb-two"] == "closed"
    assert_member_requests(servers)


async def test_a_half_open_member_that_fails_again_is_skipped_again(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(
        dirs,
        "fo",
        "failover",
        failover_retry_count=0,
        circuit_breaker_enabled=True,
        circuit_breaker_failure_threshold=1,
        circuit_breaker_recovery_timeout_ms=10000,
    )
    clock = FakeClock()
    runtime = await lb_runtime("fo", clock)
    servers[0].enqueue(Fault(status=500))
    await ask(runtime, "a")  # lb-one fails once: open; lb-two serves and is sticky
    servers[1].enqueue(Fault(status=500))
    await ask(runtime, "b")  # lb-two fails: open; lb-three serves; lb-one is skipped
    assert counts(servers) == [1, 2, 1]
    clock.advance(10)
    servers[2].enqueue(Fault(status=500))
    servers[0].enqueue(Fault(status=500))
    await ask(runtime, "c")  # lb-three fails, lb-one (half-open) fails again, lb-two serves
    assert counts(servers) == [2, 3, 2]
    servers[1].enqueue(Fault(status=500))
    with pytest.raises(LoadBalancerFailoverError, match="circuit breaker open"):
        await ask(runtime, "d")


async def test_two_runtimes_on_one_load_balancer_keep_their_own_state(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "rr", "roundrobin")
    first, second = await lb_runtime("rr"), await lb_runtime("rr")

    async def three(runtime: RuntimeServices, tag: str) -> None:
        for i in range(3):
            await ask(runtime, f"{tag}{i}")

    await asyncio.gather(three(first, "A"), three(second, "B"))
    # Each runtime started at the first member: shared state would have split the pairs.
    assert [sorted(r.last_user_text() for r in s.chat_requests()) for s in servers] == [
        ["A0", "B0"],
        ["A1", "B1"],
        ["A2", "B2"],
    ]
    assert_member_requests(servers)


async def test_two_runtimes_fail_over_independently(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "fo", "failover", failover_retry_count=0)
    first, second = await lb_runtime("fo"), await lb_runtime("fo")
    servers[0].enqueue(Fault(status=503))
    await ask(first, "A0")  # first moves on to lb-two and sticks there
    await asyncio.gather(ask(first, "A1"), ask(second, "B0"))
    assert [sorted(r.last_user_text() for r in s.chat_requests()) for s in servers] == [
        ["A0", "B0"],
        ["A0", "A1"],
        [],
    ]


@pytest.mark.parametrize(
    ("members", "broken", "message"),
    [
        (("lb-one", "ghost"), None, "Load balancer 'lb': member profile 'ghost' not found"),
        (("lb-one", "nested"), "nested", "member profile 'nested' is itself a load balancer"),
        (("lb-one", "bad"), "bad", "member profile 'bad': Profile 'bad' is corrupted"),
        (("lb-one", "nokey"), "nokey", "uses keyring key 'absent', which is not in the keyring"),
        (("lb-one", "lb-one"), None, "lists 'lb-one' twice"),
    ],
)
async def test_a_broken_member_is_a_specific_error_and_changes_nothing(
    dirs: Dirs,
    servers: list[WireServer],
    memory_keyring: KeyringBackend,
    members: tuple[str, ...],
    broken: str | None,
    message: str,
) -> None:
    write_members(dirs, servers, memory_keyring)
    if broken == "nested":
        write_lb(dirs, "nested", "roundrobin")
    elif broken == "bad":
        (dirs.config / "profiles" / "bad.json").write_text("{ nope")
    elif broken == "nokey":
        write_profile(
            dirs,
            "nokey",
            {
                "version": 1,
                "provider": "openai",
                "model": "m",
                "ephemeralSettings": {"auth-key-name": "absent"},
            },
        )
    write_lb(dirs, "lb", "failover", members)
    runtime = await rs.activate_isolated_runtime_context()
    await rs.load_profile_by_name("lb-two", runtime=runtime)
    before = runtime.settings_service.export_state()
    with pytest.raises(ProfileError) as info:
        await rs.load_profile_by_name("lb", runtime=runtime)
    assert message in str(info.value)
    assert runtime.settings_service.export_state() == before
    assert runtime.provider_manager.load_balancer is None


async def test_llxprt_code_file_round_trips_and_save_writes_its_format(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    original = write_lb(
        dirs, "fo", "failover", failover_status_codes=[429, 503], circuit_breaker_enabled=True
    )
    runtime = await lb_runtime("fo")
    saved = await rs.save_profile_snapshot("fo-again", runtime=runtime)  # LB active: an LB
    assert json.loads(saved.path.read_text()) == json.loads(original.read_text())

    await rs.set_ephemeral_setting("failover_retry_count", 5, runtime=runtime)
    result = await save_load_balancer_profile(
        "made", "roundrobin", ["lb-three", "lb-one"], runtime=runtime
    )
    assert json.loads(result.path.read_text()) == {
        "version": 1,
        "type": "loadbalancer",
        "policy": "roundrobin",
        "profiles": ["lb-three", "lb-one"],
        "provider": "",
        "model": "",
        "modelParams": {},
        "ephemeralSettings": {
            "failover_status_codes": [429, 503],
            "circuit_breaker_enabled": True,
            "failover_retry_count": 5,
        },
    }
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("policy", "members", "message"),
    [
        ("random", ["lb-one", "lb-two"], "Invalid policy 'random'. Use roundrobin or failover."),
        ("failover", ["lb-one"], "requires at least 2 profiles"),
        ("failover", ["lb-one", "ghost"], "member profile 'ghost' not found"),
    ],
)
async def test_saving_a_load_balancer_checks_its_members(
    dirs: Dirs,
    servers: list[WireServer],
    memory_keyring: KeyringBackend,
    policy: str,
    members: list[str],
    message: str,
) -> None:
    write_members(dirs, servers, memory_keyring)
    runtime = await rs.activate_isolated_runtime_context()
    with pytest.raises(ProfileError, match=message.replace(".", r"\.")):
        await save_load_balancer_profile("made", policy, members, runtime=runtime)
    assert not (dirs.config / "profiles" / "made.json").exists()


async def test_loading_a_standard_profile_after_a_load_balancer_leaves_it(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "rr", "roundrobin")
    runtime = await lb_runtime("rr")
    await rs.load_profile_by_name("lb-three", runtime=runtime)
    for i in range(2):
        await ask(runtime, f"{i}")
    assert counts(servers) == [0, 0, 2]
    assert runtime.provider_manager.active_load_balancer() is None


async def test_a_member_of_a_load_balancer_cannot_be_deleted_or_renamed(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend
) -> None:
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "rr", "roundrobin", ("lb-one", "lb-two"))
    runtime = await rs.activate_isolated_runtime_context()
    for action in (
        rs.delete_profile_by_name("lb-two", runtime=runtime),
        rs.rename_profile("lb-two", "other", runtime=runtime),
    ):
        with pytest.raises(ProfileError, match="is a member of load balancer 'rr'"):
            await action
    assert (dirs.config / "profiles" / "lb-two.json").exists()
    assert not (dirs.config / "profiles" / "other.json").exists()
    assert await rs.delete_profile_by_name("lb-three", runtime=runtime) == (
        "Profile 'lb-three' deleted"
    )


async def test_one_provider_settings_are_refused_while_a_load_balancer_is_active(
    dirs: Dirs, servers: list[WireServer], memory_keyring: KeyringBackend, tmp_path: Path
) -> None:
    """/model, /key, /keyfile, /key load, f2's save, /baseurl and model parameters would land
    on the `load-balancer` provider, show as set, and change nothing any member sends."""
    write_members(dirs, servers, memory_keyring)
    write_lb(dirs, "rr", "roundrobin")
    runtime = await lb_runtime("rr")
    keyfile = tmp_path / "key.txt"
    keyfile.write_text("sk-typed-0001\n")
    keyfile.chmod(0o600)
    memory_keyring.set_password(KEYRING_SERVICE, "other", "sk-other-0002")
    before = runtime.settings_service.export_state()
    attempts = {
        "set a model": rs.set_active_model("other-model", runtime=runtime),
        "set an API key": rs.update_active_provider_api_key("sk-typed-0001", runtime=runtime),
        "set a keyfile": rs.update_active_provider_keyfile(str(keyfile), runtime=runtime),
        "load a key": rs.use_named_key("other", runtime=runtime),
        "save a key": rs.save_active_provider_key("sk-typed-0001", runtime=runtime),
        "set a base URL": rs.update_active_provider_base_url(refused_url(), runtime=runtime),
        "set model parameters": rs.set_active_model_param("temperature", 0.5, runtime=runtime),
    }
    for action, attempt in attempts.items():
        with pytest.raises(LoadBalancerActiveError) as raised:
            await attempt
        message = str(raised.value)
        assert message.startswith(f"Cannot {action} while the load balancer 'rr' is active")
        assert "/provider NAME" in message
    assert runtime.settings_service.export_state() == before
    assert memory_keyring.get_password(KEYRING_SERVICE, "load-balancer") is None
    for i in range(3):
        await ask(runtime, f"{i}")
    assert counts(servers) == [1, 1, 1]
    assert_member_requests(servers)  # each member's own key, model and endpoint
