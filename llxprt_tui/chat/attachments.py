"""The files a tab will send with its next prompt (/attach PATH, @path in the prompt), and
the chips that show them on a prompt. Files are read by the runtime
(llxprt_runtime/chat/attachments.py: regular files only, bounded, in a worker thread)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from llxprt_runtime.api import (
    AttachmentError,
    AttachmentNotFoundError,
    load_attachment,
    size_text,
)

if TYPE_CHECKING:
    from llxprt_runtime.api import Attachment
    from llxprt_runtime.providers.content import AttachedFile, IContent

MAX_ATTACHMENTS: Final = 10

# `@path` at the start of the prompt or after whitespace (an e-mail address is not one).
_AT_PATH: Final = re.compile(r"(?:^|(?<=\s))@(\S+)")


def chip(file: AttachedFile) -> str:
    """How an attached file shows on its prompt: 📎 name.png 12 KB."""
    return f"📎 {file.name} {size_text(file.size)}"


def chips_of(content: IContent) -> list[str]:
    return [chip(file) for file in content.attached()]


def at_paths(text: str) -> list[str]:
    """The `@path` words of a prompt, in order."""
    return [match.group(1) for match in _AT_PATH.finditer(text)]


class PendingAttachments:
    """The files attached to a tab's next prompt, in order; taken when it is sent."""

    def __init__(self) -> None:
        self._files: list[Attachment] = []

    def __len__(self) -> int:
        return len(self._files)

    async def add(self, path: str) -> Attachment:
        """Read `path` and keep it for the next prompt; AttachmentError says why not."""
        if len(self._files) >= MAX_ATTACHMENTS:
            raise AttachmentError(f"At most {MAX_ATTACHMENTS} files go with one prompt.")
        attachment = await load_attachment(Path(path))
        self._files.append(attachment)
        return attachment

    def clear(self) -> int:
        count = len(self._files)
        self._files.clear()
        return count

    def lines(self) -> list[str]:
        """What /attach alone says."""
        if not self._files:
            return ["No files attached to the next prompt (/attach PATH adds one)."]
        return [
            "Attached to the next prompt (/attach clear removes them):",
            *(f"  {chip(a.file)}" for a in self._files),
        ]

    def pending(self) -> list[Attachment]:
        return list(self._files)

    def take(self) -> list[Attachment]:
        taken, self._files = self._files, []
        return taken


async def prompt_attachments(text: str, pending: Sequence[Attachment]) -> list[Attachment]:
    """`pending` plus the files the prompt names as `@path` (a word naming no file is just
    text); AttachmentError for a named file that cannot be attached."""
    found = list(pending)
    for word in at_paths(text):
        path = Path(word)
        try:
            found.append(await load_attachment(path))
        except AttachmentNotFoundError:
            continue
        if len(found) > MAX_ATTACHMENTS:
            raise AttachmentError(f"At most {MAX_ATTACHMENTS} files go with one prompt.")
    return found
