"""Transcript: the scrolling view of one tab's conversation (the conversation itself is the
tab's ChatSession). Readable from the keyboard: scrolled from the prompt, and, when focused,
a selected message to copy, copy code from, send again or inspect.

What each message was (its text, the prompt of a reply, model, tokens, time) is kept in a
MessageEntry beside its widget; the tab fills it in and acts on what the user picks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual import events
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from llxprt_runtime.providers.content import Usage
from llxprt_tui.keys import MESSAGE_KEYS, bindings

if TYPE_CHECKING:
    from llxprt_runtime.api import MessageNode

Role = Literal["user", "assistant"]
MessageAction = Literal["copy", "code", "resend", "details", "edit"]

_CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)```", re.S)


def code_blocks(text: str) -> list[str]:
    """The fenced code blocks of a Markdown text, in order, without their fences."""
    return _CODE_BLOCK.findall(text)


@dataclass
class MessageEntry:
    """One message on screen and what is known about it."""

    widget: Widget
    role: Role
    text: str = ""  # for a reply: filled in as it streams (see ChatTab._finish)
    prompt: str = ""  # for a reply: the prompt it answers
    provider: str = ""
    model: str = ""
    usage: Usage | None = None
    first_token_seconds: float | None = None
    seconds: float | None = None
    state: str = ""
    replaced: bool = False
    node: MessageNode | None = None  # its message in the session's tree, once it has one

    def details(self) -> list[str]:
        if self.role == "user":
            return [f"Your message · {len(self.text)} characters", *self._alternatives()]
        lines = [f"Reply from {self.provider or '?'} · model {self.model or '?'}"]
        lines += self._alternatives()
        if self.usage is not None:
            lines.append(
                f"tokens: {self.usage.prompt_tokens} in · {self.usage.completion_tokens} out"
            )
        if self.first_token_seconds is not None:
            lines.append(f"first token after {self.first_token_seconds:.1f} s")
        if self.seconds is not None:
            lines.append(f"streamed for {self.seconds:.1f} s")
        if self.state and self.state != "done":
            lines.append(f"state: {self.state}")
        if self.replaced:
            lines.append("replaced by /retry (not in the context any more)")
        return lines

    def _alternatives(self) -> list[str]:
        node = self.node
        siblings = node.parent.children if node is not None and node.parent is not None else []
        if len(siblings) < 2:
            return []
        number = next(n for n, s in enumerate(siblings, start=1) if s is node)
        return [f"alternative {number} of {len(siblings)} (left/right shows the others)"]


def last_exchange(entries: Sequence[MessageEntry]) -> list[MessageEntry]:
    """What `/retry` replaces among the messages on screen: the last prompt and what came
    after it, unless already replaced (a failed turn's prompt alone, when its empty reply
    was taken off the screen). The session drops the same exchange from the context."""
    exchange: list[MessageEntry] = []
    for entry in reversed(entries):
        if entry.replaced:
            break
        exchange.append(entry)
        if entry.role == "user":
            break
    return exchange


class Transcript(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    Transcript { height: 1fr; padding: 0 1; }
    Transcript:focus > .-selected { outline-left: thick $accent; background: $accent 25%; }
    Transcript > .-replaced { opacity: 55%; }
    """
    BINDINGS = bindings(MESSAGE_KEYS)

    class Picked(Message):
        """The user asked for something to be done with the selected message."""

        def __init__(self, entry: MessageEntry, action: MessageAction) -> None:
            super().__init__()
            self.entry = entry
            self.action = action

    class SwitchBranch(Message):
        """Show another alternative of the selected message (`step` away)."""

        def __init__(self, entry: MessageEntry, step: int) -> None:
            super().__init__()
            self.entry = entry
            self.step = step

    class Leave(Message):
        """Back to the prompt, with a character typed here if any."""

        def __init__(self, character: str | None) -> None:
            super().__init__()
            self.character = character

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[MessageEntry] = []
        self.selected: MessageEntry | None = None

    def track(self, entry: MessageEntry) -> MessageEntry:
        self.entries.append(entry)
        return entry

    def forget_all(self) -> None:
        self.entries.clear()
        self.selected = None

    def mark_replaced(self) -> None:
        """The last exchange leaves the context: dim it on screen, and say so under the reply."""
        for entry in last_exchange(self._live_entries()):
            entry.replaced = True
            entry.widget.add_class("-replaced")
            if entry.role == "assistant":
                for footer in entry.widget.query(".reply-footer"):
                    if isinstance(footer, Static):
                        shown = str(footer.render())
                        footer.update(f"replaced · {shown}" if shown.strip() else "replaced")

    def entry_for(self, widget: Widget) -> MessageEntry | None:
        return next((e for e in self.entries if e.widget is widget), None)

    def live_entries(self) -> list[MessageEntry]:
        """The tracked messages on screen, in order."""
        return self._live_entries()

    def _live_entries(self) -> list[MessageEntry]:
        return [e for e in self.entries if e.widget.parent is self]

    def select(self, entry: MessageEntry | None) -> None:
        if self.selected is not None:
            self.selected.widget.remove_class("-selected")
        self.selected = entry
        if entry is not None:
            entry.widget.add_class("-selected")
            self.scroll_to_widget(entry.widget, animate=False, top=True)

    def select_step(self, step: int) -> None:
        """Select the message `step` away from the selected one (from the end when none)."""
        entries = self._live_entries()
        if not entries:
            return
        if self.selected not in entries:
            self.select(entries[-1])
            return
        assert self.selected is not None
        index = entries.index(self.selected) + step
        self.select(entries[max(0, min(index, len(entries) - 1))])

    def on_focus(self) -> None:
        if self.selected is None or self.selected.widget.parent is not self:
            self.select_step(-1)

    # --- the bindings (keys in llxprt_tui/keys.py) ------------------------------------------

    def action_move(self, step: int) -> None:
        self.select_step(step)

    def action_move_to_end(self, last: bool) -> None:
        entries = self._live_entries()
        if entries:
            self.select(entries[-1] if last else entries[0])

    def _pick(self, action: MessageAction) -> None:
        if self.selected is not None:
            self.post_message(self.Picked(self.selected, action))

    def action_copy_message(self) -> None:
        self._pick("copy")

    def action_copy_code(self) -> None:
        self._pick("code")

    def action_resend(self) -> None:
        self._pick("resend")

    def action_details(self) -> None:
        self._pick("details")

    def action_edit(self) -> None:
        self._pick("edit")

    def action_branch(self, step: int) -> None:
        if self.selected is not None:
            self.post_message(self.SwitchBranch(self.selected, step))

    def action_leave(self) -> None:
        self.post_message(self.Leave(None))

    def on_key(self, event: events.Key) -> None:
        # Typing here goes to the prompt, never into the void.
        if event.is_printable and event.character and event.key not in self._bound_keys():
            event.stop()
            event.prevent_default()
            self.post_message(self.Leave(event.character))

    def _bound_keys(self) -> set[str]:
        return set(self.app.active_bindings)
