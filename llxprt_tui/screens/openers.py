"""Open the pickers and management screens for one tab.

Every opener captures the tab (and so its runtime) when the screen opens, acts through the
runtime helpers, and reports back into that same tab — even if the user has switched tabs
while the screen was open.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from llxprt_runtime import api
from llxprt_runtime.api import GenerateChatOptions
from llxprt_runtime.errors import LlxprtError
from llxprt_tui.commands.handlers import profile_loaded_lines, provider_switch_lines
from llxprt_tui.screens.key_entry import KeyEntryScreen
from llxprt_tui.screens.picker import PickerItem, PickerScreen
from llxprt_tui.screens.profiles import ProfilesScreen

if TYPE_CHECKING:
    from llxprt_tui.chat.tab import ChatTab
    from llxprt_tui.themes import ThemeCatalog


class ScreenHost(Protocol):
    """What the openers ask of the app beyond Textual's (which they reach as `tab.app`);
    LlxprtApp is one. A protocol, so screens/ never imports the app."""

    themes: ThemeCatalog

    def theme_names(self) -> list[str]: ...
    def set_theme_and_save(self, name: str) -> None: ...
    def open_sessions(self) -> None: ...
    def open_search(self, text: str = "") -> None: ...


async def _report(tab: ChatTab, lines: Sequence[str] | None) -> None:
    if lines:  # what it changed in the runtime redraws the tab by itself (its settings events)
        await tab.notice(*lines)


def provider_items(tab: ChatTab) -> list[PickerItem]:
    runtime = tab.runtime
    active = runtime.settings_service.active_provider
    items = []
    for name, info in runtime.provider_manager.providers.items():
        # Where a key would come from (never the value), or "none".
        source = api.key_source(runtime, name)
        items.append(
            PickerItem(name, f"{name:17} {info.display_name}", f"key: {source}", name == active)
        )
    return items


def open_provider_picker(app: ScreenHost, tab: ChatTab) -> None:
    async def chosen(name: str | None) -> None:
        if not name:
            return
        try:
            result = await api.switch_active_provider(name, runtime=tab.runtime)
        except LlxprtError as exc:
            await tab.error(str(exc))
            return
        await _report(tab, provider_switch_lines(result))

    tab.app.push_screen(PickerScreen("Provider", provider_items(tab)), chosen)


def open_model_picker(app: ScreenHost, tab: ChatTab) -> None:
    runtime = tab.runtime
    provider = runtime.settings_service.active_provider
    if not provider:
        open_provider_picker(app, tab)
        return
    current = (
        runtime.config.get_model()
        or runtime.provider_manager.get_provider_info(provider).default_model
    )

    async def load() -> list[PickerItem]:
        models = await runtime.provider_manager.list_models(
            GenerateChatOptions([], runtime=runtime.context)
        )
        listed = sorted(models, key=lambda m: m.id.lower())
        return [PickerItem(m.id, m.id, "", m.id == current) for m in listed]

    async def chosen(model: str | None) -> None:
        if not model:
            return
        try:
            result = await api.set_active_model(model, runtime=runtime)
        except LlxprtError as exc:
            await tab.error(str(exc))
            return
        await _report(tab, [result.message])

    tab.app.push_screen(
        PickerScreen(
            f"Model for {provider} (current: {current})",
            loader=load,
            allow_custom=True,
            placeholder="Type to filter, or a model name",
        ),
        chosen,
    )


def open_profile_picker(app: ScreenHost, tab: ChatTab) -> None:
    runtime = tab.runtime

    async def load() -> list[PickerItem]:
        entries = await api.list_saved_profiles(runtime=runtime)
        current = runtime.settings_service.current_profile_name
        return [
            PickerItem(e.name, e.name, e.profile.summary, e.name == current)
            if e.profile is not None
            else PickerItem(e.name, e.name, f"✗ {e.error}", disabled=True)
            for e in entries
        ]

    async def chosen(name: str | None) -> None:
        if not name:
            return
        try:
            loaded = await api.load_profile_by_name(name, runtime=runtime)
        except LlxprtError as exc:
            await tab.error(str(exc))
            return
        await _report(tab, profile_loaded_lines(name, loaded))

    tab.app.push_screen(
        PickerScreen(
            "Load a profile",
            loader=load,
            empty_text="No saved profiles. /profile save NAME saves this tab's setup.",
        ),
        chosen,
    )


def open_profiles_screen(app: ScreenHost, tab: ChatTab) -> None:
    async def closed(lines: list[str] | None) -> None:
        await _report(tab, lines)

    tab.app.push_screen(ProfilesScreen(tab.runtime), closed)


def open_key_entry(app: ScreenHost, tab: ChatTab) -> None:
    provider = tab.runtime.settings_service.active_provider
    if not provider:
        tab.app.notify("Choose a provider first (/provider or ctrl+o).", severity="warning")
        return

    async def closed(lines: list[str] | None) -> None:
        await _report(tab, lines)

    tab.app.push_screen(KeyEntryScreen(tab.runtime, provider), closed)


def open_sessions_screen(app: ScreenHost, tab: ChatTab) -> None:
    app.open_sessions()  # every session, whichever tab asked


def open_search_screen(app: ScreenHost, tab: ChatTab) -> None:
    app.open_search()  # every stored message, whichever tab asked


def open_theme_picker(app: ScreenHost, tab: ChatTab) -> None:
    before = tab.app.theme
    items = [
        PickerItem(name, app.themes.display_name(name), f"id: {name}", name == before)
        for name in app.theme_names()
    ]

    def preview(name: str) -> None:
        tab.app.theme = name

    async def chosen(name: str | None) -> None:
        if not name:
            tab.app.theme = before  # dismissed: undo the preview
            return
        app.set_theme_and_save(name)
        await _report(tab, [f"Theme set to {app.themes.display_name(name)}"])

    tab.app.push_screen(PickerScreen("Theme", items, on_highlight=preview), chosen)
