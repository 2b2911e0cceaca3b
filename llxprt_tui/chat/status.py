"""The status line of the active tab: provider, model, profile, key source, base URL (when
not the default) — or, on a load balancer, its name, policy and the member that served the
last reply — the start of its /system prompt (when set), tokens used in this tab, and
whether a reply is streaming."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.widgets import Static

from llxprt_runtime import api
from llxprt_tui.plain_text import plain

if TYPE_CHECKING:
    from llxprt_runtime.api import BalancerSummary, RuntimeSummary
    from llxprt_tui.chat.tab import ChatTab


# What goes first when the line is narrower than all of it (80 columns): the base URL, the
# profile, the balancer's last member, the tokens, the key. The provider, the model and
# whether a reply is streaming always stay.
_DROP_ORDER = ("url", "profile", "last", "system", "tokens", "key")
SYSTEM_SHOWN = 24  # characters of the tab's /system prompt in the line

Part = tuple[str, str]  # (kind, text)


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts: list[Part] = []

    def show(self, tab: ChatTab | None) -> None:
        self._parts = parts(tab) if tab is not None else []
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        self.update(plain(fit(self._parts, self.content_size.width)))


def describe(tab: ChatTab) -> str:
    """The whole status line, however wide."""
    return fit(parts(tab), 0)


def fit(shown: list[Part], width: int) -> str:
    """The parts that fit in `width` cells (0: all of them), dropping in _DROP_ORDER."""
    for kind in _DROP_ORDER:
        if width <= 0 or cell_len(_joined(shown)) <= width:
            break
        shown = [part for part in shown if part[0] != kind]
    return _joined(shown)


def _joined(shown: list[Part]) -> str:
    return " · ".join(text for _, text in shown)


def parts(tab: ChatTab) -> list[Part]:
    if not tab.has_runtime:
        return [("state", "starting…")]
    summary = api.describe(tab.runtime)
    if summary.provider is None:
        return [("state", "no provider · /provider NAME to choose one · /help")]
    balancer = summary.balancer
    shown = _balancer_parts(balancer) if balancer is not None else _provider_parts(summary)
    if tab.system_prompt:
        shown.append(("system", f"system: {_shortened(tab.system_prompt)}"))
    usage = tab.session.usage
    shown.append(("tokens", f"tokens ↑{usage.prompt_tokens} ↓{usage.completion_tokens}"))
    shown.append(("state", "streaming… (esc cancels)" if tab.streaming else "ready"))
    return shown


def _shortened(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SYSTEM_SHOWN else line[: SYSTEM_SHOWN - 1] + "…"


def _balancer_parts(balancer: BalancerSummary) -> list[Part]:
    last = f"last reply: {balancer.last_member}" if balancer.last_member else "no reply yet"
    return [("lb", f"lb: {balancer.name} ({balancer.policy})"), ("last", last)]


def _provider_parts(summary: RuntimeSummary) -> list[Part]:
    shown: list[Part] = [("provider", summary.provider or ""), ("model", summary.model or "")]
    shown.append(("profile", f"profile: {summary.profile}" if summary.profile else "no profile"))
    shown.append(("key", f"key: {summary.key_source}"))
    if summary.endpoint and not summary.endpoint_is_default:
        shown.append(("url", summary.endpoint))
    return shown
