"""The main screen's frames: one as soon as something changed, and never sooner than one frame
period (1/60 s) after the last one began (issue 18.1).

Textual's screen timer keeps frames on a 60 Hz grid, and after a frame that came late on that
grid (any frame after the screen had been idle for a while, which while a reply streams is most
of them) it skips a whole period more: the next frame came 17-33 ms later instead of at most
17. A key pressed just after a frame waited that long to be seen: bench.stalls at 100 tok/s
found echoes of 25-33 ms with nothing else running (the timer asleep for 24.8 ms right after a
frame), a third of the keys' p95. The same cap of 60 frames a second, without the extra period.
"""

from __future__ import annotations

from textual import _time
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import EventTargetGone, Timer


def frame_wait(last_frame: float, now: float, period: float) -> float:
    """Seconds until the next frame may begin (0: now), the last one having begun at
    `last_frame`."""
    return max(0.0, last_frame + period - now)


class FrameTimer(Timer):
    """The screen's update timer: Textual pauses it after each frame and resumes it when a widget
    changes; resumed, it ticks at once, or when one period has passed since the last tick."""

    async def _run(self) -> None:
        period = self._interval
        last = -period
        while True:
            await self._active.wait()
            wait = frame_wait(last, _time.get_time(), period)
            if wait:
                await _time.sleep(wait)
                await self._active.wait()  # paused meanwhile (a layout done out of turn)
            last = _time.get_time()
            try:
                await self._tick(next_timer=last, count=0)
            except EventTargetGone:
                break


class ChatScreen(Screen[None]):
    """The app's default screen (its tabs, status line and footer), with a FrameTimer."""

    _frame_timer: FrameTimer | None = None

    @property
    def _update_timer(self) -> Timer:  # Textual's own is the one with the extra period
        if self._frame_timer is None:
            timer = FrameTimer(
                self,
                UPDATE_PERIOD,
                name="screen_update",
                callback=self._on_timer_update,
                pause=True,
            )
            timer._start()
            self._timers.add(timer)
            self._frame_timer = timer
        return self._frame_timer
