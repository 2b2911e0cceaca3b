"""LoginScreen: a subscription login in progress — the URL to open (or that was opened), or
the device code and where to enter it — until it completes, fails, or esc cancels it.

The login itself runs in the tab's runtime (its CodexOAuth); this screen only shows what the
user must do, and dismisses with the outcome for that tab to report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from llxprt_runtime.api import LoginPrompt, PromptSink
from llxprt_runtime.errors import LlxprtError
from llxprt_tui.auth_cli import prompt_lines

if TYPE_CHECKING:
    from llxprt_tui.chat.tab import ChatTab

LoginStarter = Callable[[PromptSink], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    ok: bool
    message: str


class LoginScreen(ModalScreen[LoginOutcome | None]):
    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen > Vertical {
        width: 84; max-width: 95%; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    LoginScreen .title { text-style: bold; color: $primary; padding: 0 0 1 0; }
    LoginScreen #login-body { height: auto; }
    LoginScreen .hint { color: $text-muted; padding: 1 0 0 0; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="login-cancel"),
        Binding("c", "copy", "Copy the URL", id="login-copy"),
    ]

    def __init__(self, title: str, start: LoginStarter) -> None:
        super().__init__()
        self.login_title = title
        self._start = start
        self.prompt: LoginPrompt | None = None
        self._login_task: asyncio.Task[None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.login_title, classes="title", markup=False)
            yield Static("Starting the login…", id="login-body", markup=False)
            yield Static("esc cancels · c copies the URL", classes="hint", markup=False)

    def on_mount(self) -> None:
        self._login_task = asyncio.create_task(self._run())

    def on_unmount(self) -> None:
        # Closing the screen ends the login (its callback server or polling stops with it).
        if self._login_task is not None and not self._login_task.done():
            self._login_task.cancel()

    def show_prompt(self, prompt: LoginPrompt) -> None:
        self.prompt = prompt
        self.query_one("#login-body", Static).update("\n".join(prompt_lines(prompt)))

    async def _run(self) -> None:
        try:
            message = await self._start(self.show_prompt)
        except LlxprtError as exc:
            self.dismiss(LoginOutcome(False, str(exc)))
            return
        self.dismiss(LoginOutcome(True, message))

    def action_copy(self) -> None:
        if self.prompt is not None:
            self.app.copy_to_clipboard(self.prompt.url)
            self.notify("URL copied to the clipboard.")

    def action_cancel(self) -> None:
        self.dismiss(None)  # unmounting cancels the login


def open_login_screen(app: App[Any], tab: ChatTab, bucket: str | None, device: bool) -> None:
    """Log the tab's runtime in to codex; the outcome is reported in that tab."""
    from llxprt_runtime.api import system_browser_opener
    from llxprt_tui.commands.auth import codex_of

    runtime = tab.runtime
    codex = codex_of(runtime)

    async def start(on_prompt: PromptSink) -> str:
        result = await codex.login(
            on_prompt, bucket=bucket, device=device, open_browser=system_browser_opener
        )
        runtime.oauth_manager.forget("codex", "login")  # this tab's old token, if any
        return result.message

    async def closed(outcome: LoginOutcome | None) -> None:
        if outcome is None:
            await tab.notice("Login cancelled.")
        elif outcome.ok:
            await tab.notice(outcome.message)
        else:
            await tab.error(outcome.message)
        tab.changed()

    where = f" (bucket {bucket})" if bucket else ""
    how = "device code" if device else "browser"
    app.push_screen(LoginScreen(f"Log in to codex{where} · {how}", start), closed)
