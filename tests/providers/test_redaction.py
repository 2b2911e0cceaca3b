"""Redaction that cannot be dodged (issue 11, Secrets 3 and 6): a key a server echoes back is
redacted in every form and before the message is cut; a one-letter key garbles nothing; a
key that could not be a key never reaches the HTTP layer; a base URL's password is masked."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from llxprt_runtime import runtime_settings as rs
from llxprt_runtime.debug_log import start_debug_log
from llxprt_runtime.errors import LlxprtError, ProviderError
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.redaction import MIN_SECRET_CHARS, redact_secret
from tests.conftest import Dirs
from tests.keyrings import MemoryKeyring
from tests.providers.conftest import PROVIDERS, base_url, collect, runtime_for
from tests.reliability.test_secrets import stop_debug_logs
from tests.wire.server import Fault, WireServer

KEY = "sk-SENTINEL/echo+7d8e=9f0a"  # '/', '+' and '=' change under URL encoding


async def fail_with(provider: str, wire: WireServer, message: str, key: str = KEY) -> str:
    runtime = await runtime_for(provider, wire, key=key, retries=0)
    wire.enqueue(Fault(status=400, message=message))
    with pytest.raises(ProviderError) as caught:
        await collect(runtime, IContent.human("hi"))
    return str(caught.value)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_key_echoed_beyond_the_cut_is_redacted_before_the_cut(
    provider: str, wire: WireServer
) -> None:
    shown = await fail_with(provider, wire, "x" * 288 + f" key {KEY} was wrong")
    assert KEY[:5] not in shown  # the cut once kept a prefix of the key
    assert "xxxx" in shown


@pytest.mark.parametrize(
    "form",
    [
        KEY,
        quote(KEY, safe=""),
        quote_plus(KEY),
        base64.b64encode(f"someone:{KEY}".encode()).decode(),  # Basic auth: user:key
        base64.b64encode(f"x{KEY}".encode()).decode(),  # any alignment
        base64.urlsafe_b64encode(f"xy:{KEY}".encode()).decode().rstrip("="),
    ],
)
async def test_every_form_of_an_echoed_key_is_redacted(form: str, wire: WireServer) -> None:
    shown = await fail_with("openai", wire, f"bad credentials: {form}.")
    assert form not in shown and KEY not in shown
    assert "bad credentials: " in shown and "[REDACTED]" in shown


async def test_a_one_letter_key_garbles_nothing(wire: WireServer) -> None:
    # A key this short is not redacted (it is in every word); messages stay readable.
    shown = await fail_with("openai", wire, "Network error at the edge", key="e")
    assert "Network error at the edge" in shown


def test_keys_shorter_than_the_threshold_are_not_redacted_and_from_it_on_are() -> None:
    short = "k" * (MIN_SECRET_CHARS - 1)
    assert redact_secret(f"got {short}.", short) == f"got {short}."
    exact = "k" * MIN_SECRET_CHARS
    assert redact_secret(f"got {exact}.", exact) == "got [REDACTED]."


# A key with something to escape: a backslash, a double quote and (as an HTTP library may
# quote a key it refuses) a non-ASCII dash. Each escaped form below differs from the key.
ODD_KEY = 'sk-SENT\\INEL"quote\u2013dash-9f0a'


@pytest.mark.parametrize(
    "form",
    [
        repr(ODD_KEY)[1:-1],  # Python repr: the backslash doubled
        json.dumps(ODD_KEY, ensure_ascii=False)[1:-1],  # JSON: backslash and quote escaped
        json.dumps(ODD_KEY)[1:-1],  # ... and the dash as \u2013
        ODD_KEY.encode("unicode_escape").decode("ascii"),
        repr(ODD_KEY.encode("utf-8"))[2:-1],  # bytes repr: the dash as \xe2\x80\x93
    ],
)
def test_every_escaped_form_of_a_key_is_redacted(form: str) -> None:
    assert ODD_KEY not in form  # a form the raw replacement alone would miss
    assert redact_secret(f"refused {form} here", ODD_KEY) == "refused [REDACTED] here"


async def test_an_escaped_key_echoed_by_a_server_is_redacted(wire: WireServer) -> None:
    key = 'sk-SENT\\INEL"quote-9f0a'  # printable ASCII: a key the HTTP layer sends
    echoed = json.dumps(key)[1:-1]
    assert key not in echoed
    shown = await fail_with("openai", wire, f"bad credentials: {echoed}.", key=key)
    assert echoed not in shown and "SENT" not in shown
    assert "bad credentials: [REDACTED]." in shown


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_key_with_a_newline_never_reaches_the_http_layer(
    provider: str, wire: WireServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = await runtime_for(provider, wire, key=None, retries=0)
    var = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}.get(
        provider.split("-")[0], "GEMINI_API_KEY"
    )
    monkeypatch.setenv(var, "sk-first-line-1234\nsk-second-line-5678\n")
    await rs.set_ephemeral_setting("requires-auth", True, runtime=runtime)
    with pytest.raises(LlxprtError) as caught:
        await collect(runtime, IContent.human("hi"))
    shown = str(caught.value)
    assert var in shown and "control character" in shown
    assert "sk-first" not in shown and "sk-second" not in shown
    assert wire.chat_requests() == []


PASSWORD = "pw-SENTINEL-4e5f"


async def test_a_base_url_password_is_masked_in_messages_errors_and_the_log(
    wire: WireServer, dirs: Dirs
) -> None:
    log = start_debug_log()  # httpx logs each request's URL: the log's formatter masks it
    try:
        url = base_url("openai", wire).replace("http://", f"http://me:{PASSWORD}@")
        runtime = await runtime_for("openai", wire, key="sk-test-123456", retries=0)
        changed = await rs.update_active_provider_base_url(url, runtime=runtime)
        assert "me:***@127.0.0.1" in changed.message and PASSWORD not in changed.message
        wire.enqueue(Fault(status=400, message="nope"))
        with pytest.raises(ProviderError) as caught:
            await collect(runtime, IContent.human("hi"))
        assert PASSWORD not in str(caught.value) and "me:***@" in str(caught.value)
        await rs.save_profile_snapshot("with-password", runtime=runtime)
        loaded = await rs.load_profile_by_name("with-password", runtime=runtime)
        assert all(PASSWORD not in m for m in (*loaded.info_messages, *loaded.warnings))
        assert "me:***@127.0.0.1" in "\n".join(loaded.info_messages)
    finally:
        stop_debug_logs()
    assert "me:***@127.0.0.1" in log.read_text() and PASSWORD not in log.read_text()


def test_the_debug_log_masks_url_passwords() -> None:
    from llxprt_runtime.debug_log import redact_credentials as redact

    line = f"HTTP Request: POST https://me:{PASSWORD}@example.test/v1/chat/completions"
    assert PASSWORD not in redact(line) and "https://me:***@example.test" in redact(line)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"http://me:{PASSWORD}@h:8/v1", "http://me:***@h:8/v1"),
        (f"https://{PASSWORD}@h/v1", "https://***@h/v1"),
        ("https://h/v1?x=1", "https://h/v1?x=1"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    from llxprt_runtime.urls import display_url

    assert display_url(url) == shown


async def test_a_keyring_value_with_a_newline_is_refused_by_name(
    memory_keyring: MemoryKeyring, wire: WireServer
) -> None:
    memory_keyring.set_password("llxprt-code-provider-keys", "bad", "sk-ring-1234\nmore")
    runtime = await runtime_for("openai", wire, key=None, retries=0)
    with pytest.raises(LlxprtError, match=r"keyring key 'bad'.*control character") as loading:
        await rs.use_named_key("bad", runtime=runtime)
    # A name set another way (a profile, --key-name) is checked when the key is resolved.
    runtime.settings_service.set("auth-key-name", "bad")
    with pytest.raises(LlxprtError, match=r"keyring key 'bad'.*control character") as sending:
        await collect(runtime, IContent.human("hi"))
    assert "sk-ring" not in str(loading.value) + str(sending.value)
    assert wire.chat_requests() == []
