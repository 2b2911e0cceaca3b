"""LlxprtApp: tabs of isolated agents, key bindings (remappable), the palette, the status line.

Each tab owns a runtime created with activate_isolated_runtime_context() in the app's own
RuntimeRegistry; closing the tab disposes it (tokens flushed, SDK clients closed).

Start-up is paid for in the first frame, so this module imports no more than that frame
needs: the runtime (~60 ms of imports) is created right after the first frame is drawn, and
screens are imported when they are opened (tests/tui/test_startup.py holds this).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane

from llxprt_runtime.api import (
    CliOverrides,
    UserSettings,
    load_user_settings,
    paths,
    resolve_default_profile_name,
    save_user_settings,
)
from llxprt_runtime.errors import LlxprtError, NoProviderChosenError
from llxprt_tui.chat.deferred import Deferred
from llxprt_tui.chat.host import TabHost
from llxprt_tui.chat.key_footer import KeyFooter
from llxprt_tui.chat.prompt import PromptInput
from llxprt_tui.chat.status import StatusLine
from llxprt_tui.chat.tab import ChatTab, Clock
from llxprt_tui.chat.tab_strip import ChatTabs
from llxprt_tui.commands.completion import complete
from llxprt_tui.commands.spec import CommandParseError, holds_secret, is_command, parse_command
from llxprt_tui.frame_timer import ChatScreen
from llxprt_tui.keys import (
    APP_KEYS,
    binding_ids,
    bindings,
    first_key,
    key_rows,
    read_escape_digits_as_alt,
    unknown_keymap_ids,
)
from llxprt_tui.persistence import RESTORE_SETTING, Persistence
from llxprt_tui.plain_text import plain
from llxprt_tui.screen_table import SCREENS, SCREENS_BY_KIND, ScreenKind
from llxprt_tui.themes import (
    DEFAULT_THEME,
    NO_COLOR_THEME,
    ThemeCatalog,
    builtin_theme_dir,
    load_themes,
    theme_variable_defaults,
)

if TYPE_CHECKING:
    from textual.driver import Driver

    from llxprt_runtime.api import RuntimeRegistry, RuntimeServices
    from llxprt_tui.chat.attachments import PendingAttachments
    from llxprt_tui.chat.compare_column import CompareColumn


class LlxprtApp(App[None]):
    TITLE = "llxprt"
    CSS = """
    Screen { layout: vertical; }
    TabbedContent { height: 1fr; }
    TabbedContent > ContentSwitcher { height: 1fr; }
    TabPane { padding: 0; height: 1fr; }
    """
    BINDINGS = bindings(APP_KEYS)  # the table of every key: llxprt_tui/keys.py

    RUNTIME_DELAY: ClassVar[float] = 0.05  # seconds after the first frame

    def __init__(
        self,
        overrides: CliOverrides | None = None,
        *,
        registry: RuntimeRegistry | None = None,
        clock: Clock = time.monotonic,
        progress_clock: Clock | None = None,
        restore: bool = True,
        first_prompt: str = "",
    ) -> None:
        super().__init__()
        self.overrides = overrides or CliOverrides()
        self.first_prompt = first_prompt  # `llxprt "question"`: sent once the first tab is ready
        self._runtime_registry = registry
        self.clock = clock
        # The waiting/retry line's own clock: its ticks must not shift the reply timings.
        self.progress_clock = progress_clock or clock
        self._tab_counter = 0
        self._reported: set[str] = set()  # start-up problems already shown
        self.themes = ThemeCatalog()
        self.theme_problems: list[str] = []
        self.user_settings = UserSettings()
        self.settings_problem: str | None = None
        # Settings and theme before anything is drawn: choosing the theme here, before the
        # stylesheet is applied, costs nothing; choosing it later re-applies all CSS.
        try:
            self.user_settings = load_user_settings()
        except LlxprtError as exc:
            self.settings_problem = str(exc)
        self.keymap_problem: str | None = None
        if self.user_settings.keymap:
            self.set_keymap(self.user_settings.keymap)
            unknown = unknown_keymap_ids(self.user_settings.keymap)
            if unknown:
                self.keymap_problem = (
                    f"[keymap] in tui.toml names unknown binding ids: {', '.join(unknown)}. "
                    f"Valid ids: {', '.join(binding_ids())}."
                )
        read_escape_digits_as_alt()
        self._register_themes()
        # `llxprt --new` (restore=False) or `restore-tabs = false` in tui.toml: a fresh start.
        restore_setting = self.user_settings.extra.get(RESTORE_SETTING, True)
        self.restore_problem: str | None = None
        if not isinstance(restore_setting, bool):
            self.restore_problem = f"'{RESTORE_SETTING}' in tui.toml must be true or false."
            restore_setting = True
        self.persistence = Persistence(self, restore=restore and restore_setting)
        self.tab_host = TabHost(
            is_command=is_command,
            holds_secret=holds_secret,
            complete=complete,
            themes=self._theme_items,
            keymap=lambda: self.user_settings.keymap,
            turn_started=self.persistence.turn_started,
            branch_shown=self._branch_shown,
            command_ran=self.persistence.command_ran,
            run_command=self._run_command,
            column_started=self.persistence.column_started,
        )

    # --- layout ---------------------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver":  # a terminal on Linux/macOS
            from llxprt_tui.terminal_driver import HangupSafeDriver

            return HangupSafeDriver
        return driver

    def _fatal_error(self) -> None:
        # Textual's report shows every frame's locals: a key held in one reached the terminal.
        # Same steps as Textual's own (private, Textual pinned below 9), another report.
        from llxprt_tui.crash_report import crash_report

        self.bell()
        self._exit_renderables.append(crash_report(self.console.width))
        self._close_messages_no_wait()

    def get_default_screen(self) -> Screen[None]:
        return ChatScreen(id="_default")  # (frame_timer.py)

    def compose(self) -> ComposeResult:
        # The first tab is composed with the app (cheaper than adding a pane after mount)
        # and gets its runtime right after the first frame.
        overrides = self._start_up_settings(first=True)
        tab, pane = self._make_tab(overrides)
        with ChatTabs(id="tabs", initial=pane.id or ""):
            yield pane
        yield StatusLine(id="status")
        yield KeyFooter(compact=True)  # every key hint fits in 80 columns
        # After the first frame is on screen: the refresh callback comes before the frame is
        # written out, and building the runtime would hold the GIL the writer thread needs.
        self.call_after_refresh(
            self.set_timer,
            self.RUNTIME_DELAY,
            partial(self._attach_runtime, tab, self._tab_counter, overrides),
        )

    async def on_mount(self) -> None:
        tab = self.active_tab_or_fail()
        # The focus now, not deferred: the footer shows the keys of what has the focus, and
        # has them in the first frame rather than several frames later.
        self.screen.set_focus(tab.prompt)
        await self.query_one(KeyFooter).show_keys()
        self.run_worker(_remove_stale_temp_files, thread=True, exit_on_error=False)
        if self.settings_problem:
            await tab.error(f"{self.settings_problem}. Using defaults; the file is left as it is.")
        if self.keymap_problem:  # reported once, at start-up
            await tab.error(self.keymap_problem)
        for problem in self.theme_problems:  # reported once, at start-up
            await tab.error(f"Theme not loaded: {problem}")
        if self.restore_problem:
            await tab.error(self.restore_problem)
        self.run_worker(self._start_persistence(tab), exit_on_error=False, group="store")

    async def _start_persistence(self, first: ChatTab) -> None:
        # After the first tab's runtime, which comes after the first frame.
        await first.ready()
        await self.persistence.start(first, first_is_fresh=self.overrides == CliOverrides())

    async def on_unmount(self) -> None:
        await self.persistence.close()

    # --- themes -------------------------------------------------------------------------------

    def _register_themes(self) -> None:
        self.themes = load_themes([builtin_theme_dir(), paths.config_dir() / "themes"])
        self.theme_problems = list(self.themes.problems)
        for theme in self.themes.themes():
            self.register_theme(theme)
        wanted = self.user_settings.theme or DEFAULT_THEME
        if os.environ.get("NO_COLOR") is not None and NO_COLOR_THEME in self.themes.palettes:
            wanted = NO_COLOR_THEME  # as llxprt-code does: NO_COLOR wins over the setting
        elif wanted not in self.themes.palettes:
            self.theme_problems.append(f"there is no theme '{wanted}'; using {DEFAULT_THEME}")
            wanted = DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted

    def _branch_shown(self, tab: ChatTab) -> None:
        self.persistence.later(self.persistence.branch_shown(tab))

    def _theme_items(self) -> list[tuple[str, str]]:
        return [(name, palette.display_name) for name, palette in self.themes.palettes.items()]

    def theme_names(self) -> list[str]:
        """Our themes (the files), not Textual's own, by display name."""
        shown = self.themes.display_name
        return sorted(self.themes.palettes, key=lambda name: (shown(name).casefold(), name))

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Our widgets' extra variables, for any theme that does not define them.
        return {
            **super().get_theme_variable_defaults(),
            **theme_variable_defaults(self.current_theme),
        }

    def action_change_theme(self) -> None:  # the palette's "Theme" command opens our picker
        self.open_screen("theme")

    @property
    def registry(self) -> RuntimeRegistry:
        """The registry holding every tab's runtime (created with the first runtime)."""
        if self._runtime_registry is None:
            from llxprt_runtime.api import RuntimeRegistry

            self._runtime_registry = RuntimeRegistry()
        return self._runtime_registry

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#tabs", TabbedContent)

    def chat_tabs(self) -> list[ChatTab]:
        return list(self.query(ChatTab))

    async def wait_ready(self) -> None:
        """Until every tab has its runtime (the first one gets it just after the first frame)."""
        for tab in self.chat_tabs():
            await tab.ready()

    def active_tab(self) -> ChatTab | None:
        # No tabs while the app shuts down: its screen is taken apart and a late message
        # (a tab switch, a stream ending) can still arrive.
        tabs = self.query_one_optional("#tabs", TabbedContent)
        pane = tabs.active_pane if tabs is not None else None
        return pane.query_one(ChatTab) if pane is not None else None

    def active_tab_or_fail(self) -> ChatTab:
        tab = self.active_tab()
        assert tab is not None, "llxprt always has a tab"
        return tab

    # --- tabs -------------------------------------------------------------------------------

    def _make_tab(
        self, overrides: CliOverrides | None, *, welcome: bool = True
    ) -> tuple[ChatTab, TabPane]:
        self._tab_counter += 1
        number = self._tab_counter
        # With nothing to apply, the welcome is known before the runtime exists.
        greeting = self.welcome_lines() if overrides is None and welcome else []
        tab = ChatTab(
            None,
            f"tab {number}",
            host=self.tab_host,
            clock=self.clock,
            progress_clock=self.progress_clock,
            greeting=greeting,
        )
        return tab, TabPane(plain(tab.label()), tab, id=f"tab-{number}")

    async def new_tab(self) -> ChatTab:
        """Open a tab with a runtime of its own, started from the default profile or empty."""
        overrides = self._start_up_settings(first=False)
        tab, pane = self._make_tab(overrides)
        await self.tabs.add_pane(pane)
        self._show(pane.id or "")
        await self._attach_runtime(tab, self._tab_counter, overrides)
        return tab

    async def open_tab(self, *, activate: bool) -> ChatTab:
        """A tab with an empty runtime, for a stored session to be restored into."""
        tab, pane = self._make_tab(None, welcome=False)
        number = self._tab_counter
        await self.tabs.add_pane(pane)
        if activate:
            self._show(pane.id or "")
        await self._attach_runtime(tab, number, None)
        return tab

    async def open_compare_tab(self, columns: Sequence[tuple[str, RuntimeServices]]) -> ChatTab:
        """A compare tab (shown) over `columns` (title, runtime): llxprt_tui/comparing.py."""
        from llxprt_tui.chat.compare_tab import CompareTab

        self._tab_counter += 1
        number = self._tab_counter
        tab = CompareTab(
            f"compare {number}",
            columns,
            host=self.tab_host,
            clock=self.clock,
            progress_clock=self.progress_clock,
        )
        pane = TabPane(plain(tab.label()), tab, id=f"tab-{number}")
        await self.tabs.add_pane(pane)
        self._show(pane.id or "")
        await self._attach_runtime(tab, number, None)
        return tab

    def on_compare_column_continue_requested(
        self, message: CompareColumn.ContinueRequested
    ) -> None:
        # By name: the app imports no compare module until a compare tab is opened.
        from llxprt_tui.comparing import continue_column

        self.run_worker(continue_column(self, message.column), group="compare")

    def _start_up_settings(self, first: bool) -> CliOverrides | None:
        """A new tab starts from the default profile if one is set, else from the start-up
        flags, else empty (None)."""
        default = resolve_default_profile_name()
        overrides = self.overrides if first or not default else CliOverrides(profile=default)
        return None if overrides == CliOverrides() and not default else overrides

    async def _attach_runtime(
        self, tab: ChatTab, number: int, overrides: CliOverrides | None
    ) -> None:
        from llxprt_runtime.api import activate_isolated_runtime_context, apply_cli_overrides

        runtime = await activate_isolated_runtime_context(
            metadata={"origin": "tui-tab", "tab": number},
            registry=self.registry,
            make_active=False,
        )
        problem: str | None = None
        if overrides is not None:
            try:
                await apply_cli_overrides(overrides, runtime=runtime)
            except NoProviderChosenError:
                pass  # the welcome below says how to choose one
            except LlxprtError as exc:
                problem = f"Could not apply the start-up settings: {exc}"
        tab.attach_runtime(runtime)
        for catalog_problem in runtime.provider_manager.catalog_problems:
            if catalog_problem not in self._reported:  # each tab reads the file; say it once
                self._reported.add(catalog_problem)
                await tab.error(catalog_problem)
        if runtime.settings_service.active_provider:
            # Its SDK now, in a worker thread: the first send must not import it (1-2 s).
            self.run_worker(
                runtime.provider_manager.import_provider(runtime.settings_service.active_provider),
                exit_on_error=False,
                group="sdk-import",
            )
        if overrides is not None and runtime.settings_service.active_provider is None:
            await tab.notice(*self.welcome_lines())
        if problem:
            await tab.error(problem)
        if self.first_prompt:
            # As if typed and sent: a command runs, a prompt goes to the provider, and a
            # failed send leaves it in the prompt to fix.
            text, self.first_prompt = self.first_prompt, ""
            tab.prompt.load_text(text)
            tab.prompt.post_message(PromptInput.Submitted(tab.prompt, text))

    def welcome_lines(self) -> list[str]:
        from llxprt_runtime.api import api_key_providers

        lines = ["Welcome to llxprt."]
        env_keys: dict[str, str] = {}  # the first provider reading a variable offers it
        for info in api_key_providers():
            for var in info.env_key_names:
                env_keys.setdefault(var, info.name)
        found = [(var, p) for var, p in env_keys.items() if os.environ.get(var, "").strip()]
        for var, provider in found:
            lines.append(f"  {var} is set: /provider {provider} to use it.")
        if not found:
            lines.append("  No provider keys found in the environment.")
        names = " | ".join(info.name for info in api_key_providers())
        keymap = self.user_settings.keymap

        def key(binding_id: str) -> str:
            return first_key(binding_id, keymap)

        lines += [
            f"Pick a provider:  {key('pick-provider')}, or /provider {names}",
            f"Add a key:        {key('enter-key')}, or /key VALUE (this tab),"
            " /key save NAME VALUE (OS keyring)",
            "Local server:     /provider openai, then /baseurl http://127.0.0.1:PORT/v1",
            f"Pickers:          /model (models), {key('profiles')} or /profile list (profiles),"
            " /theme (themes)",
            f"{key('help')} or /help lists every key and command; {key('new-tab')} opens a tab,"
            " alt+1…9 switch.",
        ]
        return lines

    async def close_tab(self, tab: ChatTab | None = None) -> None:
        tab = tab or self.active_tab()
        if tab is None:
            return
        if tab.streaming:
            from llxprt_tui.screens.confirm import ConfirmScreen

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
        from llxprt_runtime.api import dispose_runtime

        tab.cancel_stream()
        await tab.wait_for_stream()
        pane = tab.parent
        runtime = await tab.ready()
        tab.stop_listening()  # disposing clears its settings: a redraw would read a dead runtime
        for owned in (runtime, *tab.owned_runtimes()):
            await dispose_runtime(owned.runtime_id, registry=self.registry)
        if isinstance(pane, TabPane) and pane.id:
            await self.tabs.remove_pane(pane.id)
        await self.persistence.tab_closed(tab)  # its session stays in the store
        if not self.chat_tabs():
            await self.new_tab()
        else:
            self._refresh_status()

    def switch_tab(self, number: int) -> None:
        panes = list(self.tabs.query(TabPane))
        if not 1 <= number <= len(panes):
            self.notify(f"There is no tab {number}.", severity="warning")
            return
        self._show(panes[number - 1].id or "")

    def _show(self, pane_id: str) -> None:
        """Show a tab and move the focus into it now. Focus moved later (Widget.focus defers
        it) loses a race: the hidden tab's prompt, still focused when its Hide arrives, hands
        the focus to a widget of its own tab, and TabbedContent then shows that tab again."""
        shown = self.active_tab()
        self.tabs.active = pane_id
        tab = self.active_tab()
        if tab is not None:
            tab.prompt.screen.set_focus(tab.prompt)
            if tab.transcript.waiting:
                # The first switch to a restored tab: its rows are drawn before any frame
                # shows it (a frame of the tab without them came first, and a layout).
                view = shown.transcript.container_size if shown is not None else Size(0, 0)
                # A task, not a handler: the app's messages (the tab's TabActivated, its status
                # line) are handled meanwhile, and the batch's one frame shows them too.
                self._begin_batch()
                self.run_worker(Deferred(partial(self._draw_shown, tab, view)), group="draw")

    async def _draw_shown(self, tab: ChatTab, view: Size) -> None:
        try:
            await tab.transcript.draw_shown(view)
        finally:
            self._end_batch()
            self.screen.check_idle()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = self.active_tab()
        if tab is not None and tab.message_to_show is not None:
            message, tab.message_to_show = tab.message_to_show, None
            self.call_later(self.persistence.show_message, tab, message)
        elif tab is not None:
            tab.focus_prompt()
        self._refresh_status()

    @on(ChatTab.StateChanged)
    def _tab_changed(self, event: ChatTab.StateChanged) -> None:
        if event.tab.closing:  # queued before its close: its runtime is gone
            return
        pane = event.tab.parent
        tabs = self.query_one_optional("#tabs", TabbedContent)  # None in shutdown
        if isinstance(pane, TabPane) and pane.id and tabs is not None:
            tabs.get_tab(pane.id).label = plain(event.tab.label())
        self._refresh_status()
        self.persistence.tab_changed(event.tab)  # its session follows its settings

    def _refresh_status(self) -> None:
        # A stream ending during shutdown may report after the status line is gone.
        tab = self.active_tab()
        for status in self.query(StatusLine):
            status.show(tab if tab is not None and not tab.closing else None)

    # --- actions ------------------------------------------------------------------------------

    async def action_new_tab(self) -> None:
        await self.new_tab()

    async def action_close_tab(self) -> None:
        await self.close_tab()

    def action_next_tab(self, step: int) -> None:
        panes = list(self.tabs.query(TabPane))
        ids = [p.id for p in panes]
        current = ids.index(self.tabs.active) if self.tabs.active in ids else 0
        self._show(ids[(current + step) % len(ids)] or "")

    async def action_quit(self) -> None:
        self.request_quit()

    def request_quit(self) -> None:
        """Quit; while replies stream, ask first (as closing a streaming tab does)."""
        streaming = [tab.tab_name for tab in self.chat_tabs() if tab.streaming]
        if not streaming:
            self.exit()
            return
        from llxprt_tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.stop_streams_and_exit(0)

        which = ", ".join(streaming)
        self.push_screen(
            ConfirmScreen(
                f"{which} {'is' if len(streaming) == 1 else 'are'} still streaming. Quit anyway?"
            ),
            answered,
        )

    def stop_streams_and_exit(self, status: int) -> None:
        """Stop every stream and exit with `status` (Textual restores the terminal); for
        SIGTERM/SIGHUP and a confirmed quit."""
        for tab in self.chat_tabs():
            tab.cancel_stream()
        self.exit(return_code=status)

    def action_go_tab(self, number: int) -> None:
        self.switch_tab(number)

    def action_cancel_stream(self) -> None:
        tab = self.active_tab()
        if tab is not None and not tab.cancel_stream():
            tab.focus_prompt()

    def open_screen(self, kind: ScreenKind, tab: ChatTab | None = None) -> None:
        """Open a picker or screen for `tab` (default: the active one); it acts on that tab."""
        tab = tab or self.active_tab()
        if tab is None or tab.closing:
            self.notify("This tab is still starting.", severity="warning")
            return
        if not tab.has_runtime:
            # A key pressed in the moment between the first frame and the tab's runtime: the
            # screen opens as soon as the runtime is there.
            self.run_worker(self._open_when_ready(kind, tab), exit_on_error=False)
            return
        module, _, function = SCREENS_BY_KIND[kind].opener.partition(":")
        opener: Callable[[LlxprtApp, ChatTab], None] = getattr(
            importlib.import_module(module), function
        )
        opener(self, tab)

    async def _open_when_ready(self, kind: ScreenKind, tab: ChatTab) -> None:
        await tab.ready()
        if tab.has_runtime:  # opened from the app's own loop, as a key's action is
            self.call_later(self.open_screen, kind, tab)

    def action_open_screen(self, kind: ScreenKind) -> None:
        self.open_screen(kind)

    def open_sessions(self) -> None:
        """The sessions screen: enter opens the chosen session (or switches to its tab)."""
        from llxprt_tui.screens.sessions import SessionsScreen

        store = self.persistence.store
        if store is None:
            problem = self.persistence.problem or "the session database is still opening"
            self.notify(f"No sessions: {problem}.", severity="warning", markup=False)
            return

        def open_ids() -> set[str]:
            return {t.session_id for t in self.chat_tabs() if t.session_id is not None}

        def renamed(session_id: str, title: str) -> None:
            for tab in self.chat_tabs():
                if tab.session_id == session_id:
                    tab.tab_name, tab.named_by_user = title, True
                    tab.changed()

        async def chosen(session_id: str | None) -> None:
            if session_id is None:
                return
            await self.persistence.open_session(session_id)
            note = screen.import_notes.get(session_id)
            tab = next((t for t in self.chat_tabs() if t.session_id == session_id), None)
            if note and tab is not None:
                await tab.notice(note)

        # llxprt-code's sessions of the directory llxprt was started in are listed too.
        screen = SessionsScreen(store, open_ids, on_renamed=renamed, project_root=Path.cwd())
        self.push_screen(screen, chosen)

    def open_search(self, text: str = "") -> None:
        """The search screen over every stored message, its box holding `text`: enter opens
        the hit's session (or switches to its tab) with that message selected."""
        from llxprt_tui.screens.search import SearchScreen

        store = self.persistence.store
        if store is None:
            problem = self.persistence.problem or "the session database is still opening"
            self.notify(f"No search: {problem}.", severity="warning", markup=False)
            return

        async def chosen(hit: tuple[str, int] | None) -> None:
            if hit is not None:
                session_id, message_id = hit
                await self.persistence.open_session(session_id, message_id)

        self.push_screen(SearchScreen(store, text), chosen)

    def action_help(self) -> None:
        from llxprt_tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(key_rows(self.user_settings.keymap)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New tab", "Open a tab with its own runtime", self.action_new_tab)
        yield SystemCommand("Close tab", "Close this tab", self.action_close_tab)
        yield SystemCommand("Help", "Commands and keys", self.action_help)
        for spec in SCREENS:
            if spec.palette is not None:
                label, help_text = spec.palette
                yield SystemCommand(label, help_text, partial(self.open_screen, spec.kind))
        for label, command in (
            ("Clear conversation", "/clear"),
            ("Retry last prompt", "/retry"),
            ("Copy last reply", "/copy"),
            ("Copy last code block", "/copy code"),
            ("Export conversation", "/export"),
            ("Show key source", "/key"),
        ):
            yield SystemCommand(label, f"Same as {command}", self._run_command_later(command))

    def _run_command_later(self, command: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            tab = self.active_tab()
            if tab is not None:
                await tab.execute_command(command)

        return run

    # --- what tabs ask of the app (their messages) ------------------------------------------------

    async def _run_command(self, tab: ChatTab, text: str) -> list[str]:
        """A tab's slash command (awaited in the tab's worker): what it says, or it raises
        (a parse error as any other error of ours)."""
        from llxprt_tui.commands.handlers import run_command

        try:
            return await run_command(self.command_host(tab), parse_command(text))
        except CommandParseError as exc:
            raise LlxprtError(str(exc)) from None

    @on(ChatTab.ConfirmRequested)
    def _confirm_requested(self, event: ChatTab.ConfirmRequested) -> None:
        from llxprt_tui.screens.confirm import ConfirmScreen

        self.push_screen(ConfirmScreen(event.question), event.answered)

    @on(ChatTab.ChoiceRequested)
    def _choice_requested(self, event: ChatTab.ChoiceRequested) -> None:
        from llxprt_tui.screens.picker import PickerItem, PickerScreen

        items = [PickerItem(*choice) for choice in event.choices]
        self.push_screen(PickerScreen(event.title, items), event.chosen)

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
                self.notify(f"Could not save the theme: {exc}", severity="error", markup=False)


def _remove_stale_temp_files() -> None:
    """What a save killed mid-way (a crash, kill -9) left behind in our folders."""
    from llxprt_runtime.api import remove_stale_temp_files

    for directory in (paths.config_dir(), paths.profiles_dir()):
        remove_stale_temp_files(directory)


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
        self.tab.tab_name, self.tab.named_by_user = name, True
        self.tab.changed()
        self.app.persistence.later(self.app.persistence.rename(self.tab, name))

    def system_prompt(self) -> str | None:
        return self.tab.system_prompt

    async def set_system_prompt(self, text: str | None) -> None:
        self.tab.system_prompt = text
        self.tab.changed()
        await self.app.persistence.save_tab(self.tab, create=text is not None)

    def open_sessions(self) -> None:
        self.app.open_sessions()

    def open_search(self, text: str) -> None:
        self.app.open_search(text)

    def quit_app(self) -> None:
        self.app.request_quit()

    async def clear_conversation(self) -> None:
        await self.tab.clear_conversation()
        await self.app.persistence.cleared(self.tab)  # a new session; the old one is kept

    async def retry(self) -> None:
        await self.tab.retry()

    @property
    def attachments(self) -> PendingAttachments:
        return self.tab.attachments

    async def fork(self, provider: str | None, model: str | None) -> list[str]:
        from llxprt_tui.forking import fork_tab

        return await fork_tab(self.app, self.tab, provider, model)

    async def compare(self, entries: list[str]) -> list[str]:
        from llxprt_tui.comparing import compare_tab

        return await compare_tab(self.app, self.tab, entries)

    async def save_profile(self, name: str) -> None:
        from llxprt_tui.screens.profile_save import save_profile_offering_keyring

        tab = self.tab  # the outcome is reported here, whichever tab is active by then

        async def report(message: str, is_error: bool) -> None:
            await (tab.error(message) if is_error else tab.notice(message))

        await save_profile_offering_keyring(self.app, tab.runtime, name, report)

    def confirm(self, question: str, then: Callable[[], Awaitable[list[str]]]) -> None:
        """Ask `question`; on yes run `then` and show what it says in this host's tab."""
        from llxprt_tui.screens.confirm import ConfirmScreen

        tab = self.tab

        async def answered(yes: bool | None) -> None:
            if yes:
                try:
                    lines = await then()
                except LlxprtError as exc:
                    await tab.error(str(exc))
                else:
                    await tab.notice(*lines)
            tab.focus_prompt()

        self.app.push_screen(ConfirmScreen(question), answered)

    def last_reply(self) -> str | None:
        return self.tab.session.last_reply_text()

    def copy_text(self, text: str) -> None:
        self.app.copy_to_clipboard(text)

    def conversation_markdown(self) -> str:
        return self.tab.conversation_markdown()

    def conversation_json(self) -> str:
        return self.tab.conversation_json()

    def show_help(self) -> None:
        self.app.action_help()

    def theme_names(self) -> list[str]:
        return self.app.theme_names()

    def current_theme(self) -> str:
        return self.app.theme

    def set_theme(self, name: str) -> None:
        self.app.set_theme_and_save(name)

    def open_screen(self, kind: ScreenKind) -> None:
        # For this host's tab, whatever tab is active when the screen closes.
        self.app.open_screen(kind, self.tab)

    def open_login(self, bucket: str | None, device: bool) -> None:
        from llxprt_tui.screens.login import open_login_screen

        open_login_screen(self.app, self.tab, bucket, device)

    def login_changed(self) -> None:
        self.tab.changed()


# The conventional status of a process ended by a signal: 128 + its number.
EXIT_SIGNALS = {signal.SIGTERM: 128 + signal.SIGTERM, signal.SIGHUP: 128 + signal.SIGHUP}


def run_app(
    overrides: CliOverrides,
    *,
    app: LlxprtApp | None = None,
    restore: bool = True,
    first_prompt: str = "",
) -> int:
    """Run the chat until it quits; the exit status (1 after a crash, 143/129 after
    SIGTERM/SIGHUP, which first cancel the streams and restore the terminal)."""
    app = app or LlxprtApp(overrides, restore=restore, first_prompt=first_prompt)
    asyncio.run(_run_until_signalled(app))
    return app.return_code or 0


async def _run_until_signalled(app: LlxprtApp) -> None:
    # Without a handler the default action kills the process at once, leaving the terminal
    # in the alternate screen with mouse reporting on and no cursor.
    loop = asyncio.get_running_loop()
    for signum, status in EXIT_SIGNALS.items():
        loop.add_signal_handler(signum, app.stop_streams_and_exit, status)
    try:
        await app.run_async()
    finally:
        for signum in EXIT_SIGNALS:
            loop.remove_signal_handler(signum)
