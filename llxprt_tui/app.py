"""LlxprtApp: tabs of isolated agents, key bindings (remappable), the palette, the status line.

Each tab owns a runtime created with activate_isolated_runtime_context() in the app's own
RuntimeRegistry; closing the tab disposes it (tokens flushed, SDK clients closed).
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane

from llxprt_runtime import LlxprtError, RuntimeRegistry, RuntimeServices
from llxprt_runtime.bootstrap import CliOverrides, apply_cli_overrides
from llxprt_runtime.profiles.user_settings import (
    UserSettings,
    load_user_settings,
    resolve_default_profile_name,
    save_user_settings,
)
from llxprt_runtime.runtime.lifecycle import (
    activate_isolated_runtime_context,
    reset_cli_provider_infrastructure,
)
from llxprt_tui.chat.status import StatusLine
from llxprt_tui.chat.tab import ChatTab, Clock
from llxprt_tui.screens.confirm import ConfirmScreen
from llxprt_tui.screens.help import HelpScreen

ENV_KEYS = (
    ("OPENAI_API_KEY", "openai"),
    ("ANTHROPIC_API_KEY", "anthropic"),
    ("GEMINI_API_KEY", "gemini"),
    ("GOOGLE_API_KEY", "gemini"),
)


class LlxprtApp(App[None]):
    TITLE = "llxprt"
    CSS = """
    Screen { layout: vertical; }
    TabbedContent { height: 1fr; }
    TabbedContent > ContentSwitcher { height: 1fr; }
    TabPane { padding: 0; height: 1fr; }
    """
    BINDINGS = [
        # Priority: the prompt (a TextArea) would otherwise take ctrl+w as "delete word".
        Binding("ctrl+t", "new_tab", "New tab", id="new-tab", priority=True),
        Binding("ctrl+w", "close_tab", "Close tab", id="close-tab", priority=True),
        Binding("ctrl+pagedown", "next_tab(1)", "Next tab", id="next-tab", show=False),
        Binding("ctrl+pageup", "next_tab(-1)", "Previous tab", id="previous-tab", show=False),
        *(
            Binding(f"alt+{n}", f"go_tab({n})", f"Tab {n}", id=f"go-tab-{n}", show=False)
            for n in range(1, 10)
        ),
        Binding("escape", "cancel_stream", "Cancel reply", id="cancel-stream"),
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(
        self,
        overrides: CliOverrides | None = None,
        *,
        registry: RuntimeRegistry | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__()
        self.overrides = overrides or CliOverrides()
        self.registry = registry or RuntimeRegistry()
        self.clock = clock
        self._tab_counter = 0
        self.user_settings = UserSettings()
        self.settings_problem: str | None = None

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TabbedContent(id="tabs")
        yield StatusLine(id="status")
        yield Footer()

    async def on_mount(self) -> None:
        try:
            self.user_settings = load_user_settings()
        except LlxprtError as exc:
            self.settings_problem = str(exc)
        if self.user_settings.keymap:
            self.set_keymap(self.user_settings.keymap)
        if self.user_settings.theme and self.user_settings.theme in self.available_themes:
            self.theme = self.user_settings.theme
        await self.new_tab(first=True)
        if self.settings_problem:
            await self.active_tab_or_fail().error(
                f"{self.settings_problem}. Using defaults; the file is left as it is."
            )

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#tabs", TabbedContent)

    def chat_tabs(self) -> list[ChatTab]:
        return list(self.query(ChatTab))

    def active_tab(self) -> ChatTab | None:
        pane = self.tabs.active_pane
        return pane.query_one(ChatTab) if pane is not None else None

    def active_tab_or_fail(self) -> ChatTab:
        tab = self.active_tab()
        assert tab is not None, "llxprt always has a tab"
        return tab

    # --- tabs -------------------------------------------------------------------------------

    async def new_tab(self, *, first: bool = False) -> ChatTab:
        self._tab_counter += 1
        runtime = await activate_isolated_runtime_context(
            metadata={"origin": "tui-tab", "tab": self._tab_counter},
            registry=self.registry,
            make_active=False,
        )
        tab = ChatTab(runtime, f"tab {self._tab_counter}", clock=self.clock)
        pane = TabPane(tab.label(), tab, id=f"tab-{self._tab_counter}")
        await self.tabs.add_pane(pane)
        self.tabs.active = pane.id or ""
        problem = await self._bootstrap(tab, first)
        if runtime.settings_service.active_provider is None:
            await tab.notice(*self.welcome_lines())
        if problem:
            await tab.error(problem)
        tab.changed()
        tab.focus_prompt()
        return tab

    async def _bootstrap(self, tab: ChatTab, first: bool) -> str | None:
        """A new tab starts from the default profile if one is set, else from the start-up
        flags, else empty. Returns a problem to show, if any."""
        default = resolve_default_profile_name()
        overrides = self.overrides if first or not default else CliOverrides(profile=default)
        if overrides == CliOverrides() and not default:
            return None
        try:
            await apply_cli_overrides(overrides, runtime=tab.runtime)
        except LlxprtError as exc:
            if "No provider chosen" in str(exc):
                return None
            return f"Could not apply the start-up settings: {exc}"
        return None

    def welcome_lines(self) -> list[str]:
        lines = ["Welcome to llxprt."]
        found = [(var, p) for var, p in ENV_KEYS if os.environ.get(var, "").strip()]
        for var, provider in found:
            lines.append(f"  {var} is set: /provider {provider} to use it.")
        if not found:
            lines.append("  No provider keys found in the environment.")
        lines += [
            "Pick a provider:  /provider openai | openai-responses | anthropic | gemini",
            "Add a key:        /key VALUE (this tab only)  or  /key save NAME VALUE (OS keyring)",
            "Local server:     llxprt --provider openai --baseurl http://127.0.0.1:PORT/v1",
            "/help lists every command; ctrl+t opens a tab.",
        ]
        return lines

    async def close_tab(self, tab: ChatTab | None = None) -> None:
        tab = tab or self.active_tab()
        if tab is None:
            return
        if tab.streaming:

            async def answered(yes: bool | None) -> None:
                if yes:
                    await self._close(tab)

            self.push_screen(
                ConfirmScreen(f"{tab.tab_name} is still streaming a reply. Close it anyway?"),
                answered,
            )
            return
        await self._close(tab)

    async def _close(self, tab: ChatTab) -> None:
        tab.cancel_stream()
        await tab.wait_for_stream()
        pane = tab.parent
        await reset_cli_provider_infrastructure(tab.runtime.runtime_id, registry=self.registry)
        if isinstance(pane, TabPane) and pane.id:
            await self.tabs.remove_pane(pane.id)
        if not self.chat_tabs():
            await self.new_tab()
        else:
            self._refresh_status()

    def switch_tab(self, number: int) -> None:
        panes = list(self.tabs.query(TabPane))
        if not 1 <= number <= len(panes):
            self.notify(f"There is no tab {number}.", severity="warning")
            return
        self.tabs.active = panes[number - 1].id or ""

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = self.active_tab()
        if tab is not None:
            tab.focus_prompt()
        self._refresh_status()

    @on(ChatTab.StateChanged)
    def _tab_changed(self, event: ChatTab.StateChanged) -> None:
        pane = event.tab.parent
        if isinstance(pane, TabPane) and pane.id:
            self.tabs.get_tab(pane.id).label = event.tab.label()
        self._refresh_status()

    def _refresh_status(self) -> None:
        self.query_one(StatusLine).show(self.active_tab())

    # --- actions ------------------------------------------------------------------------------

    async def action_new_tab(self) -> None:
        await self.new_tab()

    async def action_close_tab(self) -> None:
        await self.close_tab()

    def action_next_tab(self, step: int) -> None:
        panes = list(self.tabs.query(TabPane))
        ids = [p.id for p in panes]
        current = ids.index(self.tabs.active) if self.tabs.active in ids else 0
        self.tabs.active = ids[(current + step) % len(ids)] or ""

    def action_go_tab(self, number: int) -> None:
        self.switch_tab(number)

    def action_cancel_stream(self) -> None:
        tab = self.active_tab()
        if tab is not None and not tab.cancel_stream():
            tab.focus_prompt()

    def action_help(self) -> None:
        bindings = [
            (self._key_for(binding.id or ""), binding.description)
            for binding in self.BINDINGS
            if isinstance(binding, Binding) and binding.description
        ]
        bindings += [
            ("enter", "Send"),
            ("shift+enter / ctrl+j", "New line"),
            ("up / down", "Prompt history"),
        ]
        self.push_screen(HelpScreen(bindings))

    def _key_for(self, binding_id: str) -> str:
        keymap = self.user_settings.keymap
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.id == binding_id:
                return keymap.get(binding_id, binding.key)
        return binding_id

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New tab", "Open a tab with its own runtime", self.action_new_tab)
        yield SystemCommand("Close tab", "Close this tab", self.action_close_tab)
        yield SystemCommand("Help", "Commands and keys", self.action_help)
        for label, command in (
            ("Clear conversation", "/clear"),
            ("Retry last prompt", "/retry"),
            ("Copy last reply", "/copy"),
            ("Copy last code block", "/copy code"),
            ("Export conversation", "/export"),
            ("List profiles", "/profile list"),
            ("Show key source", "/key"),
        ):
            yield SystemCommand(label, f"Same as {command}", self._run_command_later(command))

    def _run_command_later(self, command: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            tab = self.active_tab()
            if tab is not None:
                await tab.execute_command(command)

        return run

    # --- what commands may ask of the app -------------------------------------------------------

    def command_host(self, tab: ChatTab) -> TabCommandHost:
        return TabCommandHost(self, tab)

    def set_theme_and_save(self, name: str) -> None:
        self.theme = name
        settings = self.user_settings
        self.user_settings = UserSettings(
            settings.default_profile, name, dict(settings.keymap), dict(settings.extra)
        )
        if self.settings_problem is None:  # never overwrite a file we could not read
            try:
                save_user_settings(self.user_settings)
            except OSError as exc:
                self.notify(f"Could not save the theme: {exc}", severity="error")


class TabCommandHost:
    """The CommandHost a slash command sees: its tab, and the app for tab-level actions."""

    def __init__(self, app: LlxprtApp, tab: ChatTab) -> None:
        self.app = app
        self.tab = tab

    @property
    def runtime(self) -> RuntimeServices:
        return self.tab.runtime

    async def new_tab(self) -> None:
        await self.app.new_tab()

    async def close_tab(self) -> None:
        # Not awaited: the command runs inside the tab's own handler, and removing the tab
        # waits for that handler to finish.
        self.app.call_later(self.app.close_tab, self.tab)

    def switch_tab(self, number: int) -> None:
        self.app.switch_tab(number)

    def rename_tab(self, name: str) -> None:
        self.tab.tab_name = name
        self.tab.changed()

    def quit_app(self) -> None:
        self.app.exit()

    async def clear_conversation(self) -> None:
        await self.tab.clear_conversation()

    async def retry(self) -> None:
        await self.tab.retry()

    def last_reply(self) -> str | None:
        return self.tab.last_reply()

    def copy_text(self, text: str) -> None:
        self.app.copy_to_clipboard(text)

    def conversation_markdown(self) -> str:
        return self.tab.conversation_markdown()

    def show_help(self) -> None:
        self.app.action_help()

    def theme_names(self) -> list[str]:
        return sorted(self.app.available_themes)

    def current_theme(self) -> str:
        return self.app.theme

    def set_theme(self, name: str) -> None:
        self.app.set_theme_and_save(name)


def run_app(overrides: CliOverrides) -> int:
    app = LlxprtApp(overrides)
    app.run()
    return 0
