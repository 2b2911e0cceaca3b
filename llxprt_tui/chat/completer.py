"""Tab completion in one tab's prompt: the list of matches with a line about each, shown as
you type a command; tab fills in the first match and each further tab the next one.

The candidates come from llxprt_tui/commands/completion.py, handed down by the app as
TabHost.complete; the tab's runtime answers what they need (providers, its model list,
profiles, saved key names)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from llxprt_runtime.errors import LlxprtError
from llxprt_tui.chat.host import Candidate

if TYPE_CHECKING:
    from llxprt_tui.chat.tab import ChatTab


class CommandCompletion(OptionList, can_focus=False):
    DEFAULT_CSS = """
    CommandCompletion {
        display: none;
        height: auto;
        max-height: 8;
        border: none;
        background: $panel;
    }
    CommandCompletion.-visible { display: block; }
    """

    def show(self, candidates: Sequence[Candidate], highlighted: int | None = None) -> None:
        self.clear_options()
        if not candidates:
            self.remove_class("-visible")
            return
        width = max(len(c.label) for c in candidates)
        self.add_options(
            [
                # Content, not markup: names and paths come from files and servers.
                Option(
                    Content.assemble(
                        (c.label.ljust(width), "bold"),
                        (f"  {c.help}", "$text-muted") if c.help else "",
                    ),
                    id=c.label,
                )
                for c in candidates
            ]
        )
        self.highlighted = highlighted
        self.add_class("-visible")


class TabSources:
    """CompletionSources for one tab, through its runtime."""

    def __init__(self, tab: ChatTab) -> None:
        self.tab = tab
        self._models: dict[tuple[str, str], list[str]] = {}

    def providers(self) -> list[tuple[str, str]]:
        manager = self.tab.runtime.provider_manager
        return [(name, info.display_name) for name, info in manager.providers.items()]

    async def models(self) -> list[str]:
        """This provider's model list, loaded once per provider and base URL in this tab."""
        from llxprt_runtime.api import GenerateChatOptions

        runtime = self.tab.runtime
        provider = runtime.settings_service.active_provider
        if not provider:
            return []
        base_url = str(runtime.settings_service.get_provider_setting(provider, "base-url") or "")
        cached = self._models.get((provider, base_url))
        if cached is None:
            try:
                listed = await runtime.provider_manager.list_models(
                    GenerateChatOptions([], runtime=runtime.context)
                )
                cached = sorted((m.id for m in listed), key=str.lower)
            except LlxprtError:
                info = runtime.provider_manager.get_provider_info(provider)
                cached = list(info.fallback_models)
            self._models[(provider, base_url)] = cached
        return cached

    async def profiles(self) -> list[str]:
        from llxprt_runtime import api

        return [entry.name for entry in await api.list_saved_profiles(runtime=self.tab.runtime)]

    def themes(self) -> list[tuple[str, str]]:
        return self.tab.host.themes()

    async def key_names(self) -> list[str]:
        try:
            return await self.tab.runtime.secret_store.list_names()
        except LlxprtError:
            return []


class Completer:
    """The completion state of one prompt: the matches shown, and where tab is in them."""

    def __init__(self, tab: ChatTab) -> None:
        self.tab = tab
        self.sources = TabSources(tab)
        self.cycle: list[Candidate] = []
        self.index = 0
        self.filled: str | None = None  # the line tab put in the prompt

    @property
    def menu(self) -> CommandCompletion:
        return self.tab.query_one(CommandCompletion)

    async def candidates(self, text: str) -> list[Candidate]:
        if not self.tab.has_runtime and " " in text:
            return []
        try:
            return await self.tab.host.complete(text, self.sources)
        except LlxprtError:
            return []

    async def refresh(self, text: str) -> None:
        """Show the matches of what was typed (not of what tab filled in)."""
        if text == self.filled:
            return
        self.filled = None
        self.cycle = []
        found = await self.candidates(text)
        if self.tab.prompt.text != text:
            return  # typed on meanwhile: a newer refresh shows its own
        if len(found) == 1 and found[0].line.rstrip() == text.rstrip():
            found = []  # already complete
        self.menu.show(found)

    async def complete(self) -> bool:
        """Fill in the next match; False when there is nothing to complete."""
        prompt = self.tab.prompt
        if self.cycle and prompt.text == self.filled:
            self.index = (self.index + 1) % len(self.cycle)
        else:
            found = await self.candidates(prompt.text)
            if not found:
                return False
            self.cycle, self.index = found, 0
        chosen = self.cycle[self.index]
        self.filled = chosen.line
        prompt.load_text(chosen.line)
        prompt.move_cursor(prompt.document.end)
        if len(self.cycle) == 1:
            self.cycle = []
            self.menu.show([])  # done: the next tab completes what follows
        else:
            self.menu.show(self.cycle, self.index)
        return True
