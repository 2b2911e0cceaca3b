"""The app's tabs: Textual's TabbedContent, minus one surprise.

TabbedContent shows a pane whenever a widget inside it gets the focus (TabPane.Focused). That
message arrives later than the focus change it reports, so a stale one (the tab we just left
handing the focus to one of its own widgets as it hides, or a quick switch back and forth)
would show the old tab again. A tab is shown only when the user asks; the message is believed
only while the focus is still inside the pane it names."""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class ChatTabs(TabbedContent):
    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.screen.focused if self.is_attached else None
        if focused is None or event.tab_pane not in focused.ancestors_with_self:
            event.prevent_default()  # TabbedContent's own handler would show that pane
            event.stop()
