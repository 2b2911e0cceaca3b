"""A conversation as a document: Markdown for people, IContent JSON for programs.

With an `ExportHeader` (what `/export` passes) the Markdown opens with the date, provider
and model, and the JSON carries them too. `export_conversation()` writes a document and
never destroys a file: it refuses a symbolic link, never replaces an existing file (it
picks the next free numbered name), and never creates folders.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from llxprt_runtime.atomic import write_new_text
from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.providers.content import IContent
from llxprt_runtime.store.codec import content_to_json

ExportFormat = Literal["md", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("md", "json")
_HEADINGS = {"human": "You", "ai": "Assistant", "tool": "Tool"}
MAX_NUMBERED_NAMES = 1000


@dataclass(frozen=True, slots=True)
class ExportHeader:
    provider: str | None
    model: str | None
    exported_at: datetime  # timezone-aware


def conversation_markdown(
    title: str, contents: Sequence[IContent], header: ExportHeader | None = None
) -> str:
    lines = [f"# {title or 'Conversation'}", ""]
    if header is not None:
        when = header.exported_at.strftime("%Y-%m-%d %H:%M %Z")
        provider, model = header.provider or "none", header.model or "default"
        lines += [f"Exported {when} · provider: {provider} · model: {model}", ""]
    for content in contents:
        lines += [f"## {_HEADINGS[content.speaker]}", "", content.text(), ""]
    return "\n".join(lines)


def conversation_json(
    title: str,
    contents: Sequence[IContent],
    system_prompt: str | None = None,
    header: ExportHeader | None = None,
) -> str:
    payload: dict[str, Any] = {"title": title, "systemPrompt": system_prompt}
    if header is not None:
        payload |= {
            "exportedAt": header.exported_at.isoformat(),
            "provider": header.provider,
            "model": header.model,
        }
    payload["messages"] = [content_to_json(content) for content in contents]
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _numbered(path: Path, number: int) -> Path:
    return path.with_name(f"{path.stem}-{number}{path.suffix}")


def export_conversation(path: Path, text: str) -> Path:
    """Write `text` to `path`, or to `NAME-2.ext`, `NAME-3.ext`… when `path` exists; the
    path written. Raises LlxprtError for a symbolic link, a missing folder or a write error."""
    if path.is_symlink():
        raise LlxprtError(
            f"Could not export to {path}: it is a symbolic link, and llxprt does not write "
            "through links. Choose another name."
        )
    if not path.parent.is_dir():
        raise LlxprtError(
            f"Could not export to {path}: the folder {path.parent} does not exist "
            "(llxprt does not create folders; create it first)."
        )
    candidate = path
    for number in range(2, MAX_NUMBERED_NAMES + 2):
        try:
            write_new_text(candidate, text)
        except FileExistsError:
            candidate = _numbered(path, number)
        except OSError as exc:
            raise LlxprtError(f"Could not export to {candidate}: {exc.strerror or exc}") from None
        else:
            return candidate
    raise LlxprtError(f"Could not export to {path}: {MAX_NUMBERED_NAMES} numbered names taken.")
