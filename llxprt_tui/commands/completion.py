"""What tab completes in the prompt: command names, then their arguments (sub-commands,
providers, models, profiles, themes, setting keys with type and allowed values, key names,
file paths). Each candidate is the whole new prompt line plus a one-line description.

Sources that need I/O (profiles, keyring names, a model listing, a directory) are behind
the async CompletionSources of the tab, so nothing here blocks the event loop."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llxprt_tui.chat.host import Candidate, CompletionSources
from llxprt_tui.commands.spec import COMMANDS, COMMANDS_BY_NAME, is_command

if TYPE_CHECKING:
    from llxprt_runtime.api import SettingSpec

MAX_CANDIDATES = 200
MAX_DIRECTORY_ENTRIES = 2000  # a huge directory is listed this far, never wholly
_AT_WORD = re.compile(r"(?:^|(?<=\s))@(\S*)$")  # the `@path` being typed, at the end


SUBCOMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "profile": (
        ("save", "Save this tab as a profile (asks before replacing one)"),
        ("load", "Load a profile into this tab"),
        ("delete", "Delete a saved profile"),
        ("list", "Open the profiles screen"),
        ("set-default", "Show, set or clear (none) the default profile"),
    ),
    "key": (
        ("save", "Save a key in the OS keyring under a name"),
        ("load", "Use a saved key in this tab"),
        ("delete", "Delete a saved key from the OS keyring"),
        ("list", "List saved key names"),
        ("none", "Stop using a key typed in this tab"),
    ),
    "set": (
        ("unset", "Clear a setting"),
        ("modelparam", "Set a model parameter (temperature, max_tokens, …)"),
    ),
}


def _quote(value: str) -> str:
    return value if value and not any(c.isspace() or c in "'\"\\" for c in value) else repr(value)


def setting_help(spec: SettingSpec) -> str:
    """A setting's type, allowed values and description, on one line."""
    # The settings registry is imported when completing, not with the app (its first frame).
    from llxprt_runtime.api import SettingType

    kind = spec.type.value
    if spec.enum_values:
        kind = " | ".join(spec.enum_values)
    elif spec.type is SettingType.BOOLEAN:
        kind = "true | false"
    elif spec.minimum is not None or spec.maximum is not None:
        low = "" if spec.minimum is None else f"{spec.minimum:g}"
        high = "" if spec.maximum is None else f"{spec.maximum:g}"
        kind = f"{kind} {low}…{high}"
    return f"{kind} · {spec.description}"


def _matching(prefix: str, values: Sequence[tuple[str, str]], head: str) -> list[Candidate]:
    needle = prefix.lower()
    return [
        Candidate(f"{head}{_quote(value)} ", value, about)
        for value, about in values
        if value.lower().startswith(needle)
    ][:MAX_CANDIDATES]


async def complete(text: str, sources: CompletionSources) -> list[Candidate]:
    """Every completion of `text` (a prompt line), best first; [] when there is none."""
    at = _AT_WORD.search(text)
    if at is not None and not is_command(text):
        # `@path`: the file goes with the prompt (llxprt_tui/chat/attachments.py).
        return await _paths(at.group(1), text[: at.start(1)])
    if not is_command(text) or "\n" in text:
        return []
    name, space, rest = text[1:].partition(" ")
    if not space:
        return [
            Candidate(f"/{spec.name} ", f"/{spec.name}", spec.help)
            for spec in sorted(COMMANDS, key=lambda c: c.name)
            if spec.name.startswith(name.lower())
        ]
    name = name.lower()
    if name not in COMMANDS_BY_NAME:
        return []
    words = rest.split(" ")
    done, last = words[:-1], words[-1]
    head = f"/{name} " + "".join(f"{w} " for w in done)
    done = [w for w in done if w]
    return await _arguments(name, done, last, head, sources)


async def _arguments(
    name: str, done: list[str], last: str, head: str, sources: CompletionSources
) -> list[Candidate]:
    first = done[0].lower() if done else None
    if name == "provider" and not done:
        return _matching(last, sources.providers(), head)
    if name == "model" and not done:
        return _matching(last, [(m, "") for m in await sources.models()], head)
    if name == "theme" and not done:
        themes = sorted(sources.themes(), key=lambda t: t[1].lower())
        needle = last.lower()
        return [
            Candidate(f"{head}{theme_id} ", display, theme_id)
            for theme_id, display in themes
            if theme_id.lower().startswith(needle) or display.lower().startswith(needle)
        ]
    if name in SUBCOMMANDS and not done:
        found = _matching(last, SUBCOMMANDS[name], head)
        if name == "set":
            found += _setting_keys(last, head)
        return found
    if name == "profile" and first in ("load", "delete", "set-default", "save") and len(done) == 1:
        names = [(p, "saved profile") for p in await sources.profiles()]
        if first == "set-default":
            names.append(("none", "clear the default"))
        return _matching(last, names, head)
    if name == "key" and first in ("load", "delete") and len(done) == 1:
        return _matching(last, [(k, "saved key") for k in await sources.key_names()], head)
    if name == "set" and first == "unset" and len(done) == 1:
        return _setting_keys(last, head)
    if name == "set" and len(done) == 1 and first not in ("unset", "modelparam"):
        return _setting_values(done[0], last, head)
    if name in ("keyfile", "export", "attach") and not done:
        return await _paths(last, head)
    return []


def _setting_keys(prefix: str, head: str) -> list[Candidate]:
    from llxprt_runtime.api import setting_specs

    needle = prefix.lower()
    return [
        Candidate(f"{head}{spec.key} ", spec.key, setting_help(spec))
        for spec in setting_specs()
        if spec.key.lower().startswith(needle)
    ]


def _setting_values(key: str, prefix: str, head: str) -> list[Candidate]:
    from llxprt_runtime.api import SettingType, setting_specs

    spec = next((s for s in setting_specs() if s.key == key), None)
    if spec is None:
        return []
    values = list(spec.enum_values)
    if spec.type is SettingType.BOOLEAN:
        values = ["true", "false"]
    return _matching(prefix, [(v, spec.description) for v in values], head)


async def _paths(prefix: str, head: str) -> list[Candidate]:
    import asyncio

    return await asyncio.to_thread(_list_paths, prefix, head)


def _list_paths(prefix: str, head: str) -> list[Candidate]:
    typed_dir, _, stem = prefix.rpartition("/")
    shown_dir = f"{typed_dir}/" if typed_dir or prefix.startswith("/") else ""
    directory = Path(shown_dir or ".").expanduser()
    found: list[tuple[str, bool]] = []
    try:
        with os.scandir(directory) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_DIRECTORY_ENTRIES:
                    break
                if entry.name.startswith(stem) and (stem.startswith(".") or entry.name[0] != "."):
                    found.append((entry.name, entry.is_dir(follow_symlinks=True)))
    except OSError:
        return []
    found.sort(key=lambda item: (not item[1], item[0].lower()))
    return [
        Candidate(
            f"{head}{shown_dir}{entry}/" if is_dir else f"{head}{shown_dir}{entry} ",
            f"{entry}/" if is_dir else entry,
            "directory" if is_dir else "file",
        )
        for entry, is_dir in found[:MAX_CANDIDATES]
    ]
