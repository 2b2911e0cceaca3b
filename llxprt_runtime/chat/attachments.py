"""Files attached to a prompt (/attach, @path): read as hostile input, made into blocks.

An image (PNG, JPEG, GIF, WebP, known by its first bytes, never by its name) becomes a
MediaBlock, which each provider sends in its own wire format; a UTF-8 text file becomes
fenced text under its name. Anything else is refused with a sentence saying why. Only a
regular file is read (a FIFO or device never hangs us), at most the limit plus one byte,
in a worker thread: never on the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.file_reads import FileReadError, read_bounded
from llxprt_runtime.providers.content import AttachedFile, MediaBlock, TextBlock

IMAGE_LIMIT: Final = 5 * 1024 * 1024  # what Anthropic takes per image, the strictest
TEXT_LIMIT: Final = 200 * 1024

# (magic bytes at offset 0, MIME type); WebP is RIFF....WEBP, checked below.
_MAGIC: Final = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class AttachmentError(LlxprtError):
    """A file that cannot be attached; the message says which and why."""


class AttachmentNotFoundError(AttachmentError):
    """No file at that path (an `@word` in a prompt that names no file is just text)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    file: AttachedFile
    kind: Literal["image", "text"]
    block: MediaBlock | TextBlock


def image_type(data: bytes) -> str | None:
    """The MIME type of an image we send, from its magic bytes; None for anything else."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def size_text(size: int) -> str:
    """A size as a chip shows it: 12 KB, 1.4 MB (powers of 1024, as the limits)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def fenced(name: str, text: str) -> str:
    """`text` as a fenced block under its file name; the fence is longer than any run of
    backticks inside, so the file cannot close it early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text.removesuffix("\n")  # the closing fence ends the last line
    return f"\n\nFile: {name}\n{fence}\n{body}\n{fence}"


def read_attachment(path: Path) -> Attachment:
    """Blocking: the file at `path` as an Attachment; AttachmentError saying why not."""
    name = path.name or str(path)
    try:
        data = read_bounded(path, IMAGE_LIMIT).data
    except FileNotFoundError:
        raise AttachmentNotFoundError(f"Cannot attach {path}: no such file.") from None
    except FileReadError as exc:
        if exc.reason.startswith("is too large"):
            raise AttachmentError(_too_large(name)) from None
        raise AttachmentError(f"Cannot attach {path}: it {exc.reason}.") from None
    except OSError as exc:
        raise AttachmentError(f"Cannot attach {path}: {exc.strerror or exc}.") from None
    file = AttachedFile(name, len(data), str(path))
    mime = image_type(data)
    if mime is not None:
        encoded = base64.b64encode(data).decode("ascii")
        return Attachment(file, "image", MediaBlock(mime, encoded, file=file))
    if len(data) > TEXT_LIMIT:
        raise AttachmentError(_too_large(name))
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise AttachmentError(
            f"Cannot attach {name}: it is a binary file (only text files and PNG, JPEG, "
            "GIF or WebP images can be attached)."
        )
    return Attachment(file, "text", TextBlock(fenced(name, text), file=file))


async def load_attachment(path: Path) -> Attachment:
    """read_attachment in a worker thread."""
    return await asyncio.to_thread(lambda: read_attachment(path.expanduser()))


def _too_large(name: str) -> str:
    return (
        f"Cannot attach {name}: it is too large (images up to {size_text(IMAGE_LIMIT)}, "
        f"text files up to {size_text(TEXT_LIMIT)})."
    )
