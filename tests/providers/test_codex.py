"""The `codex` provider on the wire: Responses protocol at the Codex endpoint, with the
ChatGPT login's Bearer token, ChatGPT-Account-ID and originator headers; bucket failover
on quota errors; two tabs on two buckets never see each other's token."""

from __future__ import annotations

import asyncio
import json

import pytest

from llxprt_runtime import LlxprtError, ProfileError, RuntimeServices
from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.profiles.model import parse_profile
from llxprt_runtime.providers.content import IContent
from tests.codex_fixtures import llxprt_code_token_json, seed_token
from tests.providers.conftest import collect
from tests.wire.oauth_server import FakeAuthServer
from tests.wire.server import Fault, RecordedRequest, WireServer


async def codex_runtime(wire: WireServer, buckets: list[str] | None = None) -> RuntimeServices:
    runtime = await rs.activate_isolated_runtime_context()
    data: dict[str, object] = {
        "version": 1,
        "provider": "codex",
        "model": "gpt-5.1-codex",
        "ephemeralSettings": {"base-url": f"{wire.url}/backend-api/codex", "retrywait": 1},
    }
    if buckets is not None:
        data["auth"] = {"type": "oauth", "buckets": buckets}
    await rs.apply_profile_snapshot(parse_profile("codex-test", data), runtime=runtime)
    return runtime


def headers_of(request: RecordedRequest) -> tuple[str, str, str]:
    h = request.headers
    return h["authorization"], h.get("chatgpt-account-id", ""), h.get("originator", "")


async def test_a_request_carries_the_login_token_account_and_originator(wire: WireServer) -> None:
    seed_token("default", llxprt_code_token_json("fake-access-lc", "acct-lc"))
    runtime = await codex_runtime(wire)

    _, reply = await collect(runtime, IContent.human("hello codex"))

    (request,) = wire.chat_requests()
    assert request.path == "/backend-api/codex/responses"
    assert request.protocol == "openai-responses"
    assert headers_of(request) == ("Bearer fake-access-lc", "acct-lc", "codex_cli_rs")
    assert request.body["model"] == "gpt-5.1-codex" and request.body["store"] is False
    assert reply.text() == "Echo: hello codex"
    assert runtime.auth.describe("codex") == "oauth: codex (account acct-lc)"


async def test_default_endpoint_and_models() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    info = runtime.provider_manager.get_provider_info("codex")
    assert info.default_base_url == "https://chatgpt.com/backend-api/codex"
    assert info.env_key_names == ()
    models = await runtime.provider_manager.get_provider("codex").get_models()
    assert "gpt-5.1-codex" in [m.id for m in models]


async def test_an_expired_login_is_refreshed_before_the_request(
    wire: WireServer, auth_server: FakeAuthServer
) -> None:
    auth_server.refresh_tokens["fake-refresh-r"] = True
    seed_token(
        "default",
        llxprt_code_token_json(
            "fake-access-old", "acct-r", refresh="fake-refresh-r", expires_in=10
        ),
    )
    runtime = await codex_runtime(wire)

    await collect(runtime)

    (request,) = wire.chat_requests()
    assert headers_of(request) == (
        f"Bearer {auth_server.issued_access[-1]}",
        "acct-r",
        "codex_cli_rs",
    )


async def test_a_revoked_login_is_a_clear_message_not_a_traceback(
    wire: WireServer, auth_server: FakeAuthServer
) -> None:
    seed_token(
        "default",
        llxprt_code_token_json(
            "fake-access-old", "acct-r", refresh="fake-refresh-gone", expires_in=0
        ),
    )
    runtime = await codex_runtime(wire)

    with pytest.raises(LlxprtError, match="Log in again with `llxprt auth login codex`"):
        await collect(runtime)
    assert wire.chat_requests() == []


async def test_not_logged_in_says_how_to_log_in(wire: WireServer) -> None:
    runtime = await codex_runtime(wire)
    with pytest.raises(LlxprtError, match=r"Not logged in to codex\. Log in with `llxprt auth"):
        await collect(runtime)


async def test_a_quota_error_fails_over_to_the_next_bucket(wire: WireServer) -> None:
    seed_token("default", llxprt_code_token_json("fake-access-one", "acct-one"))
    seed_token("work", llxprt_code_token_json("fake-access-two", "acct-two"))
    runtime = await codex_runtime(wire, ["default", "work"])
    wire.enqueue(Fault(status=429, message="You exceeded your current quota (usage_limit_reached)"))

    _, reply = await collect(runtime, IContent.human("after quota"))

    first, second = wire.chat_requests()
    assert headers_of(first)[:2] == ("Bearer fake-access-one", "acct-one")
    assert headers_of(second)[:2] == ("Bearer fake-access-two", "acct-two")
    assert reply.text() == "Echo: after quota"
    assert runtime.auth.describe("codex") == "oauth: codex (account acct-two, bucket work)"
    saved = rs.build_runtime_profile_snapshot(runtime=runtime)
    assert saved.auth == {"type": "oauth", "buckets": ["default", "work"]}


async def test_a_plain_rate_limit_is_retried_on_the_same_bucket(wire: WireServer) -> None:
    seed_token("default", llxprt_code_token_json("fake-access-one", "acct-one"))
    seed_token("work", llxprt_code_token_json("fake-access-two", "acct-two"))
    runtime = await codex_runtime(wire, ["default", "work"])
    wire.enqueue(Fault(status=429, message="Too many requests", retry_after="0"))

    await collect(runtime)

    assert [headers_of(r)[1] for r in wire.chat_requests()] == ["acct-one", "acct-one"]


async def test_two_tabs_on_two_buckets_never_see_each_others_token(wire: WireServer) -> None:
    seed_token("default", llxprt_code_token_json("fake-access-alice", "acct-alice"))
    seed_token("work", llxprt_code_token_json("fake-access-bob", "acct-bob"))
    alice = await codex_runtime(wire, ["default"])
    bob = await codex_runtime(wire, ["work"])

    async def chat(runtime: RuntimeServices, who: str) -> None:
        for n in range(5):
            await collect(runtime, IContent.human(f"{who} {n}"))

    await asyncio.gather(chat(alice, "alice"), chat(bob, "bob"))

    requests = wire.chat_requests()
    assert len(requests) == 10
    for request in requests:
        who = request.last_user_text().split()[0]
        assert headers_of(request)[:2] == (f"Bearer fake-access-{who}", f"acct-{who}")
    assert alice.token_cache.runtime_id != bob.token_cache.runtime_id


async def test_claudecode_is_refused_with_the_reason() -> None:
    runtime = await rs.activate_isolated_runtime_context()
    with pytest.raises(LlxprtError, match="Anthropic has asked third-party clients"):
        await rs.switch_active_provider("claudecode", runtime=runtime)
    profile = parse_profile(
        "claude-sub", json.loads('{"version": 1, "provider": "claudecode", "model": "opus"}')
    )
    with pytest.raises(ProfileError, match="not supported by llxprt on purpose"):
        await rs.apply_profile_snapshot(profile, profile_name="claude-sub", runtime=runtime)


async def test_a_bad_bucket_name_in_a_profile_is_refused(wire: WireServer) -> None:
    with pytest.raises(ProfileError, match="Bucket name 'no spaces' is invalid"):
        await codex_runtime(wire, ["no spaces"])
