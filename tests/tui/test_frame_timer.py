"""The main screen's frames (llxprt_tui/frame_timer.py): as soon as something changed, never
sooner than one period after the last one."""

from __future__ import annotations

import pytest

from llxprt_tui.frame_timer import ChatScreen, FrameTimer, frame_wait
from tests.tui.conftest import SIZE, make_app
from tests.wire.server import WireServer

PERIOD = 1 / 60


@pytest.mark.parametrize(
    ("since_last", "wait"),
    [(0.001, PERIOD - 0.001), (PERIOD / 2, PERIOD / 2), (PERIOD, 0.0), (2.5 * PERIOD, 0.0)],
)
def test_a_frame_waits_only_what_is_left_of_one_period(since_last: float, wait: float) -> None:
    """Issue 18.1: Textual's grid, after a frame that came late on it (the screen had been
    idle), skipped one whole period more: a change just after such a frame waited 17-33 ms
    for its frame (with the last frame 2.5 periods after the grid began, and the change 1 ms
    after it, 1.5 periods)."""
    assert frame_wait(10.0, 10.0 + since_last, PERIOD) == pytest.approx(wait)


async def test_the_app_draws_its_frames_with_the_frame_timer(wire: WireServer) -> None:
    app = make_app(wire)
    async with app.run_test(size=SIZE):
        await app.wait_ready()
        assert isinstance(app.screen, ChatScreen)
        assert isinstance(app.screen._update_timer, FrameTimer)
