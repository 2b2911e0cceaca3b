"""ProfilesScreen: saved profiles beside the details of the selected one, with the actions a
person needs (load, save, overwrite, duplicate, rename, delete, default).

It acts on the runtime it was opened for, only through the runtime helpers. Invalid profile
files are listed with their error and never rewritten unless the user saves over them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from llxprt_runtime import api
from llxprt_runtime.api import (
    LoadBalancerProfile,
    ProfileEntry,
    RuntimeServices,
    resolve_default_profile_name,
    shown_setting_value,
    visible_controls,
)
from llxprt_runtime.errors import KeyringUnavailableError, LlxprtError
from llxprt_tui.commands.handlers import profile_loaded_lines, replace_question
from llxprt_tui.screens.confirm import ConfirmScreen
from llxprt_tui.screens.load_balancer_builder import LoadBalancerBuilderScreen
from llxprt_tui.screens.name_prompt import NamePromptScreen
from llxprt_tui.screens.profile_save import save_profile_offering_keyring
from llxprt_tui.values import value_text


def _readable(path_text: str) -> bool:
    path = Path(path_text).expanduser()
    return path.is_file() and os.access(path, os.R_OK)


HINTS = (
    "enter load · s save as new · o save over · c duplicate · r rename · "
    "d delete · f default on/off · b new load balancer · esc close"
)


class ProfilesScreen(ModalScreen[list[str] | None]):
    DEFAULT_CSS = """
    ProfilesScreen { align: center middle; }
    ProfilesScreen > Vertical {
        width: 110; max-width: 98%; height: 30; max-height: 95%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ProfilesScreen .title { text-style: bold; color: $primary; }
    ProfilesScreen Horizontal { height: 1fr; margin: 1 0; }
    ProfilesScreen #profile-list { width: 36; height: 100%; border: round $panel; }
    ProfilesScreen #profile-list:focus { border: round $primary; }
    ProfilesScreen VerticalScroll { width: 1fr; height: 100%; padding: 0 1; }
    ProfilesScreen #profile-status { height: auto; color: $text-success; }
    ProfilesScreen #profile-status.-error { color: $text-error; }
    ProfilesScreen .hints { color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="profiles-close"),
        Binding("s", "save_new", "Save as new", id="profiles-save"),
        Binding("o", "overwrite", "Save over", id="profiles-overwrite"),
        Binding("c", "duplicate", "Duplicate", id="profiles-duplicate"),
        Binding("r", "rename", "Rename", id="profiles-rename"),
        Binding("d,delete", "delete", "Delete", id="profiles-delete"),
        Binding("f", "toggle_default", "Default", id="profiles-default"),
        Binding("b", "new_load_balancer", "New load balancer", id="profiles-load-balancer"),
    ]

    def __init__(self, runtime: RuntimeServices) -> None:
        super().__init__()
        self.runtime = runtime
        self.entries: list[ProfileEntry] = []
        self.default: str | None = None
        self.messages: list[str] = []  # shown in the tab when the screen closes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Profiles", classes="title")
            with Horizontal():
                yield OptionList(id="profile-list")
                with VerticalScroll():
                    yield Static("", id="profile-details", markup=False)
            yield Static("", id="profile-status", markup=False)
            yield Static(HINTS, classes="hints", markup=False)

    async def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        await self.reload()

    # --- the list -----------------------------------------------------------------------------

    async def reload(self, select: str | None = None) -> None:
        self.entries = await api.list_saved_profiles(runtime=self.runtime)
        try:
            self.default = await asyncio.to_thread(resolve_default_profile_name)
        except LlxprtError:
            self.default = None
        options = self.query_one(OptionList)
        keep = select or self.selected_name()
        options.clear_options()
        options.add_options(Option(self._label(e), id=e.name) for e in self.entries)
        names = [e.name for e in self.entries]
        if names:
            options.highlighted = names.index(keep) if keep in names else 0
        self._show_details()

    def _label(self, entry: ProfileEntry) -> Content:
        mark = " ★" if entry.name == self.default else ""
        if entry.profile is None:
            return Content.assemble((f"✗ {visible_controls(entry.name)}", "$text-error"), mark)
        kind = (
            "load balancer"
            if isinstance(entry.profile, LoadBalancerProfile)
            else entry.profile.provider
        )
        return Content.assemble(
            visible_controls(entry.name),
            (mark, "$text-warning"),
            (f"  {visible_controls(kind)}", "$text-muted"),
        )

    def selected(self) -> ProfileEntry | None:
        index = self.query_one(OptionList).highlighted
        return self.entries[index] if index is not None and index < len(self.entries) else None

    def selected_name(self) -> str | None:
        entry = self.selected()
        return entry.name if entry else None

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show_details()

    @on(OptionList.OptionSelected)
    async def _chosen(self) -> None:
        await self.load_selected()

    def _show_details(self) -> None:
        details = self.query_one("#profile-details", Static)
        entry = self.selected()
        if entry is None:
            details.update(
                "No saved profiles yet.\n\nPress s to save this tab's provider, model and "
                "settings as a profile."
            )
            return
        details.update(visible_controls(self._describe(entry)))
        if entry.profile is not None and not isinstance(entry.profile, LoadBalancerProfile):
            self._describe_key(entry)

    def _describe(self, entry: ProfileEntry, key_line: str = "…") -> str:
        head = [f"{entry.name}{'  (default)' if entry.name == self.default else ''}"]
        head.append(f"file: {entry.path}")
        if entry.profile is None:
            return "\n".join(
                [
                    *head,
                    "",
                    f"✗ This file cannot be used: {entry.error}",
                    "It is left as it is; o saves this tab over it.",
                ]
            )
        profile = entry.profile
        if isinstance(profile, LoadBalancerProfile):
            return "\n".join([*head, "", *self._describe_balancer(profile)])
        lines = [*head, "", f"provider: {profile.provider}", f"model:    {profile.model}"]
        lines.append(f"key:      {key_line}")
        lines.append("")
        lines.append("model params:" if profile.model_params else "model params: none")
        lines += [f"  {k} = {value_text(v)}" for k, v in sorted(profile.model_params.items())]
        shown = {
            k: v
            for k, v in profile.ephemeral_settings.items()
            if k not in ("auth-key-name", "auth-keyfile", "auth-key")
        }
        lines.append("settings:" if shown else "settings: none")
        lines += [
            f"  {k} = {value_text(shown_setting_value(k, v))}" for k, v in sorted(shown.items())
        ]
        return "\n".join(lines)

    def _describe_balancer(self, profile: LoadBalancerProfile) -> list[str]:
        listed = {e.name: e for e in self.entries}
        lines = [f"load balancer, policy: {profile.policy}", "members:"]
        width = max(len(name) for name in profile.profiles)
        for number, name in enumerate(profile.profiles, 1):
            member = listed.get(name)
            if member is None:
                what = "✗ not found"
            elif member.profile is None:
                what = "✗ cannot be loaded"
            elif isinstance(member.profile, LoadBalancerProfile):
                what = "✗ a load balancer (members must be standard profiles)"
            else:
                what = f"{member.profile.provider} · {member.profile.model}"
            lines.append(f"  {number}. {name:{width}}  {what}")
        settings = profile.ephemeral_settings
        lines.append("settings:" if settings else "settings: llxprt-code's defaults")
        lines += [f"  {k} = {value_text(v)}" for k, v in sorted(settings.items())]
        return lines

    @work(exclusive=True, group="profile-key")
    async def _describe_key(self, entry: ProfileEntry) -> None:
        line = await self.key_source(entry)
        if self.selected() is entry:
            self.query_one("#profile-details", Static).update(
                visible_controls(self._describe(entry, line))
            )

    async def key_source(self, entry: ProfileEntry) -> str:
        """Where this profile's key comes from, and whether it is there. Never the value."""
        assert entry.profile is not None
        settings = entry.profile.ephemeral_settings
        if isinstance(settings.get("auth-key"), str):
            return (
                "in plain text in this file (auth-key): load it, then o saves over it and "
                "offers to move the key into the OS keyring"
            )
        name = settings.get("auth-key-name")
        if isinstance(name, str) and name:
            try:
                found = await self.runtime.secret_store.exists(name)
            except KeyringUnavailableError:
                return f"keyring: {name} (no keyring is available to check)"
            return f"keyring: {name} ({'found' if found else 'not in the keyring'})"
        keyfile = settings.get("auth-keyfile")
        if isinstance(keyfile, str) and keyfile:
            readable = await asyncio.to_thread(_readable, keyfile)
            return f"keyfile: {keyfile} ({'readable' if readable else 'not readable'})"
        return "none saved (the environment, or a key entered in the tab)"

    # --- actions ------------------------------------------------------------------------------

    def _report(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#profile-status", Static)
        status.set_class(error, "-error")
        status.update(visible_controls(message))
        if not error:
            self.messages.append(message)

    async def _run(self, action: str, call: Awaitable[str], select: str | None = None) -> None:
        try:
            message = await call
        except LlxprtError as exc:
            self._report(f"Could not {action}: {exc}", error=True)
            return
        self._report(message)
        await self.reload(select)

    async def load_selected(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        try:
            loaded = await api.load_profile_by_name(entry.name, runtime=self.runtime)
        except LlxprtError as exc:
            self._report(f"Could not load: {exc}", error=True)
            return
        self.messages += profile_loaded_lines(entry.name, loaded)
        self.dismiss(self.messages)

    def _ask_name(
        self, question: str, then: Callable[[str | None], Awaitable[None]], value: str = ""
    ) -> None:
        self.app.push_screen(NamePromptScreen(question, value), then)

    def action_save_new(self) -> None:
        async def save(name: str | None) -> None:
            if not name:
                return
            if any(e.name == name for e in self.entries):
                self._confirm_overwrite(name)
                return
            await self._save(name)

        self._ask_name("Save this tab as a new profile named:", save)

    async def _save(self, name: str) -> None:
        async def outcome(message: str, is_error: bool) -> None:
            self._report(f"Could not save: {message}" if is_error else message, error=is_error)
            if not is_error:
                await self.reload(name)

        await save_profile_offering_keyring(self.app, self.runtime, name, outcome)

    def _confirm_overwrite(self, name: str) -> None:
        async def answered(yes: bool | None) -> None:
            if yes:
                await self._save(name)

        self.app.push_screen(ConfirmScreen(replace_question(name)), answered)

    def action_overwrite(self) -> None:
        entry = self.selected()
        if entry is not None:
            self._confirm_overwrite(entry.name)

    def action_duplicate(self) -> None:
        entry = self.selected()
        if entry is None:
            return

        async def duplicate(name: str | None) -> None:
            if name:
                await self._run(
                    "duplicate", api.copy_profile(entry.name, name, runtime=self.runtime), name
                )

        self._ask_name(f"Duplicate '{entry.name}' as:", duplicate, f"{entry.name}-copy")

    def action_rename(self) -> None:
        entry = self.selected()
        if entry is None:
            return

        async def rename(name: str | None) -> None:
            if name and name != entry.name:
                await self._run(
                    "rename", api.rename_profile(entry.name, name, runtime=self.runtime), name
                )

        self._ask_name(f"Rename '{entry.name}' to:", rename, entry.name)

    def action_delete(self) -> None:
        entry = self.selected()
        if entry is None:
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self._run(
                    "delete", api.delete_profile_by_name(entry.name, runtime=self.runtime)
                )

        self.app.push_screen(ConfirmScreen(f"Delete profile '{entry.name}'?"), answered)

    async def action_toggle_default(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        name = None if entry.name == self.default else entry.name
        await self._run("set the default", api.set_default_profile_name(name, runtime=self.runtime))

    def action_new_load_balancer(self) -> None:
        async def built(name: str | None) -> None:
            if name:
                self._report(f"Load balancer profile '{name}' saved")
                await self.reload(name)

        self.app.push_screen(LoadBalancerBuilderScreen(self.runtime, self.entries), built)

    def action_close(self) -> None:
        self.dismiss(self.messages)
