"""The app's tabs: Textual's TabbedContent, minus one surprise.

TabbedContent shows a pane whenever a widget inside it gets the focus (TabPane.Focused). In a
chat app that shows the wrong tab: the tab just left hands the focus to one of its own widgets
as it hides, a closing screen gives the focus back to the tab it was opened from, and the
message arrives after later switches. A tab is shown only when the user asks (the app sets
`active`); focus that lands in a hidden tab is brought back to the shown tab's prompt, so
typed keys never go to a tab nobody sees."""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane

from llxprt_tui.chat.prompt import PromptInput


class ChatTabs(TabbedContent):
    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        event.prevent_default()  # TabbedContent's own handler would show that pane
        event.stop()
        shown = self.active_pane
        if shown is None or event.tab_pane is shown:
            return
        prompts = shown.query(PromptInput)
        if prompts:
            prompts.first().focus()
