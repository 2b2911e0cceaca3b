"""The status line of the active tab: provider, model, profile, key source, base URL (when
not the default) — or, on a load balancer, its name, policy and the member that served the
last reply — tokens used in this tab, and whether a reply is streaming."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from llxprt_runtime.urls import display_url
from llxprt_tui.plain_text import plain

if TYPE_CHECKING:
    from llxprt_runtime.providers.load_balancer import LoadBalancer
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
    runtime = tab.runtime
    settings = runtime.settings_service
    provider = settings.active_provider
    if not provider:
        return "no provider · /provider NAME to choose one · /help"
    balancer = runtime.provider_manager.active_load_balancer()
    parts = status_parts(balancer) if balancer is not None else _provider_parts(tab, provider)
    usage = tab.session.usage
    parts.append(f"tokens ↑{usage.prompt_tokens} ↓{usage.completion_tokens}")
    parts.append("streaming… (esc cancels)" if tab.streaming else "ready")
    return " · ".join(parts)


def status_parts(balancer: LoadBalancer) -> list[str]:
    """What the status line says on a load balancer instead of provider, model and key."""
    served = balancer.last_served
    last = f"last reply: {served.name} ({served.provider} {served.model})" if served else ""
    return [f"lb: {balancer.name} ({balancer.policy})", last or "no reply yet"]


def _provider_parts(tab: ChatTab, provider: str) -> list[str]:
    runtime = tab.runtime
    settings = runtime.settings_service
    info = runtime.provider_manager.get_provider_info(provider)
    parts = [provider, runtime.config.get_model() or info.default_model]
    profile = settings.current_profile_name
    parts.append(f"profile: {profile}" if profile else "no profile")
    parts.append(f"key: {runtime.auth.describe(provider, info.env_key_names)}")
    base_url = settings.get_provider_setting(provider, "base-url") or settings.get("base-url")
    if isinstance(base_url, str) and base_url.rstrip("/") != info.default_base_url:
        parts.append(display_url(base_url))
    return parts
