"""ChatTab: one agent. It owns an isolated runtime, its conversation and its prompt, and
does everything through that runtime (passed explicitly as `runtime=`).

The first tab is drawn before its runtime exists (see LlxprtApp.new_tab): the runtime, the
provider plumbing and Markdown are imported after the first frame, so they are imported
where they are first needed here, and input waits for `ready()`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from llxprt_runtime.credentials import held_credentials, looks_like_credential
from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.providers.content import (
    IContent,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    Usage,
    merge_stream,
)
from llxprt_runtime.terminal_text import visible_controls
from llxprt_tui.chat.completer import CommandCompletion, Completer
from llxprt_tui.chat.conversation import Conversation, MessageEntry, code_blocks
from llxprt_tui.chat.notices import ErrorNotice, Notice, UserMessage
from llxprt_tui.chat.progress import StreamProgress
from llxprt_tui.chat.prompt import PromptInput
from llxprt_tui.commands.spec import (
    CommandParseError,
    holds_secret,
    is_command,
    parse_command,
)
from llxprt_tui.keys import TAB_KEYS, bindings

if TYPE_CHECKING:
    from llxprt_runtime.chat.export import ExportHeader
    from llxprt_runtime.runtime.registry import RuntimeServices
    from llxprt_tui.app import LlxprtApp
    from llxprt_tui.chat.messages import AssistantMessage

Clock = Callable[[], float]

_log = logging.getLogger(__name__)

KEY_QUESTION = (
    "This message looks like it contains an API key. Send it anyway?\n"
    "No keeps it in the prompt to edit; it is not kept in the prompt history."
)


class ChatTab(Vertical):
    """The conversation, the prompt and the stream of one tab."""

    DEFAULT_CSS = """
    ChatTab { height: 1fr; }
    """
    BINDINGS = bindings(TAB_KEYS)

    class StateChanged(Message):
        """Posted when the label or status of this tab should be redrawn."""

        def __init__(self, tab: ChatTab) -> None:
            super().__init__()
            self.tab = tab

    def __init__(
        self,
        runtime: RuntimeServices | None,
        name: str,
        *,
        clock: Clock = time.monotonic,
        progress_clock: Clock | None = None,
        greeting: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self._greeting = tuple(greeting)
        self._runtime = runtime
        self._ready = asyncio.Event()
        if runtime is not None:
            self._ready.set()
        self.tab_name = name
        self.clock = clock
        self._progress = StreamProgress(progress_clock or clock)
        self.history: list[IContent] = []
        self.usage = Usage()
        self.streaming = False
        self.last_prompt: str | None = None
        self._last_reply: str | None = None
        self._stream_task: asyncio.Task[None] | None = None
        self._ending = False
        self._stream_started = self._cancel_at_start = False
        self._conversation = Conversation()
        self.completer = Completer(self)

    # --- composition ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with self._conversation:
            if self._greeting:
                yield Notice("\n".join(self._greeting))
        yield self._progress
        yield CommandCompletion()
        yield PromptInput(id="prompt")

    def on_mount(self) -> None:
        self.prompt.complete = self.completer.complete

    @property
    def runtime(self) -> RuntimeServices:
        if self._runtime is None:
            raise RuntimeError(f"{self.tab_name} has no runtime yet: await ready() first")
        return self._runtime

    @property
    def has_runtime(self) -> bool:
        return self._runtime is not None

    def attach_runtime(self, runtime: RuntimeServices) -> None:
        self._runtime = runtime
        self._ready.set()
        self.changed()

    async def ready(self) -> RuntimeServices:
        """This tab's runtime, once it is attached (right after the first frame)."""
        await self._ready.wait()
        return self.runtime

    @property
    def llxprt_app(self) -> LlxprtApp:
        from llxprt_tui.app import LlxprtApp

        assert isinstance(self.app, LlxprtApp)
        return self.app

    @property
    def conversation(self) -> Conversation:
        return self._conversation  # kept after unmount: a stream may end after its tab

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    def focus_prompt(self) -> None:
        self.prompt.focus()

    async def add(self, widget: Widget) -> None:
        conversation = self.conversation
        await conversation.mount(widget)
        conversation.anchor()

    async def notice(self, *lines: str) -> None:
        if lines:
            await self.add(Notice("\n".join(lines)))

    async def error(self, message: str) -> None:
        await self.add(ErrorNotice(message))

    def changed(self) -> None:
        self.post_message(self.StateChanged(self))

    # --- the prompt ------------------------------------------------------------------------

    @on(PromptInput.Changed)
    def _update_completion(self, event: PromptInput.Changed) -> None:
        self.run_worker(
            self.completer.refresh(self.prompt.text), group="completion", exclusive=True
        )

    @on(PromptInput.Submitted)
    async def _submitted(self, event: PromptInput.Submitted) -> None:
        text = event.text
        if not text.strip():
            return
        # Any key this tab holds, whatever its shape, is looked for too (`¡/key …`, `/kye …`).
        held = await held_credentials(await self.ready())
        if is_command(text.strip()):
            secret = holds_secret(text.strip()) or looks_like_credential(text, held)
            self.prompt.take_text(remember=not secret)
            await self.execute_command(text.strip(), echo=not secret)
            return
        if self.streaming:
            self.notify("A reply is still streaming: escape cancels it.", severity="warning")
            return
        if looks_like_credential(text, held):
            self._confirm_send(text)
            return
        self.prompt.take_text(remember=True)
        await self.send(text)

    def _confirm_send(self, text: str) -> None:
        """Ask before a message that looks like it holds a key is sent or remembered."""
        from llxprt_tui.screens.confirm import ConfirmScreen

        async def answered(yes: bool | None) -> None:
            if yes and not self.streaming:
                self.prompt.take_text(remember=True)
                await self.send(text)
            self.focus_prompt()

        self.app.push_screen(ConfirmScreen(KEY_QUESTION), answered)

    async def execute_command(self, text: str, *, echo: bool = True) -> None:
        from llxprt_tui.commands.handlers import run_command

        await self.ready()
        if echo:
            await self.add(UserMessage(text))
        try:
            lines = await run_command(self.llxprt_app.command_host(self), parse_command(text))
        except (LlxprtError, CommandParseError) as exc:
            await self.error(str(exc))
        except Exception as exc:  # a bug in one command must not take the app down
            # Only the type on screen: the command text may hold a key. Details: --debug log.
            _log.exception("command %s failed", text.split()[0])
            await self.error(f"{text.split()[0]} failed unexpectedly ({type(exc).__name__}).")
        else:
            await self.notice(*lines)
        self.changed()

    # --- sending and streaming ----------------------------------------------------------------

    async def send(self, text: str) -> None:
        from llxprt_tui.chat.messages import AssistantMessage

        await self.ready()
        self.last_prompt = text
        self.history.append(IContent.human(text))
        conversation = self.conversation
        question = UserMessage(text)
        await self.add(question)
        conversation.track(MessageEntry(question, "user", text=text))
        reply = AssistantMessage()
        await self.add(reply)
        runtime = self.runtime
        conversation.track(
            MessageEntry(
                reply,
                "assistant",
                prompt=text,
                provider=runtime.settings_service.active_provider or "",
                model=runtime.config.get_model() or "",
            )
        )
        self.streaming = True
        self.changed()
        self._stream_started = self._cancel_at_start = False
        self._stream_task = asyncio.create_task(self._stream(reply, text))

    async def _stream(self, reply: AssistantMessage, text: str) -> None:
        from llxprt_runtime.prompts import get_core_system_prompt
        from llxprt_runtime.providers.base import GenerateChatOptions

        runtime = self.runtime
        provider = runtime.settings_service.active_provider or ""
        model = runtime.config.get_model() or ""
        progress = self._progress
        progress.begin(provider)
        options = GenerateChatOptions(
            list(self.history),
            runtime=runtime.context,
            system_prompt=get_core_system_prompt(provider, model),
            on_retry=progress.retrying,
        )
        chunks: list[IContent] = []
        started = self.clock()
        first: float | None = None
        state = "done"
        self._stream_started = True
        try:
            if self._cancel_at_start:
                raise asyncio.CancelledError
            async for chunk in runtime.provider_manager.generate_chat_completion(options):
                # A fast local stream may never suspend on its socket: yield so rendering,
                # timers and key presses keep flowing while it runs.
                await asyncio.sleep(0)
                chunks.append(chunk)
                for block in chunk.blocks:
                    if isinstance(block, TextBlock) and block.text:
                        first = first if first is not None else self.clock()
                        progress.token()
                        await reply.append_text(visible_controls(block.text))
                    elif isinstance(block, ThinkingBlock) and block.thought:
                        progress.token()
                        await reply.append_thinking(visible_controls(block.thought))
                    elif isinstance(block, ToolCallBlock):
                        await reply.add_tool_call(block)
        except asyncio.CancelledError:
            state = "cancelled"
        except LlxprtError as exc:
            state = "failed"
            await self._failed(reply, text, str(exc), any(c.blocks for c in chunks))
        except Exception as exc:  # never let a provider bug take the tab down
            state = "failed"
            partial = any(c.blocks for c in chunks)
            await self._failed(reply, text, f"Unexpected error: {exc}", partial)
        finally:
            self._ending = True  # escape from here on would cut the reply's last render
            progress.end()
            await self._finish(reply, chunks, state, started, first)

    async def _failed(
        self, reply: AssistantMessage, text: str, message: str, partial: bool
    ) -> None:
        await self.error(message)
        if not partial and self.history and self.history[-1].speaker == "human":
            # Nothing came back: take the turn out of the history and give the text back.
            self.history.pop()
            if not self.prompt.text:
                self.prompt.load_text(text)

    async def _finish(
        self,
        reply: AssistantMessage,
        chunks: list[IContent],
        state: str,
        started: float,
        first: float | None,
    ) -> None:
        try:
            await self._end_reply(reply, chunks, state, started, first)
        finally:  # whatever happens while the reply ends, the turn ends: the tab takes input
            self.streaming = self._ending = False
            self._stream_task = None
            self.changed()

    async def _end_reply(
        self,
        reply: AssistantMessage,
        chunks: list[IContent],
        state: str,
        started: float,
        first: float | None,
    ) -> None:
        from llxprt_tui.chat.messages import usage_line

        merged = merge_stream(chunks)
        usage = merged.metadata.usage
        if usage is not None:
            self.usage = self.usage + usage
        if merged.blocks:
            self.history.append(IContent("ai", merged.blocks, merged.metadata))
            self._last_reply = merged.text() or self._last_reply
        elapsed = self.clock() - first if first is not None else None
        footer = usage_line(usage, first - started if first is not None else None, elapsed)
        if state in ("cancelled", "failed"):  # a partial reply says so under itself
            mark = "cancelled" if state == "cancelled" else "cut off (partial reply)"
            footer = mark + (f" · {footer}" if footer else "")
        entry = self.conversation.entry_for(reply)
        if entry is not None:
            entry.text = merged.text()
            entry.model = merged.metadata.model or entry.model
            entry.usage = usage
            entry.first_token_seconds = first - started if first is not None else None
            entry.seconds = elapsed
            entry.state = state
        # A flush may have just started the reply's MarkdownStream task; let it take its
        # first step, or stopping it re-raises that task's cancellation here (issue 11.12).
        await asyncio.sleep(0)
        if state == "failed" and not merged.blocks:
            await reply.remove()
        else:
            await reply.finish(state, footer)

    def cancel_stream(self) -> bool:
        if self._stream_task is None or self._stream_task.done() or self._ending:
            return False  # a reply that is ending is not cancelled again halfway
        if not self._stream_started:
            # Cancelling a task before it first ran would skip its `finally` (the end of the
            # turn): it cancels itself when it starts instead.
            self._cancel_at_start = True
            return True
        self._stream_task.cancel()
        return True

    async def wait_for_stream(self) -> None:
        task = self._stream_task
        if task is not None:
            await asyncio.wait({task})

    # --- reading the conversation from the keyboard (keys: llxprt_tui/keys.py) ---------------

    def action_scroll_page(self, step: int) -> None:
        conversation = self.conversation
        if step < 0:
            conversation.release_anchor()
            conversation.scroll_page_up(animate=False)
        else:
            conversation.scroll_page_down(animate=False)

    def action_scroll_start(self) -> None:
        conversation = self.conversation
        conversation.release_anchor()
        conversation.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.conversation.anchor()  # follows the stream again

    def action_select_message(self, step: int) -> None:
        conversation = self.conversation
        if conversation.has_focus:
            conversation.select_step(step)
        else:
            conversation.focus()

    @on(Conversation.Leave)
    def _leave_conversation(self, event: Conversation.Leave) -> None:
        self.focus_prompt()
        if event.character:
            self.prompt.insert(event.character)

    @on(Conversation.Picked)
    async def _message_picked(self, event: Conversation.Picked) -> None:
        entry = event.entry
        text = entry.text or str(getattr(entry.widget, "text", ""))
        if event.action == "copy":
            self.app.copy_to_clipboard(text)
            self.notify("Copied the message to the clipboard.")
        elif event.action == "code":
            self._copy_code(code_blocks(text))
        elif event.action == "resend":
            if self.streaming:
                self.notify("A reply is still streaming: escape cancels it.", severity="warning")
                return
            self.focus_prompt()
            await self.send(text if entry.role == "user" else entry.prompt)
        else:
            self.notify("\n".join(entry.details()), title="Message details", markup=False)

    def _copy_code(self, blocks: list[str]) -> None:
        if not blocks:
            self.notify("This message has no code block.", severity="warning")
            return
        if len(blocks) == 1:
            self.app.copy_to_clipboard(blocks[0])
            self.notify("Copied its code block to the clipboard.")
            return
        from llxprt_tui.screens.picker import PickerItem, PickerScreen

        def first_line(block: str) -> str:
            return next((line.strip() for line in block.splitlines() if line.strip()), "")

        items = [
            PickerItem(str(n), f"block {n + 1}: {first_line(b)[:50]}", f"{b.count(chr(10))} lines")
            for n, b in enumerate(blocks)
        ]

        def chosen(choice: str | None) -> None:
            if choice is not None:
                self.app.copy_to_clipboard(blocks[int(choice)])
                self.notify(f"Copied code block {int(choice) + 1} to the clipboard.")

        self.app.push_screen(PickerScreen("Copy which code block?", items), chosen)

    # --- commands' view of the tab -------------------------------------------------------------

    async def clear_conversation(self) -> None:
        self.cancel_stream()
        await self.wait_for_stream()
        self.history.clear()
        self._last_reply = None
        self.conversation.forget_all()
        await self.conversation.remove_children()
        await self.notice("Conversation cleared.")

    async def retry(self) -> None:
        if self.last_prompt is None:
            await self.notice("Nothing to retry yet.")
            return
        if self.streaming:
            await self.error("A reply is still streaming: escape cancels it first.")
            return
        if self.history and self.history[-1].speaker == "ai":
            self.history.pop()
        if self.history and self.history[-1].speaker == "human":
            self.history.pop()
        self._mark_replaced()
        await self.send(self.last_prompt)

    def _mark_replaced(self) -> None:
        """The last exchange leaves the context: dim it on screen, and say so under the reply."""
        live = [e for e in self.conversation.entries if e.widget.parent is not None]
        for entry in reversed(live):
            if entry.replaced:
                break
            entry.replaced = True
            entry.widget.add_class("-replaced")
            if entry.role == "assistant":
                for footer in entry.widget.query(".reply-footer"):
                    if isinstance(footer, Static):
                        shown = str(footer.render())
                        footer.update(f"replaced · {shown}" if shown.strip() else "replaced")
            if entry.role == "user":
                break

    def last_reply(self) -> str | None:
        return self._last_reply

    def _export_header(self) -> ExportHeader:
        from datetime import UTC, datetime

        from llxprt_runtime.chat.export import ExportHeader

        runtime = self._runtime
        provider = runtime.settings_service.active_provider if runtime else None
        model = None
        if runtime is not None and provider:
            info = runtime.provider_manager.get_provider_info(provider)
            model = runtime.config.get_model() or info.default_model
        return ExportHeader(provider, model, datetime.now(UTC))

    def conversation_markdown(self) -> str:
        from llxprt_runtime.chat.export import conversation_markdown

        return conversation_markdown(self.tab_name, self.history, self._export_header())

    def conversation_json(self) -> str:
        from llxprt_runtime.chat.export import conversation_json

        return conversation_json(self.tab_name, self.history, header=self._export_header())

    def label(self) -> str:
        runtime = self._runtime
        provider = runtime.settings_service.active_provider if runtime else None
        model = runtime.config.get_model() if runtime else None
        balancer = runtime.provider_manager.active_load_balancer() if runtime else None
        where = f" {provider}:{model}" if provider else ""
        if balancer is not None:
            where = f" lb:{balancer.name}"
        marker = " ●" if self.streaming else ""
        return f"{self.tab_name}{where}{marker}"
