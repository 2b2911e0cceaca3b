"""The status line of the active tab: provider, model, profile, key source, base URL (when
not the default) — or, on a load balancer, its name, policy and the member that served the
last reply — tokens used in this tab, and whether a reply is streaming."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from llxprt_runtime import api
from llxprt_tui.plain_text import plain

if TYPE_CHECKING:
    from llxprt_runtime.api import BalancerSummary, RuntimeSummary
    from llxprt_tui.chat.tab import ChatTab


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def show(self, tab: ChatTab | None) -> None:
        self.update(plain(describe(tab)) if tab is not None else "")


def describe(tab: ChatTab) -> str:
    if not tab.has_runtime:
        return "starting…"
    summary = api.describe(tab.runtime)
    if summary.provider is None:
        return "no provider · /provider NAME to choose one · /help"
    balancer = summary.balancer
    parts = status_parts(balancer) if balancer is not None else _provider_parts(summary)
    usage = tab.session.usage
    parts.append(f"tokens ↑{usage.prompt_tokens} ↓{usage.completion_tokens}")
    parts.append("streaming… (esc cancels)" if tab.streaming else "ready")
    return " · ".join(parts)


def status_parts(balancer: BalancerSummary) -> list[str]:
    """What the status line says on a load balancer instead of provider, model and key."""
    last = f"last reply: {balancer.last_member}" if balancer.last_member else "no reply yet"
    return [f"lb: {balancer.name} ({balancer.policy})", last]


def _provider_parts(summary: RuntimeSummary) -> list[str]:
    parts = [summary.provider or "", summary.model or ""]
    parts.append(f"profile: {summary.profile}" if summary.profile else "no profile")
    parts.append(f"key: {summary.key_source}")
    if summary.endpoint and not summary.endpoint_is_default:
        parts.append(summary.endpoint)
    return parts
