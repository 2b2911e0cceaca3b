"""Isolation at scale: 50 runtimes over the four providers talk to loopback servers at once,
while some switch provider, change key, load a profile or are disposed mid-stream.

Every request names its sender and the sender's "generation" (bumped on each change) in its
text; the server's request log is then checked against what that runtime had set at that
generation: key, model, base URL (which server got it), protocol and custom header.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from llxprt_runtime import MissingProviderRuntimeError, RuntimeDisposedError, RuntimeServices
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.providers.base import GenerateChatOptions
from llxprt_runtime.providers.content import IContent
from tests.conftest import Dirs
from tests.providers.conftest import PROVIDERS, base_url, collect, sent_key
from tests.wire.server import RecordedRequest, Reply, WireServer

AGENTS = 50
SERVERS = 10
TURNS = 4
ROLES = ("steady", "switch", "rekey", "profile", "dispose")
SENDER = re.compile(r"agent=(\d+) gen=(\d+)")


@dataclass(frozen=True)
class Identity:
    """What a runtime's requests must carry at one generation."""

    protocol: str
    key: str
    model: str
    server: int
    header: str


def model_of(request: RecordedRequest) -> str:
    if request.protocol == "gemini":
        return request.path.split("/models/")[1].split(":")[0]
    return str(request.body["model"])


def check_server_logs(servers: list[WireServer], log: dict[tuple[int, int], Identity]) -> int:
    """Every request each server got carries exactly what its sender had set at the
    generation it names; returns how many requests were checked."""
    checked = 0
    for number, server in enumerate(servers):
        for request in server.chat_requests():
            sender = SENDER.search(request.last_user_text())
            assert sender, request.last_user_text()
            index, generation = int(sender[1]), int(sender[2])
            seen = Identity(
                request.protocol,
                sent_key(request) or "",
                model_of(request),
                number,
                request.headers.get("x-agent", ""),
            )
            assert seen == log[(index, generation)], f"sender {index} generation {generation}"
            checked += 1
    return checked


def replies(disposed: dict[int, threading.Event]) -> Callable[[RecordedRequest], Reply]:
    def reply_for(request: RecordedRequest) -> Reply:
        # A long reply for the stream that gets its runtime disposed half-way: it pauses
        # after a few events until the agent has disposed its runtime, so the client cannot
        # have read the whole reply first on a slow machine.
        text = request.last_user_text()
        if "long" in text:
            agent = int(re.search(r"agent=(\d+)", text).group(1))  # type: ignore[union-attr]
            return Reply(text=("x",) * 200, event_delay=0.01, hold=disposed[agent], hold_at=8)
        return Reply(text=("ok",) * 8, event_delay=0.001)

    return reply_for


class Agent:
    def __init__(self, index: int, servers: list[WireServer], log: dict[tuple[int, int], Identity]):
        self.index = index
        self.role = ROLES[index % len(ROLES)]
        self.servers = servers
        self.log = log
        self.generation = 0
        self.runtime: RuntimeServices | None = None
        self.rng = random.Random(index)
        self.disposed = threading.Event()  # set once this agent's runtime is disposed

    async def configure(self, provider: str, server: int, key: str, model: str) -> None:
        """Point this (active) runtime at `server` with its own key, model and header."""
        if self.runtime is None:
            self.runtime = await rs.activate_isolated_runtime_context(
                runtime_id=f"agent-{self.index}"
            )
        await rs.switch_active_provider(provider)
        await rs.update_active_provider_base_url(base_url(provider, self.servers[server]))
        await rs.update_active_provider_api_key(key)
        await rs.set_active_model(model)
        await rs.set_ephemeral_setting("custom-headers", {"X-Agent": f"agent-{self.index}"})
        await rs.set_ephemeral_setting("retrywait", 1)
        await rs.set_active_model_param("temperature", round(self.index / 100, 2))
        self.record(provider, key, model, server)

    def record(self, provider: str, key: str, model: str, server: int) -> None:
        self.generation += 1
        self.log[(self.index, self.generation)] = Identity(
            provider, key, model, server, f"agent-{self.index}"
        )

    async def send(self, extra: str = "") -> str:
        await asyncio.sleep(self.rng.random() * 0.01)
        assert self.runtime is not None
        text = f"agent={self.index} gen={self.generation} {extra}"
        _, reply = await collect(self.runtime, IContent.human(text))
        return reply.text()

    async def run(self, start: asyncio.Barrier) -> None:
        i = self.index
        provider = PROVIDERS[i % len(PROVIDERS)]
        await self.configure(provider, i % SERVERS, f"sk-agent-{i}", f"model-{i}")
        if self.role == "profile":
            await self.prepare_profile(provider)
        await start.wait()  # every runtime exists before any request is sent
        for turn in range(TURNS):
            assert await self.send() == "ok" * 8
            if turn == 1:
                await self.change(provider)
                if self.role == "dispose":
                    return

    async def prepare_profile(self, provider: str) -> None:
        """Save a profile that uses a keyring key and another model, then move away from it."""
        i = self.index
        assert self.runtime is not None
        await self.runtime.secret_store.save(f"ring-{i}", f"sk-ring-{i}")
        await rs.use_named_key(f"ring-{i}")
        await rs.set_active_model(f"profile-model-{i}")
        await rs.save_profile_snapshot(f"agent-{i}")
        await rs.update_active_provider_api_key(f"sk-agent-{i}")
        await rs.set_active_model(f"model-{i}")

    async def change(self, provider: str) -> None:
        i = self.index
        if self.role == "switch":
            other = PROVIDERS[(i + 1) % len(PROVIDERS)]
            await self.configure(other, (i + 1) % SERVERS, f"sk-switched-{i}", f"switched-{i}")
        elif self.role == "rekey":
            await rs.update_active_provider_api_key(f"sk-rekeyed-{i}")
            self.record(provider, f"sk-rekeyed-{i}", f"model-{i}", i % SERVERS)
        elif self.role == "profile":
            await rs.load_profile_by_name(f"agent-{i}")
            self.record(provider, f"sk-ring-{i}", f"profile-model-{i}", i % SERVERS)
        elif self.role == "dispose":
            await self.dispose_mid_stream()

    async def dispose_mid_stream(self) -> None:
        """Dispose this runtime while its reply is streaming: the stream ends with a typed
        error (or finishes), and the runtime is gone for every later call."""
        runtime = self.runtime
        assert runtime is not None
        call = GenerateChatOptions(
            [IContent.human(f"agent={self.index} gen={self.generation} long")],
            runtime=runtime.context,
        )
        received = 0
        with pytest.raises(RuntimeDisposedError, match="while the reply was streaming"):
            async for _chunk in runtime.provider_manager.generate_chat_completion(call):
                received += 1
                if received == 5:
                    await rs.reset_cli_provider_infrastructure(runtime.runtime_id)
                    self.disposed.set()
        assert received >= 5
        with pytest.raises(MissingProviderRuntimeError):
            await rs.set_active_model("after-dispose")
        with pytest.raises(RuntimeDisposedError):
            await collect(runtime, IContent.human("after dispose"))


async def test_fifty_runtimes_never_send_each_others_key_model_url_or_headers() -> None:
    disposed = {i: threading.Event() for i in range(AGENTS)}
    servers = [WireServer(default_reply=replies(disposed)).start() for _ in range(SERVERS)]
    try:
        log: dict[tuple[int, int], Identity] = {}
        agents = [Agent(i, servers, log) for i in range(AGENTS)]
        for agent in agents:
            agent.disposed = disposed[agent.index]  # its "long" reply waits for it
        start = asyncio.Barrier(AGENTS)
        await asyncio.gather(*(a.run(start) for a in agents))

        checked = check_server_logs(servers, log)
        disposers = sum(1 for a in agents if a.role == "dispose")
        assert checked == (AGENTS - disposers) * TURNS + disposers * 3

        # No runtime's settings changed except through its own calls.
        for agent in agents:
            if agent.role == "dispose":
                continue
            runtime = agent.runtime
            assert runtime is not None
            last = log[(agent.index, agent.generation)]
            snapshot = rs.build_runtime_profile_snapshot(runtime=runtime)
            assert (snapshot.provider, snapshot.model) == (last.protocol, last.model)
            assert snapshot.model_params == {"temperature": round(agent.index / 100, 2)}
            assert snapshot.ephemeral_settings["custom-headers"] == {
                "X-Agent": f"agent-{agent.index}"
            }
            assert (await runtime.auth.resolve(last.protocol)).token == last.key
    finally:
        for event in disposed.values():
            event.set()
        for server in servers:
            server.stop()


async def test_ten_tui_tabs_stream_at_once_and_keep_to_themselves(dirs: Dirs) -> None:
    """Ten tabs on the four providers stream together; meanwhile one changes key, one switches
    provider, one loads a profile and one is closed. Each request carries its own tab's
    settings and each tab shows only its own replies."""
    from llxprt_tui.chat.tab import ChatTab
    from tests.tui.conftest import SIZE, make_app, wait_until

    # Round one's replies pause after their first event until everything below has been
    # done "while streaming" (how fast a loaded machine consumes them does not matter).
    streaming = threading.Event()
    DOTS = 20  # several events per reply; each is rendered or buffered by its own tab

    def slow_echo(request: RecordedRequest) -> Reply:
        text = (f"Echo: {request.last_user_text()}", *(["."] * DOTS))
        return Reply(text=text, hold=streaming)

    servers = [WireServer(default_reply=slow_echo).start() for _ in range(5)]
    log: dict[tuple[int, int], Identity] = {}
    generation: dict[int, int] = {}

    async def configure(tab: ChatTab, number: int, provider: str, server: int, key: str) -> None:
        for command in (
            f"/provider {provider}",
            f"/baseurl {base_url(provider, servers[server])}",
            f"/key {key}",
            f"/model model-{number}",
            '/set custom-headers {"X-Agent": "tab-' + str(number) + '"}',
        ):
            await tab.execute_command(command, echo=False)
        record(number, provider, key, f"model-{number}", server)

    def record(number: int, provider: str, key: str, model: str, server: int) -> None:
        generation[number] = generation.get(number, 0) + 1
        log[(number, generation[number])] = Identity(provider, key, model, server, f"tab-{number}")

    async def send_all(tabs: dict[int, ChatTab]) -> None:
        for number, tab in tabs.items():
            await tab.send(f"agent={number} gen={generation[number]}")

    try:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await app.wait_ready()
            tabs = {1: app.chat_tabs()[0]}
            for number in range(2, 11):
                tabs[number] = await app.new_tab()
            for number, tab in tabs.items():
                await tab.ready()
                provider = PROVIDERS[number % len(PROVIDERS)]
                await configure(tab, number, provider, number % 5, f"sk-tab-{number}")
            await tabs[4].execute_command("/profile save tab-four", echo=False)
            await tabs[4].execute_command("/model other-4", echo=False)
            record(4, PROVIDERS[0], "sk-tab-4", "other-4", 4)

            await send_all(tabs)
            assert all(tab.streaming for tab in tabs.values())
            # Every request on its server (two each, their replies held) before anything
            # changes: a tab's stream task sends its request when it first runs, which on a
            # loaded machine came after the switch below (tab 3's went out switched).
            for server in servers:
                await asyncio.to_thread(server.wait_for_chat_requests, 2)
            # While everything streams: a new key, a provider switch, a profile, a close.
            await tabs[2].execute_command("/key sk-tab-2-new", echo=False)
            record(2, PROVIDERS[2], "sk-tab-2-new", "model-2", 2)
            await configure(tabs[3], 3, PROVIDERS[0], 0, "sk-tab-3-switched")
            await tabs[4].execute_command("/profile load tab-four", echo=False)
            # A profile never holds a typed key, and a loopback server needs none.
            record(4, PROVIDERS[0], "", "model-4", 4)
            closed = tabs.pop(5)
            await app._close(closed)
            streaming.set()
            await wait_until(pilot, lambda: not any(t.streaming for t in tabs.values()))
            await send_all(tabs)
            await wait_until(pilot, lambda: not any(t.streaming for t in tabs.values()))

            for number, tab in tabs.items():
                replies = [c.text() for c in tab.session.history if c.speaker == "ai"]
                assert len(replies) == 2, number
                for reply in replies:
                    assert re.match(rf"Echo: agent={number} gen=\d+\.{{{DOTS}}}$", reply), reply
                shown = tab.conversation_markdown()
                assert set(re.findall(r"agent=(\d+)", shown)) == {str(number)}
            assert closed.runtime.disposed
    finally:
        streaming.set()
        for server in servers:
            server.stop()

    checked = check_server_logs(servers, log)
    assert checked == 10 + 9  # round one in every tab, round two in the nine left open
