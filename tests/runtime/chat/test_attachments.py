"""Attached files (/attach, @path): read as hostile input, and each provider's wire format
for an attached image and text file, as the loopback server received it."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from llxprt_runtime.chat.attachments import (
    IMAGE_LIMIT,
    TEXT_LIMIT,
    AttachmentError,
    AttachmentNotFoundError,
    fenced,
    image_type,
    read_attachment,
)
from llxprt_runtime.chat.events import Failed
from llxprt_runtime.chat.session import ChatSession
from llxprt_runtime.providers.content import AttachedFile, IContent, MediaBlock, TextBlock
from llxprt_runtime.store.codec import (
    STORED_IMAGE_LIMIT,
    blocks_from_json,
    blocks_to_json,
    unstored_image_text,
)
from tests.conftest import Dirs
from tests.providers.conftest import runtime_for
from tests.wire.server import WireServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))
PNG64 = base64.b64encode(PNG).decode()


def test_images_are_known_by_their_bytes_not_their_names(tmp_path: Path) -> None:
    assert image_type(PNG) == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert image_type(b"GIF89a...") == "image/gif"
    assert image_type(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"hello") is None
    disguised = tmp_path / "notes.txt"
    disguised.write_bytes(PNG)
    read = read_attachment(disguised)
    assert read.kind == "image"
    assert read.block == MediaBlock(
        "image/png", PNG64, file=AttachedFile("notes.txt", len(PNG), str(disguised))
    )
    fake = tmp_path / "fake.png"
    fake.write_text("not an image at all\n")
    assert read_attachment(fake).kind == "text"


def test_a_text_file_goes_fenced_under_its_name(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text("step 1\n```py\nx = 1\n```\n")
    read = read_attachment(path)
    assert isinstance(read.block, TextBlock)
    # The fence is longer than the file's own, so the file cannot close it.
    assert read.block.text == "\n\nFile: plan.md\n````\nstep 1\n```py\nx = 1\n```\n````"
    assert read.block.file == AttachedFile("plan.md", path.stat().st_size, str(path))
    assert fenced("a", "b") == "\n\nFile: a\n```\nb\n```"


def test_refusals_say_why(tmp_path: Path) -> None:
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02\xff" * 10)
    with pytest.raises(AttachmentError, match=r"blob.bin: it is a binary file"):
        read_attachment(binary)
    big_text = tmp_path / "big.log"
    big_text.write_text("a" * (TEXT_LIMIT + 1))
    with pytest.raises(AttachmentError, match=r"too large \(images up to 5.0 MB, text files"):
        read_attachment(big_text)
    big_image = tmp_path / "big.png"
    big_image.write_bytes(PNG + b"\x00" * IMAGE_LIMIT)
    with pytest.raises(AttachmentError, match=r"big\.png: it is too large"):
        read_attachment(big_image)
    with pytest.raises(AttachmentNotFoundError, match="no such file"):
        read_attachment(tmp_path / "missing.txt")
    with pytest.raises(AttachmentError, match=r"not a regular file \(a directory\)"):
        read_attachment(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # a FIFO with no writer would hang a plain open
    with pytest.raises(AttachmentError, match=r"not a regular file \(a FIFO or pipe\)"):
        read_attachment(fifo)


def _image_and_text(tmp_path: Path) -> list[MediaBlock | TextBlock]:
    (tmp_path / "cat.png").write_bytes(PNG)
    (tmp_path / "a.txt").write_text("alpha\n")
    return [read_attachment(tmp_path / n).block for n in ("cat.png", "a.txt")]


TEXT = "\n\nFile: a.txt\n```\nalpha\n```"
SENT = {
    "openai": lambda body: body["messages"][-1],
    "openai-responses": lambda body: body["input"][-1],
    "anthropic": lambda body: body["messages"][-1],
    "gemini": lambda body: body["contents"][-1],
}
EXPECTED = {
    "openai": {
        "role": "user",
        "content": [
            {"type": "text", "text": "what is it?" + TEXT},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG64}"}},
        ],
    },
    "openai-responses": {
        "role": "user",
        "content": [
            {"type": "input_text", "text": "what is it?"},
            {
                "type": "input_image",
                "image_url": f"data:image/png;base64,{PNG64}",
                "detail": "auto",
            },
            {"type": "input_text", "text": TEXT},
        ],
    },
    "anthropic": {
        "role": "user",
        "content": [
            {"type": "text", "text": "what is it?"},
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": PNG64},
            },
            {"type": "text", "text": TEXT},
        ],
    },
    "gemini": {
        "role": "user",
        "parts": [
            {"text": "what is it?"},
            # google-genai's own spelling on the wire (the API takes either case).
            {"inlineData": {"mime_type": "image/png", "data": PNG64}},
            {"text": TEXT},
        ],
    },
}


@pytest.mark.parametrize("provider", list(EXPECTED))
async def test_each_provider_sends_an_attached_image_and_text_file_in_its_format(
    provider: str, wire: WireServer, tmp_path: Path
) -> None:
    session = ChatSession(await runtime_for(provider, wire))
    blocks = _image_and_text(tmp_path)
    [event async for event in session.send("what is it?", blocks)]
    body = wire.chat_requests()[-1].body
    assert SENT[provider](body) == EXPECTED[provider]


async def test_a_provider_that_takes_no_images_says_so_and_sends_nothing(
    dirs: Dirs, wire: WireServer, tmp_path: Path
) -> None:
    from tests.providers.test_user_providers import entry, write_providers

    text = entry("textonly", "openai", f"{wire.url}/v1") + "images = false\n"
    write_providers(dirs, text)
    runtime = await runtime_for("textonly", wire, key="sk-t")
    session = ChatSession(runtime)
    events = [e async for e in session.send("what is it?", _image_and_text(tmp_path))]
    assert isinstance(events[-1], Failed)
    assert "takes no images, and this conversation has one" in str(events[-1].error)
    assert wire.chat_requests() == []
    assert list(session.history) == []  # the prompt is given back, as for any early failure


def test_stored_attachments_keep_their_names_and_a_large_image_only_its_reference(
    tmp_path: Path,
) -> None:
    small = MediaBlock("image/png", PNG64, file=AttachedFile("cat.png", len(PNG), "/x/cat.png"))
    text = TextBlock(fenced("a.txt", "alpha"), file=AttachedFile("a.txt", 6, "/x/a.txt"))
    big_file = AttachedFile("huge.png", STORED_IMAGE_LIMIT + 1, "/x/huge.png")
    big = MediaBlock("image/png", "QUJD" * 10, file=big_file)
    stored = blocks_to_json([TextBlock("look"), small, text, big])
    assert stored[3] == {
        "type": "media",
        "mimeType": "image/png",
        "file": {"name": "huge.png", "size": STORED_IMAGE_LIMIT + 1, "path": "/x/huge.png"},
        "encoding": "reference",
    }
    restored = blocks_from_json(json.loads(json.dumps(stored)))
    assert restored[:3] == (TextBlock("look"), small, text)
    # The model is told the image is missing; the chip still shows it.
    assert restored[3] == TextBlock(unstored_image_text(big_file), file=big_file)
    content = IContent("human", restored)
    assert content.prompt_text() == "look"
    assert [f.name for f in content.attached()] == ["cat.png", "a.txt", "huge.png"]
