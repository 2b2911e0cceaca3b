"""Saving a profile from the app (`/profile save NAME`, the profile screen's s and o).

Profiles never hold a key. When the tab's key came from a profile file in plain text,
saving first offers to move it into the OS keyring under a name (the profile then refers
to it); esc saves without it, and the result says it was left out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App

from llxprt_runtime import api
from llxprt_runtime.api import RuntimeServices
from llxprt_runtime.errors import LlxprtError
from llxprt_tui.screens.name_prompt import NamePromptScreen

KEY_QUESTION = (
    "This tab's API key came from a profile file in plain text, and a profile never holds "
    "a key. Move it into the OS keyring under the name (esc: save the profile without it):"
)


Outcome = Callable[[str, bool], Awaitable[None]]  # (message, is_error)


async def save_profile_offering_keyring(
    app: App[Any], runtime: RuntimeServices, name: str, report: Outcome
) -> None:
    """Save `runtime` as profile `name`, asking first where an inline key should go; the
    outcome goes to `report` (now, or once the question is answered)."""

    async def save(key_name: str | None) -> None:
        try:
            result = await api.save_profile_snapshot(name, key_name=key_name, runtime=runtime)
        except LlxprtError as exc:
            await report(str(exc), True)
            return
        await report(result.message, False)

    if not api.has_inline_profile_key(runtime=runtime):
        await save(None)
        return
    provider = runtime.settings_service.active_provider or ""
    app.push_screen(NamePromptScreen(KEY_QUESTION, provider), save)
