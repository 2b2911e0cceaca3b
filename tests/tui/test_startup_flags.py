"""Start-up flags that choose no provider: the tab welcomes, it does not report a failure."""

from __future__ import annotations

from llxprt_runtime.overrides import CliOverrides
from llxprt_tui.app import LlxprtApp
from llxprt_tui.chat.notices import ErrorNotice, Notice
from tests.tui.conftest import SIZE, active


async def test_flags_without_a_provider_welcome_instead_of_failing() -> None:
    app = LlxprtApp(CliOverrides(model="gpt-test"))
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await app.wait_ready()
        await pilot.pause()
        notices = [str(n.render()) for n in app.query(Notice)]
        assert any("Welcome to llxprt." in n for n in notices)
        assert not app.query(ErrorNotice)
        assert active(pilot).runtime.settings_service.active_provider is None
