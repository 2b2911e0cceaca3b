"""Themes are data: TOML files (ours, one per theme) or llxprt-code custom theme JSON files,
read into a `Palette` and turned into `textual.theme.Theme` objects.

Built-in themes live in the top-level `themes/` folder (shipped inside the wheel as
`llxprt_tui/builtin_themes`); user themes are every `*.toml` and `*.json` file in
`<config dir>/themes/`. A broken file is reported with the file and the field at fault and
skipped; the app keeps its default theme.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

DEFAULT_THEME = "llxprt-dark"
NO_COLOR_THEME = "no-color"

# Palette fields, in the order of llxprt-code's ColorsTheme. (TOML key, llxprt-code JSON key)
COLOR_FIELDS: tuple[tuple[str, str], ...] = (
    ("background", "Background"),
    ("foreground", "Foreground"),
    ("light-blue", "LightBlue"),
    ("accent-blue", "AccentBlue"),
    ("accent-purple", "AccentPurple"),
    ("accent-cyan", "AccentCyan"),
    ("accent-green", "AccentGreen"),
    ("accent-yellow", "AccentYellow"),
    ("accent-red", "AccentRed"),
    ("comment", "Comment"),
    ("gray", "Gray"),
)
# Recommended, not required (llxprt-code warns; we derive them from the accents).
OPTIONAL_FIELDS: tuple[tuple[str, str], ...] = (
    ("diff-added", "DiffAdded"),
    ("diff-removed", "DiffRemoved"),
)

# CSS variables our widgets use on top of Textual's; every theme gets them (see
# `theme_variable_defaults` for themes that do not come from a palette).
EXTRA_VARIABLES = ("llxprt-comment", "llxprt-diff-added", "llxprt-diff-removed", "llxprt-user")


class ThemeFileError(Exception):
    """A theme file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class Palette:
    name: str
    display_name: str
    dark: bool
    ansi: bool
    colors: Mapping[str, str]  # TOML field name -> colour text
    variables: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None

    def to_theme(self) -> Theme:
        c = self.colors
        background, foreground = Color.parse(c["background"]), Color.parse(c["foreground"])

        def toward_foreground(amount: float) -> str:
            return background.blend(foreground, amount).hex

        surface = c["background"] if self.ansi else toward_foreground(0.05)
        panel = c["background"] if self.ansi else toward_foreground(0.10)
        variables = {
            "llxprt-comment": c["comment"],
            "llxprt-diff-added": c.get("diff-added") or c["accent-green"],
            "llxprt-diff-removed": c.get("diff-removed") or c["accent-red"],
            "llxprt-user": c["background"] if self.ansi else toward_foreground(0.08),
        }
        if self.ansi:  # Textual's own CSS refers to these in ANSI themes
            black, white = "ansi_black", "ansi_white"
            variables["ansi-background"] = black if self.dark else white
            variables["ansi-foreground"] = white if self.dark else black
        variables.update(self.variables)
        return Theme(
            name=self.name,
            primary=c["accent-blue"],
            secondary=c["accent-cyan"],
            accent=c["accent-purple"],
            success=c["accent-green"],
            warning=c["accent-yellow"],
            error=c["accent-red"],
            foreground=c["foreground"],
            background=c["background"],
            surface=surface,
            panel=panel,
            dark=self.dark,
            ansi=self.ansi,
            variables=variables,
        )


def theme_variable_defaults(theme: Theme) -> dict[str, str]:
    """Our extra variables for a theme that did not come from a palette (Textual's own)."""
    muted = theme.foreground or "ansi_default"
    return {
        "llxprt-comment": muted,
        "llxprt-diff-added": theme.success or muted,
        "llxprt-diff-removed": theme.error or muted,
        "llxprt-user": theme.surface or theme.background or "ansi_default",
    }


# --- reading files ------------------------------------------------------------------------


def _color(file: Path, key: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ThemeFileError(f"{file}: '{key}' must be a colour, got {value!r}")
    try:
        Color.parse(value.strip())
    except ColorParseError:
        raise ThemeFileError(f"{file}: '{key}' is not a colour: {value!r}") from None
    return value.strip()


def _colors(file: Path, table: Mapping[str, object], json_names: bool) -> dict[str, str]:
    colors: dict[str, str] = {}
    for toml_key, json_key in COLOR_FIELDS:
        key = json_key if json_names else toml_key
        if key not in table:
            raise ThemeFileError(f"{file}: missing required field '{key}'")
        colors[toml_key] = _color(file, key, table[key])
    for toml_key, json_key in OPTIONAL_FIELDS:
        key = json_key if json_names else toml_key
        if key in table:
            colors[toml_key] = _color(file, key, table[key])
    return colors


def _name(file: Path, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ThemeFileError(f"{file}: 'name' must be a non-empty string")
    return value.strip()


def _parse(file: Path, loads: Callable[[str], Any], kind: str) -> Any:
    from llxprt_runtime.api import read_text

    try:
        text = read_text(file)  # a regular file, bounded: a FIFO named x.toml cannot wedge us
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeFileError(f"{file}: cannot be read ({exc})") from None
    try:
        return loads(text)
    except ValueError as exc:  # TOMLDecodeError and JSONDecodeError both are
        raise ThemeFileError(f"{file}: not valid {kind} ({exc})") from None


def read_toml_theme(file: Path) -> Palette:
    data = _parse(file, tomllib.loads, "TOML")
    name = _name(file, data.get("name", file.stem))
    kind = data.get("type", "dark")
    if kind not in ("dark", "light"):
        raise ThemeFileError(f'{file}: \'type\' must be "dark" or "light", got {kind!r}')
    table = data.get("colors")
    if not isinstance(table, dict):
        raise ThemeFileError(f"{file}: missing the [colors] table")
    extra = data.get("variables", {})
    if not isinstance(extra, dict):
        raise ThemeFileError(f"{file}: [variables] must be a table")
    variables = {str(k): _color(file, f"variables.{k}", v) for k, v in extra.items()}
    display = data.get("display-name", name)
    return Palette(
        name=name,
        display_name=str(display),
        dark=kind == "dark",
        ansi=bool(data.get("ansi", False)),
        colors=_colors(file, table, json_names=False),
        variables=variables,
        source=file,
    )


def read_json_theme(file: Path) -> Palette:
    """An llxprt-code custom theme (`{"name": ..., "type": "custom", "Background": ...}`)."""
    data = _parse(file, json.loads, "JSON")
    if not isinstance(data, dict):
        raise ThemeFileError(f"{file}: expected a JSON object")
    display = _name(file, data.get("name"))
    slug = "-".join(display.lower().split())
    light = data.get("type") == "light" or _is_light(data.get("Background"))
    return Palette(
        name=slug,
        display_name=display,
        dark=not light,
        ansi=False,
        colors=_colors(file, data, json_names=True),
        source=file,
    )


def _is_light(background: object) -> bool:
    try:
        return isinstance(background, str) and Color.parse(background).brightness > 0.5
    except ColorParseError:
        return False


def read_theme_file(file: Path) -> Palette:
    return read_json_theme(file) if file.suffix == ".json" else read_toml_theme(file)


@dataclass(slots=True)
class ThemeCatalog:
    """The themes found, in order (built-ins first; a user theme replaces a built-in of
    the same name), and the files that could not be used."""

    palettes: dict[str, Palette] = field(default_factory=dict)
    built: dict[str, Theme] = field(default_factory=dict)  # each palette's Theme, built once
    problems: list[str] = field(default_factory=list)

    def themes(self) -> list[Theme]:
        return list(self.built.values())

    def display_name(self, name: str) -> str:
        palette = self.palettes.get(name)
        return palette.display_name if palette else name


def builtin_theme_dir() -> Path:
    """The shipped themes: inside the wheel, or the source tree's `themes/`."""
    packaged = Path(__file__).with_name("builtin_themes")
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "themes"


def theme_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".toml", ".json"))


def load_themes(directories: Iterable[Path]) -> ThemeCatalog:
    catalog = ThemeCatalog()
    for directory in directories:
        for file in theme_files(directory):
            try:
                palette = read_theme_file(file)
                theme = palette.to_theme()  # derived colours must work too
            except ThemeFileError as exc:
                catalog.problems.append(str(exc))
                continue
            catalog.palettes[palette.name] = palette
            catalog.built[palette.name] = theme
    return catalog
