"""/fork: a new tab whose conversation branches from this one at the selected message (or
the last), on a copy of this tab's runtime (settings and key source; a typed key in memory
only), optionally on another provider and model. Its session records where it came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llxprt_runtime.api import copy_runtime
from llxprt_runtime.errors import LlxprtError

if TYPE_CHECKING:
    from llxprt_runtime.api import MessageNode
    from llxprt_tui.app import LlxprtApp
    from llxprt_tui.chat.tab import ChatTab


def fork_point(tab: ChatTab) -> MessageNode | None:
    """The selected message when one of the transcript is selected, else the last one."""
    selected = tab.transcript.selected
    if selected is not None and selected.node is not None:
        if any(entry is selected for entry in tab.transcript.live_entries()):
            return selected.node
    return tab.session.tree.last


async def fork_tab(
    app: LlxprtApp, source: ChatTab, provider: str | None, model: str | None
) -> list[str]:
    """Open the fork (shown) and say there what it is; the lines for the source tab."""
    session = source.session
    if session.streaming:
        raise LlxprtError("A reply is still streaming: escape cancels it first.")
    at = fork_point(source)
    # Forking at a prompt asks it again there: the history up to it, its text in the prompt.
    asks = at is not None and at.content.speaker == "human"
    upto = session.tree.parent_of(at) if at is not None and asks else at
    tree = session.tree.copy_path(upto)
    tab = await app.open_tab(activate=True)
    runtime = await tab.ready()
    try:
        lines = await copy_runtime(source.runtime, runtime, provider=provider, model=model)
    except LlxprtError as exc:
        lines = [f"Could not switch the fork: {exc}"]
        await tab.error(lines[0])
    tab.system_prompt = source.system_prompt
    await tab.restore_conversation(tree)
    active = runtime.settings_service.active_provider
    if active:
        app.run_worker(  # its SDK now, in a worker thread, as for any new tab
            runtime.provider_manager.import_provider(active),
            exit_on_error=False,
            group="sdk-import",
        )
    count = len(session.tree.path(at)) if at is not None else 0
    where = f"at its message {count}" if count else "(no messages yet)"
    said = f"Forked from {source.tab_name} {where}: the conversation up to there, on a copy of"
    said += " its settings (a key typed there is held in memory here too, never stored)."
    await tab.notice(said, *lines)
    if asks and at is not None:
        tab.prompt.load_text(at.content.prompt_text())
    await app.persistence.record_fork(tab, source.session_id, at)
    tab.changed()
    return [f"Forked into {tab.tab_name}."]
