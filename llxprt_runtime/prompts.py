"""The core system prompt, built from explicit arguments only (REQ-SP-004: no settings reads)."""

from __future__ import annotations

from llxprt_runtime.providers.catalog import BUILTIN_PROVIDERS

_CORE_PROMPT = """\
You are a helpful assistant talking to a user in llxprt, a terminal chat client.
The user reads your replies in a terminal that renders Markdown: use headings, lists and
fenced code blocks with a language tag where they help, and keep lines readable.
Be direct and accurate. When you are unsure, say so instead of guessing."""


def get_core_system_prompt(provider: str, model: str, additional_prompt: str | None = None) -> str:
    """The system prompt for `provider`/`model`, with `additional_prompt` appended.

    Depends on its arguments only, so two runtimes never influence each other's prompt.
    """
    parts = [_CORE_PROMPT, f"You are running as model '{model}' via provider '{provider}'."]
    info = BUILTIN_PROVIDERS.get(provider)
    note = info.prompt_note if info is not None else ""
    if note:
        parts.append(note)
    if additional_prompt and additional_prompt.strip():
        parts.append(additional_prompt.strip())
    return "\n\n".join(parts)
