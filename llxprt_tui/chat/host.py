"""What the app hands each tab when it makes it (calls down), so nothing in chat/ imports the
app, the screens or the commands (the TUI layers contract in pyproject.toml).

The slash-command table's rules, completion, the theme names, the keymap and the session
recorder are given to the tab here, and how to run a slash command (awaited in the tab's
worker); what a tab asks of the app's screens (a yes/no question, pick one of several) goes
up as messages (ChatTab.ConfirmRequested and friends)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from llxprt_runtime.api import SessionRecorder
    from llxprt_tui.chat.compare_column import CompareColumn
    from llxprt_tui.chat.tab import ChatTab


@dataclass(frozen=True, slots=True)
class Candidate:
    """One completion of the prompt line (llxprt_tui/commands/completion.py makes them)."""

    line: str  # the prompt line once chosen
    label: str  # what the list shows
    help: str = ""  # one line about it


class CompletionSources(Protocol):
    """What the tab can tell completion about (each may do I/O)."""

    def providers(self) -> Sequence[tuple[str, str]]: ...  # (name, description)
    async def models(self) -> Sequence[str]: ...
    async def profiles(self) -> Sequence[str]: ...
    def themes(self) -> Sequence[tuple[str, str]]: ...  # (id, display name)
    async def key_names(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class TabHost:
    """The app's side of a tab, handed down once for every tab."""

    is_command: Callable[[str], bool]  # `/name …` (not `//…`)
    holds_secret: Callable[[str], bool]  # a command line never echoed nor remembered
    complete: Callable[[str, CompletionSources], Awaitable[list[Candidate]]]
    themes: Callable[[], list[tuple[str, str]]]  # (id, display name), for completion
    keymap: Callable[[], Mapping[str, str]]  # tui.toml's [keymap], for what errors say
    # As a turn's request goes out: the recorder the ChatSession writes it with (persistence).
    turn_started: Callable[[ChatTab], Awaitable[SessionRecorder | None]]
    # The tab now shows another branch of its conversation: the store keeps which.
    branch_shown: Callable[[ChatTab], None]
    # A command ran: a tab that only ran commands is kept too (llxprt_tui/persistence).
    command_ran: Callable[[ChatTab], None]
    # A slash command typed in the tab: what it says (or the error it raises).
    run_command: Callable[[ChatTab, str], Awaitable[list[str]]]
    # A compare column's turn begins: its recorder, its session linked to `link` (the first
    # column's session) when it is created.
    column_started: Callable[[CompareColumn, str | None], Awaitable[SessionRecorder | None]]
