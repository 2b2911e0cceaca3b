"""`llxprt serve` in a real browser: headless Debian Chromium (through Playwright) against the
server in a subprocess, whose app processes talk to the loopback wire server."""

from __future__ import annotations

import http.client
import os
import select
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.serve.browser import (
    ARTIFACTS,
    CATCH_TERMINAL,
    CHROMIUM,
    CHROMIUM_ARGS,
    WAIT_MS,
    Served,
    serve_env,
    start_serve,
    store_key,
)
from tests.wire.server import WireServer

if not CHROMIUM.exists():
    # CI installs it (.ci/run), so there a missing browser is a failure, never a skip.
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(
        f"{CHROMIUM} is missing: apt-get install chromium chromium-driver (.ci/run does)",
        allow_module_level=True,
    )

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

KEY_NAME = "serve-test"
# A stored key that must reach the provider and never the page.
SENTINEL_KEY = "llxprt-serve-sentinel-key-0042"


@pytest.fixture(scope="module")
def wire() -> Iterator[WireServer]:
    with WireServer() as server:
        yield server


@pytest.fixture(scope="module")
def served(wire: WireServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("serve-home")
    # Every browser connection starts its own app in this home: none brings back the tabs an
    # earlier test's app left open (a test must not depend on which tests ran before it).
    (home / "config").mkdir()
    (home / "config" / "tui.toml").write_text("restore-tabs = false\n")
    keyring_file = home / "keyring.json"
    store_key(keyring_file, KEY_NAME, SENTINEL_KEY)
    flags = ("--provider", "openai", "--baseurl", f"{wire.url}/v1", "--key-name", KEY_NAME)
    server = start_serve(*flags, env=serve_env(home, keyring_file))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), chromium_sandbox=False
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, served: Served) -> Iterator[BrowserContext]:
    context = new_context(browser, served)
    yield context
    context.close()


def new_context(browser: Browser, served: Served) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1000, "height": 640})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.base)
    context.add_init_script(CATCH_TERMINAL)
    context.set_default_timeout(WAIT_MS)
    return context


def open_app(context: BrowserContext, served: Served) -> Page:
    page = context.new_page()
    page.goto(served.url)
    return page


def wait_until_ready(page: Page, shown: str = "ready") -> None:
    wait_for_text(page, shown)  # "ready": the status line once the tab's runtime exists
    page.focus(".xterm-helper-textarea")


def wait_for_text(page: Page, text: str) -> None:
    try:
        page.wait_for_function("text => window.screenText().includes(text)", arg=text)
    except PlaywrightError as exc:
        screen = page.evaluate("window.screenText()")
        raise AssertionError(f"{text!r} never showed; the page shows:\n{screen}") from exc


def send(page: Page, text: str) -> None:
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def keep_screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    """Saved in the test's tmp dir and copied to tests/serve/artifacts/ (ignored by git)."""
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / name)
    return shot


def test_a_prompt_streams_its_reply_into_the_page(
    context: BrowserContext, served: Served, wire: WireServer, tmp_path: Path
) -> None:
    received: list[bytes] = []
    page = context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(_bytes(f))))
    response = page.goto(served.url)
    assert response is not None and response.status == 200
    headers = response.headers
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    wait_for_text(page, "ready")
    page.focus(".xterm-helper-textarea")

    send(page, "hello from the browser")
    wait_for_text(page, "Echo: hello from the browser")
    keep_screenshot(page, tmp_path, "serve-reply.png")

    # The stored key went to the provider and nowhere near the page.
    (request,) = [r for r in wire.chat_requests() if "hello from the browser" in str(r.body)]
    assert request.headers["authorization"] == f"Bearer {SENTINEL_KEY}"
    page_bytes = page.content().encode() + b"".join(received)
    assert received and SENTINEL_KEY.encode() not in page_bytes


def test_copy_puts_the_reply_on_the_browser_clipboard(
    context: BrowserContext, served: Served
) -> None:
    page = open_app(context, served)
    wait_until_ready(page)
    send(page, "copy me please")
    wait_for_text(page, "Echo: copy me please")
    assert "Echo" not in page.evaluate("() => navigator.clipboard.readText()")
    send(page, "/copy")
    wait_for_text(page, "Copied the last reply to the clipboard.")
    # wait_for_function takes the Promise of an async predicate as true at once: the page
    # reads the clipboard on its own and the wait is on what it last read.
    page.evaluate(
        "() => { window.clipboardText = '';"
        " setInterval(async () => { window.clipboardText = await navigator.clipboard.readText();"
        " }, 50); }"
    )
    page.wait_for_function("() => window.clipboardText.includes('Echo: copy me please')")


def test_without_the_token_nothing_starts(tmp_path: Path) -> None:
    server = start_serve(env=serve_env(tmp_path, tmp_path / "keyring.json"))
    try:
        netloc = urlsplit(server.base).netloc
        wrong = "x" * len(server.token)
        for path, upgrade in (
            ("/", False),
            (f"/?token={wrong}", False),
            ("/?token=", False),
            (f"/ws/{wrong}?width=80&height=24", True),
            (f"/ws/?token={server.token}", True),
        ):
            connection = http.client.HTTPConnection(netloc, timeout=30)
            headers = (
                {
                    "Upgrade": "websocket",
                    "Connection": "Upgrade",
                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                    "Sec-WebSocket-Version": "13",
                }
                if upgrade
                else {}
            )
            connection.request("GET", path, headers=headers)
            status = connection.getresponse().status
            connection.close()
            assert status == (404 if path.startswith("/ws/?") else 403), path
        assert server.app_processes() == []
    finally:
        server.stop()
    assert not any("browser connected" in line for line in server.output)


def test_two_browser_contexts_get_two_independent_apps(
    browser: Browser, served: Served, wire: WireServer, tmp_path: Path
) -> None:
    before = set(served.app_processes())
    first, second = new_context(browser, served), new_context(browser, served)
    try:
        # Both apps start at once; each page is then driven in turn.
        page_a, page_b = open_app(first, served), open_app(second, served)
        wait_until_ready(page_a)
        send(page_a, "alpha speaks")
        wait_until_ready(page_b)
        send(page_b, "beta speaks")
        wait_for_text(page_a, "Echo: alpha speaks")
        wait_for_text(page_b, "Echo: beta speaks")
        keep_screenshot(page_b, tmp_path, "serve-second-context.png")
        assert "beta" not in page_a.evaluate("screenText()")
        assert "alpha" not in page_b.evaluate("screenText()")
        assert len(set(served.app_processes()) - before) == 2
        sent = [str(r.body["messages"]) for r in wire.chat_requests() if "speaks" in str(r.body)]
        assert sorted("alpha" in s for s in sent) == [False, True]
        assert not any("alpha" in s and "beta" in s for s in sent)
    finally:
        first.close()
        second.close()


def test_resizing_the_window_resizes_the_app(context: BrowserContext, served: Served) -> None:
    page = open_app(context, served)
    wait_until_ready(page)
    wide = page.evaluate("window.__llxprtTerminal.cols")
    page.set_viewport_size({"width": 640, "height": 480})
    page.wait_for_function(f"() => window.__llxprtTerminal.cols < {wide}")
    # Redrawn by the app at the new width: the prompt's box closes in the last column (the
    # width is read at each check, should the terminal narrow in more than one step).
    page.wait_for_function(
        "() => window.screenText().split('\\n').some(line => line.startsWith('▊▁')"
        " && line.length === window.__llxprtTerminal.cols && line.endsWith('▎'))"
    )


def test_a_link_opens_in_a_new_tab_without_access_to_the_page(
    context: BrowserContext, served: Served, wire: WireServer
) -> None:
    page = open_app(context, served)
    wait_until_ready(page)
    target = f"{wire.url}/a-linked-page"
    send(page, f"see [the docs]({target})")
    wait_for_text(page, "Echo: see the docs")
    # The lines stay where they are once the reply's footer sits right above the prompt: the
    # progress line between them goes a frame after the footer shows (the footer alone, under
    # load, was seen with the link one row above where it then was when the click came).
    try:
        page.wait_for_function(
            "() => { const lines = window.screenText().split('\\n');"
            " const prompt = lines.findIndex(l => l.startsWith('▊▔'));"
            " return prompt > 0 && lines[prompt - 1].includes('first token'); }"
        )
    except PlaywrightError as exc:
        screen = page.evaluate("window.screenText()")
        raise AssertionError(f"the reply never settled; the page shows:\n{screen}") from exc
    row, col = page.evaluate(
        "() => { const lines = window.screenText().split('\\n');"
        " const row = lines.findIndex(l => l.includes('Echo: see the docs'));"
        " return [row, lines[row].indexOf('the docs') + 2]; }"
    )
    box = page.locator(".xterm-screen").bounding_box()
    assert box is not None
    cell_w = box["width"] / page.evaluate("window.__llxprtTerminal.cols")
    cell_h = box["height"] / page.evaluate("window.__llxprtTerminal.rows")
    shown = page.evaluate("window.screenText()")
    try:
        with context.expect_page() as opened:
            page.mouse.click(box["x"] + (col + 0.5) * cell_w, box["y"] + (row + 0.5) * cell_h)
    except PlaywrightError as exc:  # what was clicked, to tell a lost click from a moved link
        now = page.evaluate("window.screenText()")
        raise AssertionError(
            f"no tab opened; clicked row {row} col {col} of:\n{shown}\nthe page shows:\n{now}"
        ) from exc
    new_tab = opened.value
    new_tab.wait_for_load_state()
    assert new_tab.url == target
    assert new_tab.evaluate("window.opener") is None


def _bytes(frame: str | bytes) -> bytes:
    return frame if isinstance(frame, bytes) else frame.encode()


def test_stopping_the_server_ends_its_app_processes(browser: Browser, tmp_path: Path) -> None:
    server = start_serve(env=serve_env(tmp_path, tmp_path / "keyring.json"))
    context = new_context(browser, server)
    try:
        wait_until_ready(open_app(context, server), "Welcome to llxprt")
        (app,) = server.app_processes()
        app_exited = os.pidfd_open(app)
        server.stop()
        # Readable once the process has ended; the timeout is only a failure guard.
        assert select.select([app_exited], [], [], WAIT_MS / 1000)[0] == [app_exited]
        os.close(app_exited)
    finally:
        context.close()
        if server.process.poll() is None:
            server.stop()


def test_one_tab_over_max_apps_says_why_starts_nothing_and_restarts_once_one_closes(
    browser: Browser, tmp_path: Path
) -> None:
    server = start_serve("--max-apps", "1", env=serve_env(tmp_path, tmp_path / "keyring.json"))
    context = new_context(browser, server)
    try:
        first = open_app(context, server)
        wait_until_ready(first, "Welcome to llxprt")
        (app,) = server.app_processes()
        second = open_app(context, server)
        second.wait_for_selector("body.-closed .closed-dialog")
        reason = second.inner_text(".closed-dialog .message")
        assert reason == (
            "llxprt serve runs its limit of 1 apps (--max-apps): close another llxprt tab, "
            "then Restart."
        )
        assert server.app_processes() == [app]
        assert any("connection was refused" in line for line in server.output)
        # Closing the first tab ends its app, which frees its place: Restart then starts one.
        app_exited = os.pidfd_open(app)
        first.close()
        assert select.select([app_exited], [], [], WAIT_MS / 1000)[0] == [app_exited]
        os.close(app_exited)
        second.click(".closed-dialog button.restart")
        wait_until_ready(second, "Welcome to llxprt")
        (restarted,) = server.app_processes()
        assert restarted != app
    finally:
        context.close()
        server.stop()
