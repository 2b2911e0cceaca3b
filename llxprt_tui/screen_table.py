"""The screens a key, a command or the command palette opens, as one table.

The openers (by import path: screens are imported when first opened), the palette entries
(app.py) and the key bindings (keys.py) are all made from it; `/provider`, `/model`,
`/profile` and `/theme` with no argument open the screen of that kind. A new screen is one
row here plus its opener function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: A row's `kind`: what `open_screen(kind)` and the `open_screen('kind')` action take.
ScreenKind = str


@dataclass(frozen=True, slots=True)
class ScreenKey:
    """The key binding that opens a screen (a row of keys.APP_KEYS, remappable by `id`)."""

    keys: str
    id: str
    description: str
    show: bool = False
    priority: bool = False
    footer: str | None = None


@dataclass(frozen=True, slots=True)
class ScreenSpec:
    kind: ScreenKind
    #: "module:function" taking (app, tab): opens the screen for that tab.
    opener: str
    #: (label, help) in the command palette; None: not listed there.
    palette: tuple[str, str] | None = None
    key: ScreenKey | None = None


_OPENERS = "llxprt_tui.screens.openers"

SCREENS: Final[tuple[ScreenSpec, ...]] = (
    ScreenSpec(
        "provider",
        f"{_OPENERS}:open_provider_picker",
        ("Choose provider", "Provider picker (ctrl+o)"),
        # Priority: the prompt would otherwise take ctrl+o.
        ScreenKey(
            "ctrl+o",
            "pick-provider",
            "Provider picker",
            show=True,
            priority=True,
            footer="Provider",
        ),
    ),
    ScreenSpec("model", f"{_OPENERS}:open_model_picker", ("Choose model", "Model picker")),
    ScreenSpec(
        "key",
        f"{_OPENERS}:open_key_entry",
        ("Enter API key", "Key entry (f2)"),
        ScreenKey("f2", "enter-key", "Enter an API key", show=True, footer="Key"),
    ),
    ScreenSpec(
        "profiles",
        f"{_OPENERS}:open_profiles_screen",
        ("Manage profiles", "Profiles screen"),
        ScreenKey("f3,ctrl+shift+p", "profiles", "Profiles screen"),
    ),
    ScreenSpec("profile", f"{_OPENERS}:open_profile_picker", ("Load profile", "Profile picker")),
    ScreenSpec(
        "sessions",
        f"{_OPENERS}:open_sessions_screen",
        ("Sessions", "Stored conversations (f4)"),
        ScreenKey("f4", "sessions", "Sessions: stored conversations"),
    ),
    ScreenSpec(
        "search",
        f"{_OPENERS}:open_search_screen",
        ("Search", "Search every conversation (f5)"),
        ScreenKey("f5", "search", "Search every conversation"),
    ),
    # Textual's own "Change theme" palette entry opens it (App.action_change_theme).
    ScreenSpec("theme", f"{_OPENERS}:open_theme_picker"),
)
SCREENS_BY_KIND: Final = {spec.kind: spec for spec in SCREENS}
