"""The line above the prompt while a reply is on its way: "waiting for openai… 3 s" until
the first token, "429 rate limited — retrying in 7 s (attempt 2 of 4)" while a retry
waits, then the tokens so far and their rate.

Time comes from the tab's clock (injectable), read only when something happens or on the
tick, so a test with a fixed clock and no tick sees the same line every run. In a tab that is
not shown the tick draws nothing (each update laid out the whole screen: with ten tabs
streaming, that was a third of the app's time); the line is drawn again when it is shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.timer import Timer
from textual.widgets import Static

from llxprt_tui.chat.visibility import hidden

if TYPE_CHECKING:
    from llxprt_runtime.api import RetryEvent


class StreamProgress(Static):
    DEFAULT_CSS = """
    StreamProgress {
        display: none;
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    StreamProgress.-active { display: block; }
    StreamProgress.-retrying { color: $text-warning; }
    """

    TICK_SECONDS: ClassVar[float] = 0.5

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__("", markup=False)
        self.clock = clock
        self.provider = ""
        self.started = 0.0
        self.first: float | None = None
        self.tokens = 0
        self.retry: RetryEvent | None = None
        self.retry_at = 0.0
        self._timer: Timer | None = None

    def begin(self, provider: str) -> None:
        self.provider = provider or "the provider"
        self.started = self.clock()
        self.first = None
        self.tokens = 0
        self.retry = None
        self.add_class("-active")
        self._show(self.started)
        if self._timer is None:
            self._timer = self.set_interval(self.TICK_SECONDS, self._tick)

    def retrying(self, event: RetryEvent) -> None:
        self.retry = event
        self.retry_at = self.clock()
        self._show(self.retry_at)

    def token(self) -> None:
        """One more delta of the reply (text or thinking)."""
        self.tokens += 1
        if self.first is None:
            self.first = self.clock()
            self.retry = None
            self._show(self.first)

    def end(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.remove_class("-active", "-retrying")
        self.update("")

    def _tick(self) -> None:
        if not hidden(self):
            self._show(self.clock())

    def on_show(self) -> None:
        if self._timer is not None:  # a reply is on its way: the line is brought up to date
            self._show(self.clock())

    def describe(self, now: float) -> str:
        if self.retry is not None:
            return self.retry.describe(remaining=self.retry.wait - (now - self.retry_at))
        if self.first is None:
            return f"waiting for {self.provider}… {now - self.started:.0f} s · esc cancels"
        elapsed = now - self.first
        rate = f" · {self.tokens / elapsed:.0f} tok/s" if elapsed > 0 else ""
        return f"{self.provider}: ~{self.tokens} tokens{rate} · {now - self.started:.0f} s"

    def _show(self, now: float) -> None:
        self.set_class(self.retry is not None, "-retrying")
        # One line, as wide as the screen whatever it says: its text needs no layout (one laid
        # out the whole screen, twice a second while a reply streams). Showing or hiding the
        # line (-active) is laid out.
        self.update(self.describe(now), layout=False)
