"""/compare: a compare tab whose columns are each a runtime of their own, set up as a fork's
is (a copy of this tab's runtime, llxprt_runtime/chat/fork.py) and then switched to the
column's provider and model, or loaded from a saved profile; and "Continue with this one",
which turns a column's conversation into a normal tab (a fork of the column's session)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from llxprt_runtime.api import (
    activate_isolated_runtime_context,
    copy_runtime,
    dispose_runtime,
    list_saved_profiles,
    load_profile_by_name,
)
from llxprt_runtime.errors import LlxprtError

if TYPE_CHECKING:
    from llxprt_runtime.api import RuntimeServices
    from llxprt_tui.app import LlxprtApp
    from llxprt_tui.chat.compare_column import CompareColumn
    from llxprt_tui.chat.tab import ChatTab

MAX_COLUMNS: Final = 4  # side by side, each still wide enough to read at 100 columns
USAGE: Final = "/compare PROVIDER[:MODEL] PROVIDER[:MODEL] … (or profile names), 2 to 4 of them"


async def _set_up(
    source: RuntimeServices, target: RuntimeServices, entry: str, profiles: set[str]
) -> str:
    """Make `target` the column `entry` names; its title."""
    if entry in profiles:
        await load_profile_by_name(entry, runtime=target)
        title = f"{entry}: "
    else:
        provider, _, model = entry.partition(":")
        await copy_runtime(source, target, provider=provider, model=model or None)
        title = ""
    settings = target.settings_service
    provider_name = settings.active_provider or "?"
    return f"{title}{provider_name}:{target.config.get_model() or '?'}"


async def compare_tab(app: LlxprtApp, source: ChatTab, entries: list[str]) -> list[str]:
    """Open a compare tab (shown) with a column for each entry; the lines for `source`.
    Raises LlxprtError naming the entry that cannot be set up (nothing is opened then)."""
    if not 2 <= len(entries) <= MAX_COLUMNS:
        raise LlxprtError(f"Usage: {USAGE}.")
    profiles = {p.name for p in await list_saved_profiles(runtime=source.runtime)}
    columns: list[tuple[str, RuntimeServices]] = []
    try:
        for number, entry in enumerate(entries, 1):
            runtime = await activate_isolated_runtime_context(
                metadata={"origin": "tui-compare", "column": number},
                registry=app.registry,
                make_active=False,
            )
            columns.append((entry, runtime))
            try:
                title = await _set_up(source.runtime, runtime, entry, profiles)
            except LlxprtError as exc:
                raise LlxprtError(f"Cannot compare with '{entry}': {exc}") from exc
            columns[-1] = (title, runtime)
    except BaseException:
        for _, runtime in columns:
            await dispose_runtime(runtime.runtime_id, registry=app.registry)
        raise
    tab = await app.open_compare_tab(columns)
    await copy_runtime(source.runtime, await tab.ready())  # for commands typed there
    for _, runtime in columns:
        name = runtime.settings_service.active_provider
        if name:  # its SDK now, in a worker thread, as for any new tab
            app.run_worker(
                runtime.provider_manager.import_provider(name),
                exit_on_error=False,
                group="sdk-import",
            )
    await tab.notice(
        "Compare: the next prompt goes to every column at once, each on its own runtime "
        "(a copy of this tab's settings, then its provider and model). escape cancels all; "
        "shift+tab to a column, enter there: continue with that one in a normal tab."
    )
    return [f"Opened {tab.tab_name}: {', '.join(title for title, _ in columns)}."]


async def continue_column(app: LlxprtApp, column: CompareColumn) -> None:
    """ "Continue with this one": a normal tab going on from the column's conversation, on a
    copy of its runtime, its session a fork of the column's."""
    if column.state == "streaming":
        app.notify("That column is still streaming: escape cancels it.", severity="warning")
        return
    tree = column.session.tree
    at = tree.last
    tab = await app.open_tab(activate=True)
    runtime = await tab.ready()
    await copy_runtime(column.runtime, runtime)
    await tab.restore_conversation(tree.copy_path(at))
    await tab.notice(
        f"Continued from the compare column {column.title}: its conversation, on a copy of "
        "its settings (a key typed there is held in memory here too, never stored)."
    )
    await app.persistence.record_fork(tab, column.session_id, at)
    tab.changed()
    tab.focus_prompt()
