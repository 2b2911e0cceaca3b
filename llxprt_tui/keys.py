"""Every key llxprt answers to, as one table: the app's and the tab's bindings (with ids, so
`[keymap]` in tui.toml can remap them) and the keys the prompt and the conversation handle.
The bindings, /help, f1 and the README's key table are all made from it
(tests/tui/test_keys.py compares the README with it).

The first key of each row is one that tmux, xterm, GNOME Terminal and the Linux console can
all send (an ESC prefix for alt, no shift on enter); richer keys that need the kitty keyboard
protocol or a modifier-aware terminal come after it as alternatives."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from llxprt_tui.screen_table import SCREENS


@dataclass(frozen=True, slots=True)
class KeySpec:
    keys: str  # Textual key names, comma-separated: the one every terminal sends comes first
    description: str
    id: str | None = None  # a remappable binding; None: handled by a widget, shown in /help only
    action: str | None = None
    show: bool = False  # in the footer
    priority: bool = False  # before the focused widget (the prompt would take it otherwise)
    footer: str | None = None  # a short label where the footer shows it

    def binding(self) -> Binding:
        assert self.id is not None and self.action is not None
        return Binding(
            self.keys,
            self.action,
            self.footer or self.description,
            id=self.id,
            show=self.show,
            priority=self.priority,
        )


# App-wide: tabs, screens, quit.
APP_KEYS: tuple[KeySpec, ...] = (
    # Priority: the prompt (a TextArea) would otherwise take ctrl+w as "delete word".
    KeySpec("ctrl+t", "New tab", "new-tab", "new_tab", show=True, priority=True),
    KeySpec(
        "ctrl+w", "Close tab", "close-tab", "close_tab", show=True, priority=True, footer="Close"
    ),
    KeySpec("alt+right,ctrl+pagedown", "Next tab", "next-tab", "next_tab(1)", priority=True),
    KeySpec("alt+left,ctrl+pageup", "Previous tab", "previous-tab", "next_tab(-1)", priority=True),
    *(
        KeySpec(f"alt+{n}", f"Tab {n}", f"go-tab-{n}", f"go_tab({n})", priority=True)
        for n in range(1, 10)
    ),
    KeySpec(
        "escape",
        "Cancel the streaming reply",
        "cancel-stream",
        "cancel_stream",
        show=True,
        footer="Cancel",
    ),
    *(  # the screens with a key of their own: llxprt_tui/screen_table.py
        KeySpec(
            key.keys,
            key.description,
            key.id,
            f"open_screen({screen.kind!r})",
            show=key.show,
            priority=key.priority,
            footer=key.footer,
        )
        for screen in SCREENS
        if (key := screen.key) is not None
    ),
    KeySpec("f1", "Help: commands and keys", "help", "help", show=True, footer="Help"),
    KeySpec("ctrl+p", "Command palette"),  # Textual's own binding
    KeySpec("ctrl+q", "Quit", "quit", "quit", show=True, priority=True),
)

# The tab: the conversation from the prompt, and moving into it.
TAB_KEYS: tuple[KeySpec, ...] = (
    KeySpec("pageup", "Scroll the conversation up", "scroll-up", "scroll_page(-1)", priority=True),
    KeySpec(
        "pagedown", "Scroll the conversation down", "scroll-down", "scroll_page(1)", priority=True
    ),
    KeySpec(
        "ctrl+home", "Start of the conversation", "scroll-start", "scroll_start", priority=True
    ),
    KeySpec(
        "ctrl+end",
        "End of the conversation (follows the stream again)",
        "scroll-end",
        "scroll_end",
        priority=True,
    ),
    KeySpec(
        "alt+up",
        "Select the previous message",
        "select-previous",
        "select_message(-1)",
        priority=True,
    ),
    KeySpec(
        "alt+down", "Select the next message", "select-next", "select_message(1)", priority=True
    ),
)

# The prompt's own keys (handled in PromptInput).
PROMPT_KEYS: tuple[KeySpec, ...] = (
    KeySpec("enter", "Send"),
    KeySpec("ctrl+j,shift+enter", "New line"),
    KeySpec("up,down", "Prompt history (on the first / last line)"),
    KeySpec("tab", "Complete a command or argument; again for the next match"),
    KeySpec("shift+tab", "Go to the conversation (the last message selected)"),
)

# With the conversation focused (a message selected). Any other key goes to the prompt.
MESSAGE_KEYS: tuple[KeySpec, ...] = (
    KeySpec("up,k", "Previous message", "message-previous", "move(-1)"),
    KeySpec("down,j", "Next message", "message-next", "move(1)"),
    KeySpec("home,g", "First message", "message-first", "move_to_end(False)"),
    KeySpec("end,G", "Last message", "message-last", "move_to_end(True)"),
    KeySpec("c", "Copy the selected message", "message-copy", "copy_message"),
    KeySpec("b", "Copy a code block of it (choose when several)", "message-code", "copy_code"),
    KeySpec("r", "Send it again (a reply: its prompt)", "message-resend", "resend"),
    KeySpec("i", "Details: model, tokens, time", "message-details", "details"),
    KeySpec("e", "Edit this prompt: sending it makes a new branch", "message-edit", "edit"),
    KeySpec(
        "left,h",
        "Previous alternative of this message (‹ 2/3 ›), with what followed it",
        "branch-previous",
        "branch(-1)",
    ),
    KeySpec("right,l", "Next alternative of this message", "branch-next", "branch(1)"),
    KeySpec("escape,tab", "Back to the prompt", "message-leave", "leave"),
)

# A compare tab's column, focused (shift+tab from the prompt, or a click).
COLUMN_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "enter",
        "Continue with this one: a normal tab going on from this column's conversation",
        "column-continue",
        "continue_column",
    ),
)

KEY_GROUPS: tuple[tuple[str, tuple[KeySpec, ...]], ...] = (
    ("App", APP_KEYS),
    ("Conversation", TAB_KEYS),
    ("Prompt", PROMPT_KEYS),
    ("Selected message", MESSAGE_KEYS),
    ("Compare column", COLUMN_KEYS),
)


def bindings(specs: Iterable[KeySpec]) -> list[BindingType]:
    return [spec.binding() for spec in specs if spec.id is not None and spec.action is not None]


def binding_ids() -> list[str]:
    return [spec.id for _, group in KEY_GROUPS for spec in group if spec.id is not None]


def _shown(keys: str) -> str:
    return ", ".join(keys.split(","))


def key_rows(keymap: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(where, keys, what they do) for /help, f1 and the README, with `keymap` applied."""
    keymap = keymap or {}
    rows: list[tuple[str, str, str]] = []
    for where, group in KEY_GROUPS:
        for spec in group:
            if spec.id and spec.id.startswith("go-tab-"):
                if spec.id == "go-tab-1":
                    rows.append((where, "alt+1…9", "Go to tab 1…9"))
                continue
            keys = keymap.get(spec.id, spec.keys) if spec.id else spec.keys
            rows.append((where, _shown(keys), spec.description))
    return rows


def unknown_keymap_ids(keymap: Mapping[str, str]) -> list[str]:
    valid = set(binding_ids())
    return sorted(k for k in keymap if k not in valid)


# Terminals without the kitty protocol send alt+N as ESC N. Textual maps ESC 0…9 to the
# characters macOS's option key types (a WezTerm-on-macOS quirk), so alt+1 would type "¡"
# into the prompt. Without those entries Textual reads ESC N as alt+N, as it does for
# ESC a…z; a macOS terminal that sends "¡" itself still types "¡".
_ESC_DIGITS = tuple(f"\x1b{n}" for n in "0123456789")


def read_escape_digits_as_alt() -> None:
    """Make Textual's input parser report ESC N as alt+N (idempotent, process-wide)."""
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    if isinstance(ANSI_SEQUENCES_KEYS, dict):  # a plain dict in every Textual we support
        for sequence in _ESC_DIGITS:
            ANSI_SEQUENCES_KEYS.pop(sequence, None)


def first_key(binding_id: str, keymap: Mapping[str, str] | None = None) -> str:
    """The key a message should name for a binding: its first key, after `keymap`."""
    spec = next(s for _, group in KEY_GROUPS for s in group if s.id == binding_id)
    keys = (keymap or {}).get(binding_id, spec.keys)
    return keys.split(",")[0].strip()
