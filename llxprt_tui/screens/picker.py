"""PickerScreen: a keyboard-first modal list with type-to-filter, used for providers, models,
profiles and themes. Items may be given at once or loaded in the background (with a
spinner); a loading failure is shown in place and, where allowed, typed text is accepted.

The screen returns the chosen item's id (or the typed text), or None when dismissed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from llxprt_runtime.api import visible_controls

MAX_SHOWN = 500  # a filter narrows huge catalogues; rendering all of them helps nobody


@dataclass(frozen=True, slots=True)
class PickerItem:
    id: str
    label: str
    detail: str = ""
    current: bool = False
    disabled: bool = False  # shown (e.g. an invalid profile with its error) but not choosable

    def matches(self, needle: str) -> bool:
        return needle in self.id.lower() or needle in self.label.lower()

    def prompt(self) -> Content:
        # Content (not rich Text) so theme variables work; nothing here is parsed as markup.
        return Content.assemble(
            ("● ", "bold $text-success") if self.current else "  ",
            (visible_controls(self.label), "$text-muted" if self.disabled else ""),
            (
                f"  {visible_controls(self.detail)}",
                "$text-error" if self.disabled else "$text-muted",
            )
            if self.detail
            else "",
        )


Loader = Callable[[], Awaitable[Sequence[PickerItem]]]


class PickerScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen > Vertical {
        width: 84; max-width: 95%; height: auto; max-height: 80%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    PickerScreen .picker-title { text-style: bold; color: $primary; padding: 0 0 1 0; }
    PickerScreen Input { margin: 0 0 1 0; }
    PickerScreen OptionList { height: auto; max-height: 20; border: none; }
    PickerScreen LoadingIndicator { height: 1; }
    PickerScreen .picker-status { color: $text-muted; }
    PickerScreen .picker-status.-error { color: $text-error; }
    """

    BINDINGS = [
        Binding("escape", "dismiss_picker", "Close", id="picker-close"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(
        self,
        title: str,
        items: Sequence[PickerItem] = (),
        *,
        loader: Loader | None = None,
        allow_custom: bool = False,
        placeholder: str = "Type to filter",
        on_highlight: Callable[[str], None] | None = None,
        empty_text: str = "Nothing to choose from.",
    ) -> None:
        super().__init__()
        self.picker_title = title
        self.items: list[PickerItem] = list(items)
        self.loader = loader
        self.allow_custom = allow_custom
        self.placeholder = placeholder
        self.on_highlight = on_highlight
        self.empty_text = empty_text
        self.load_error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(visible_controls(self.picker_title), classes="picker-title", markup=False)
            yield Input(placeholder=self.placeholder, id="picker-filter")
            yield LoadingIndicator()
            yield OptionList(id="picker-options")
            yield Static("", classes="picker-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(LoadingIndicator).display = self.loader is not None
        self.query_one(Input).focus()
        if self.loader is not None:
            self._load()
        else:
            self._refill(highlight_current=True)

    @work(exclusive=True, group="picker-load")
    async def _load(self) -> None:
        assert self.loader is not None
        try:
            self.items = list(await self.loader())
        except Exception as exc:  # shown in the picker; typing a value still works
            self.load_error = str(exc) or type(exc).__name__
        self.query_one(LoadingIndicator).display = False
        self._refill(highlight_current=True)

    # --- filtering ----------------------------------------------------------------------------

    @property
    def options(self) -> OptionList:
        return self.query_one("#picker-options", OptionList)

    def visible_items(self) -> list[PickerItem]:
        needle = self.query_one(Input).value.strip().lower()
        return [item for item in self.items if not needle or item.matches(needle)]

    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self) -> None:
        self._refill(highlight_current=False)

    def _refill(self, *, highlight_current: bool) -> None:
        shown = self.visible_items()
        options = self.options
        options.clear_options()
        options.add_options(
            Option(item.prompt(), id=item.id, disabled=item.disabled) for item in shown[:MAX_SHOWN]
        )
        choosable = [i for i, item in enumerate(shown[:MAX_SHOWN]) if not item.disabled]
        if choosable:
            current = [i for i in choosable if shown[i].current]
            options.highlighted = current[0] if highlight_current and current else choosable[0]
        self._show_status(len(shown))

    def _show_status(self, shown: int) -> None:
        status = self.query_one(".picker-status", Static)
        status.set_class(self.load_error is not None, "-error")
        if self.load_error is not None:
            hint = " Type a name and press enter." if self.allow_custom else ""
            error = visible_controls(self.load_error.rstrip("."))
            status.update(f"Could not load the list: {error}.{hint}")
        elif self.loader is not None and self.query_one(LoadingIndicator).display:
            status.update("Loading…")
        elif not self.items:
            status.update(self.empty_text)
        elif shown == 0:
            hint = " — enter uses what you typed" if self.allow_custom else ""
            status.update(f"No match{hint}.")
        else:
            more = f" (first {MAX_SHOWN} shown)" if shown > MAX_SHOWN else ""
            status.update(f"{shown} of {len(self.items)}{more} · enter chooses · esc closes")

    # --- choosing -------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        options = self.options
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(OptionList.OptionHighlighted, "#picker-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.on_highlight is not None and event.option.id is not None:
            self.on_highlight(event.option.id)

    @on(OptionList.OptionSelected, "#picker-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        options = self.options
        if options.highlighted is not None and options.option_count:
            option = options.get_option_at_index(options.highlighted)
            if not option.disabled:
                self.dismiss(option.id)
                return
        typed = event.value.strip()
        if self.allow_custom and typed:
            self.dismiss(typed)

    def action_dismiss_picker(self) -> None:
        self.dismiss(None)
