"""ChatTab: one agent. It owns an isolated runtime, the ChatSession bound to it (the
conversation and its rules) and its prompt, draws the session's reply events, and does
everything through that runtime (passed explicitly as `runtime=`).

The first tab is drawn before its runtime exists (see LlxprtApp.new_tab): the runtime, the
provider plumbing and Markdown are imported after the first frame, so they are imported
where they are first needed here, and input waits for `ready()`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.worker import WorkerCancelled, WorkerFailed

from llxprt_runtime.api import visible_controls
from llxprt_runtime.errors import LlxprtError
from llxprt_tui.chat.completer import CommandCompletion, Completer
from llxprt_tui.chat.deferred import Deferred
from llxprt_tui.chat.host import TabHost
from llxprt_tui.chat.notices import ErrorNotice, Notice, UserMessage
from llxprt_tui.chat.progress import StreamProgress
from llxprt_tui.chat.prompt import PromptInput
from llxprt_tui.chat.transcript import MessageEntry, Transcript, code_blocks
from llxprt_tui.keys import TAB_KEYS, bindings

if TYPE_CHECKING:
    from llxprt_runtime.api import (
        Attachment,
        ChatSession,
        ConversationTree,
        ExportHeader,
        MessageNode,
        ReplyEvent,
        RuntimeServices,
        SettingsEvent,
        Turn,
    )
    from llxprt_tui.chat.attachments import PendingAttachments
    from llxprt_tui.chat.messages import AssistantMessage

Clock = Callable[[], float]

_log = logging.getLogger(__name__)

KEY_QUESTION = (
    "This message looks like it contains an API key. Send it anyway?\n"
    "No keeps it in the prompt to edit; it is not kept in the prompt history."
)


class ChatTab(Vertical):
    """The transcript (drawing the session), the prompt and the stream of one tab."""

    DEFAULT_CSS = """
    ChatTab { height: 1fr; }
    """
    BINDINGS = bindings(TAB_KEYS)
    #: Its session is stored and the tab restored at the next start (a compare tab's
    #: columns store sessions of their own instead).
    kept: ClassVar[bool] = True

    class StateChanged(Message):
        """Posted when the label or status of this tab should be redrawn."""

        def __init__(self, tab: ChatTab) -> None:
            super().__init__()
            self.tab = tab

    class ConfirmRequested(Message):
        """Ask `question`; `answered` gets yes (True) or no/dismissed."""

        def __init__(
            self, question: str, answered: Callable[[bool | None], Awaitable[None]]
        ) -> None:
            super().__init__()
            self.question = question
            self.answered = answered

    class ChoiceRequested(Message):
        """Pick one of `choices` (id, label, detail); `chosen` gets its id or None."""

        def __init__(
            self,
            title: str,
            choices: Sequence[tuple[str, str, str]],
            chosen: Callable[[str | None], None],
        ) -> None:
            super().__init__()
            self.title = title
            self.choices = tuple(choices)
            self.chosen = chosen

    def __init__(
        self,
        runtime: RuntimeServices | None,
        name: str,
        *,
        host: TabHost,
        clock: Clock = time.monotonic,
        progress_clock: Clock | None = None,
        greeting: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.host = host
        self._greeting = tuple(greeting)
        self.tab_name = name
        self.named_by_user = False  # /rename (or a restored session's title given so)
        self.clock = clock
        self._progress = StreamProgress(progress_clock or clock)
        self._runtime: RuntimeServices | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self.closing = False  # set as the tab closes, before its runtime is disposed
        self._session: ChatSession | None = None
        self.session_id: str | None = None  # its session in the store (llxprt_tui/persistence)
        # A stored message to select when the tab is next shown (the search's enter), in
        # place of focusing the prompt.
        self.message_to_show: int | None = None
        self._ready = asyncio.Event()
        if runtime is not None:
            self._bind(runtime)
        self.streaming = False  # a reply is on screen and not ended yet
        # Prompts entered here and acted on (a command run, a reply started, a question put):
        # what shows that enter was handled, where the prompt's look does not.
        self.prompts_handled = 0
        self._stream_task: asyncio.Task[None] | None = None
        self._ending = False
        self._stream_started = self._cancel_at_start = False
        self._editing: MessageNode | None = None  # the prompt `e` is editing (a new branch)
        self._turn_entries: tuple[MessageEntry | None, MessageEntry | None] = (None, None)
        self._branching = False  # the turn streaming is an edit or a retry (a new branch)
        self._edited: MessageNode | None = None  # the prompt that turn edits
        self._transcript = Transcript()
        self.completer = Completer(self)
        self._attachments: PendingAttachments | None = None

    # --- composition ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with self._transcript:
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
        return self._runtime is not None and not self.closing

    @property
    def session(self) -> ChatSession:
        """The conversation: history, usage, the turn rules (llxprt_runtime/chat/session.py)."""
        if self._session is None:
            raise RuntimeError(f"{self.tab_name} has no runtime yet: await ready() first")
        return self._session

    @property
    def system_prompt(self) -> str | None:
        """/system: this tab's own system prompt, added to the core one."""
        return self._session.system_prompt if self._session is not None else None

    @system_prompt.setter
    def system_prompt(self, text: str | None) -> None:
        self.session.system_prompt = text

    def _bind(self, runtime: RuntimeServices) -> None:
        from llxprt_runtime.api import ChatSession  # after the first frame

        self._runtime = runtime
        self._session = ChatSession(runtime, clock=self.clock, on_retry=self._progress.retrying)
        # Each turn is written to the session store as it happens (llxprt_tui/persistence);
        # the session asks for the recorder once the turn's request has gone out.
        self._session.open_recorder = lambda: self.host.turn_started(self)
        # The label and the status line show the runtime's settings: whatever changes them
        # (a command, a screen, a profile, the runtime API) redraws them.
        self._unsubscribe = runtime.settings_service.subscribe(self._settings_changed)
        self._ready.set()

    def _settings_changed(self, event: SettingsEvent) -> None:
        self.changed()  # post_message: safe from a worker thread too

    def stop_listening(self) -> None:
        """No more redraws on its settings' events: before its runtime is disposed (which
        clears them) there is nothing left to show."""
        self.closing = True  # a StateChanged still queued must not read the dead runtime
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_unmount(self) -> None:
        self.stop_listening()

    def attach_runtime(self, runtime: RuntimeServices) -> None:
        self._bind(runtime)
        self.changed()

    async def ready(self) -> RuntimeServices:
        """This tab's runtime, once it is attached (right after the first frame)."""
        await self._ready.wait()
        return self.runtime

    @property
    def transcript(self) -> Transcript:
        return self._transcript  # kept after unmount: a stream may end after its tab

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    def focus_prompt(self) -> None:
        self.prompt.focus()

    async def add(self, widget: Widget) -> None:
        await self.transcript.add(widget)

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
        if not self.prompt.text.strip():
            self._editing = None  # the edited text is gone: the next prompt goes at the end
        text = self.prompt.text
        self.run_worker(
            Deferred(lambda: self.completer.refresh(text)), group="completion", exclusive=True
        )

    @on(PromptInput.Submitted)
    async def _submitted(self, event: PromptInput.Submitted) -> None:
        try:
            await self._take_prompt(event.text)
        finally:
            self.prompts_handled += 1

    async def _take_prompt(self, text: str) -> None:
        if not text.strip():
            return
        # Here, not at the top: the first frame imports none of the runtime (test_startup.py).
        from llxprt_runtime.api import held_credentials, looks_like_credential

        # Any key this tab holds, whatever its shape, is looked for too (`¡/key …`, `/kye …`).
        held = await held_credentials(await self.ready())
        if self.host.is_command(text.strip()):
            secret = self.host.holds_secret(text.strip()) or looks_like_credential(text, held)
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

        async def answered(yes: bool | None) -> None:
            if yes and not self.streaming:
                self.prompt.take_text(remember=True)
                await self.send(text)
            self.focus_prompt()

        self.post_message(self.ConfirmRequested(KEY_QUESTION, answered))

    async def execute_command(self, text: str, *, echo: bool = True) -> None:
        """Run a slash command (the app's table, through the host) and show what it says
        here; returns when it has run, so the prompt's next line waits for it."""
        await self.ready()
        if echo:
            await self.add(UserMessage(text))

        # In this tab's worker: a slow command holds up this tab, never the app's other tabs
        # and keys. Awaited here, not answered through the app's queue: a quitting app never
        # handled the message, and the tab (so the app) waited for the answer for ever.
        worker = self.run_worker(
            Deferred(lambda: self.host.run_command(self, text)),
            group="command",
            exit_on_error=False,
        )
        try:
            try:
                lines = await worker.wait()
            except WorkerFailed as failed:
                raise failed.error from None
        except WorkerCancelled:  # the tab or the app is closing: nobody to tell
            return
        except LlxprtError as exc:
            await self.error(str(exc))
        except Exception as exc:  # a bug in one command must not take the app down
            # Only the type on screen: the command text may hold a key. Details: --debug log.
            _log.exception("command %s failed", text.split()[0])
            await self.error(f"{text.split()[0]} failed unexpectedly ({type(exc).__name__}).")
        else:
            await self.notice(*lines)
        self.host.command_ran(self)

    # --- sending and streaming ----------------------------------------------------------------

    @property
    def attachments(self) -> PendingAttachments:
        """The files attached to this tab's next prompt (/attach)."""
        if self._attachments is None:
            from llxprt_tui.chat.attachments import PendingAttachments

            self._attachments = PendingAttachments()
        return self._attachments

    async def take_attachments(self, text: str) -> list[Attachment] | None:
        """The files going with `text` (/attach, its `@path` words), read in a worker
        thread; None, with the reason shown and the text back in the prompt, when one
        cannot go (the attached ones then stay for the next try)."""
        from llxprt_runtime.api import AttachmentError
        from llxprt_tui.chat.attachments import prompt_attachments

        try:
            files = await prompt_attachments(text, self.attachments.pending())
        except AttachmentError as exc:
            await self.error(str(exc))
            if not self.prompt.text:
                self.prompt.load_text(text)
            return None
        self.attachments.take()
        return files

    def owned_runtimes(self) -> list[RuntimeServices]:
        """Runtimes besides its own that go when the tab closes (a compare tab's columns)."""
        return []

    async def send(self, text: str) -> None:
        from llxprt_tui.chat.attachments import chip

        await self.ready()
        files = await self.take_attachments(text)
        if files is None:
            return
        blocks = [a.block for a in files]
        chips = [chip(a.file) for a in files]
        edited, self._editing = self._editing, None
        if edited is not None and any(node is edited for node in self.session.tree.path()):
            # A new branch from the edited prompt's parent: the old one leaves the screen
            # (it stays reachable with ‹ ›).
            from llxprt_tui.chat.branches import cut_from, entry_of

            entry = entry_of(self.transcript, edited)
            await cut_from(self.transcript, entry)
            self._branching, self._edited = True, edited
            await self._start(text, self.session.edit(edited, text, blocks), chips=chips)
            return
        await self._start(text, self.session.send(text, blocks), chips=chips)

    async def _start(
        self,
        text: str,
        events: AsyncGenerator[ReplyEvent, None],
        *,
        ask: bool = True,
        chips: Sequence[str] = (),
    ) -> None:
        """Send the request, then show the prompt (unless `ask` is False: a retry's prompt is
        there) and an empty reply, which a task draws `events` into."""
        from llxprt_tui.chat.messages import AssistantMessage

        reply = AssistantMessage()
        drawn = asyncio.Event()
        self.streaming = True
        self._stream_started = self._cancel_at_start = False
        # Before the request: what it says of a retry (a fast 429) must not be reset.
        self._progress.begin(self.runtime.settings_service.active_provider or "")
        self._stream_task = asyncio.create_task(self._stream(reply, text, events, drawn))
        # The request goes out first (the task runs up to the request's first wait): drawing
        # the turn cost more than the request itself (issue 18.8). The task draws nothing
        # before `drawn`.
        await asyncio.sleep(0)
        try:
            transcript = self.transcript
            asked: MessageEntry | None = None
            if ask:
                question = UserMessage(text, chips)
                await self.add(question)
                asked = transcript.track(MessageEntry(question, "user", text=text))
            await self.add(reply)
            runtime = self.runtime
            answer = transcript.track(
                MessageEntry(
                    reply,
                    "assistant",
                    prompt=text,
                    provider=runtime.settings_service.active_provider or "",
                    model=runtime.config.get_model() or "",
                )
            )
            self._turn_entries = (asked, answer)
        finally:
            drawn.set()
            self.changed()

    @property
    def stream_task(self) -> asyncio.Task[None] | None:
        """The task drawing the reply that is streaming (None between turns)."""
        return self._stream_task

    async def _stream(
        self,
        reply: AssistantMessage,
        text: str,
        events: AsyncGenerator[ReplyEvent, None],
        drawn: asyncio.Event,
    ) -> None:
        from llxprt_runtime.api import Failed, TextDelta, ThinkingDelta, ToolCall

        session = self.session
        before = session.last_turn
        progress = self._progress
        provider = self.runtime.settings_service.active_provider or ""
        state = "done"
        self._stream_started = True
        try:
            # Closed on the way out: a cancel that lands while an event is drawn ends the
            # session's turn there and then (it keeps what arrived).
            async with aclosing(events):
                if self._cancel_at_start:
                    raise asyncio.CancelledError
                async for event in events:
                    await drawn.wait()  # the turn is on screen (_start)
                    if isinstance(event, TextDelta):
                        progress.token()
                        await reply.append_text(visible_controls(event.text))
                    elif isinstance(event, ThinkingDelta):
                        progress.token()
                        await reply.append_thinking(visible_controls(event.text))
                    elif isinstance(event, ToolCall):
                        await reply.add_tool_call(event.call)
                    elif isinstance(event, Failed):
                        state = "failed"
                        shown = self._failure_text(event.error, provider)
                        await self._failed(text, shown, event.partial is not None)
                    # A fast local stream may never suspend on its socket: yield so rendering,
                    # timers and key presses keep flowing while it runs. After drawing the
                    # event: a cancel landing here must not lose a delta the session kept.
                    await asyncio.sleep(0)
        except asyncio.CancelledError:
            state = "cancelled"
        except Exception as exc:  # never let a bug in drawing a reply take the tab down
            state = "failed"
            await drawn.wait()
            turn = self._turn_since(before)
            await self._failed(text, f"Unexpected error: {exc}", bool(turn and turn.reply))
        finally:
            self._ending = True  # escape from here on would cut the reply's last render
            await drawn.wait()
            progress.end()
            await self._finish(reply, self._turn_since(before), state)

    def _turn_since(self, before: Turn | None) -> Turn | None:
        """The session's turn started after `before` (None: cancelled before it began)."""
        turn = self.session.last_turn
        return turn if turn is not before else None

    def _failure_text(self, error: LlxprtError, provider: str) -> str:
        from llxprt_tui.chat.failures import failure_text

        runtime = self.runtime
        known = provider in runtime.provider_manager.list_providers()
        env = runtime.provider_manager.get_provider_info(provider).env_key_names if known else ()
        return failure_text(error, self.host.keymap(), env)

    async def _failed(self, text: str, message: str, partial: bool) -> None:
        await self.error(message)
        if not partial and not self.prompt.text:
            self.prompt.load_text(text)  # nothing came back: the text is given back to edit

    async def _finish(self, reply: AssistantMessage, turn: Turn | None, state: str) -> None:
        try:
            await self._end_reply(reply, turn, state)
        finally:  # whatever happens while the reply ends, the turn ends: the tab takes input
            self.streaming = self._ending = False
            self._stream_task = None
            self.changed()

    async def _end_reply(self, reply: AssistantMessage, turn: Turn | None, state: str) -> None:
        from llxprt_tui.chat.messages import usage_line

        content = turn.reply if turn is not None else None
        usage = turn.usage if turn is not None else None
        first = turn.first_token_seconds if turn is not None else None
        elapsed = None  # streaming time: from the first token to the end
        if turn is not None and first is not None and turn.duration_seconds is not None:
            elapsed = turn.duration_seconds - first
        footer = usage_line(usage, first, elapsed)
        if state in ("cancelled", "failed"):  # a partial reply says so under itself
            mark = "cancelled" if state == "cancelled" else "cut off (partial reply)"
            footer = mark + (f" · {footer}" if footer else "")
        entry = self.transcript.entry_for(reply)
        if entry is not None:
            entry.text = content.text() if content is not None else ""
            entry.model = (content.metadata.model if content else None) or entry.model
            entry.usage = usage
            entry.first_token_seconds = first
            entry.seconds = elapsed
            entry.state = state
        # A flush may have just started the reply's MarkdownStream task; let it take its
        # first step, or stopping it re-raises that task's cancellation here (issue 11.12).
        await asyncio.sleep(0)
        if state == "failed" and content is None:
            await self.transcript.discard(reply)
        else:
            await reply.finish(state, footer)
        await self._place_turn(turn)

    async def _place_turn(self, turn: Turn | None) -> None:
        """The ended turn's messages take their places in the session's tree: marks shown,
        and the branch before a retry or an edit that got nothing back is drawn again."""
        from llxprt_tui.chat.branches import redraw, show_marks

        asked, answer = self._turn_entries
        self._turn_entries = (None, None)
        branching, self._branching = self._branching, False
        edited, self._edited = self._edited, None
        tree = self.session.tree
        if asked is not None and turn is not None:
            asked.node = turn.prompt_node
        if answer is not None and turn is not None:
            answer.node = turn.reply_node
        got_nothing = turn is None or (
            turn.reply_node is None and (turn.prompt_node is None or not turn.added_prompt)
        )
        if branching and got_nothing:
            # The retry or edit got nothing back: the branch shown before it is shown again,
            # what went wrong is said under it, and an edit's text can be sent again.
            errors = [w for w in self.transcript.children if isinstance(w, ErrorNotice)]
            failed = turn is not None and turn.state == "failed"
            said = errors[-1].text if errors and failed else None
            await redraw(self.transcript, tree)
            if said is not None:
                await self.error(said)
            if edited is not None and failed and self.prompt.text:
                self._editing = edited
        show_marks(self.transcript, tree)

    async def restore_conversation(self, tree: ConversationTree) -> None:
        """A stored conversation: every branch back in the session, the branch that was
        shown in the transcript (a reply cut off by a killed process marked interrupted)."""
        from llxprt_tui.chat.branches import draw, show_marks

        await self.transcript.clear()  # the welcome of a fresh tab
        self.session.load_tree(tree)
        # Every message of the branch is a row; the view draws its last ones first, older
        # ones as the user scrolls up (chat/transcript.py).
        await draw(self.transcript, tree.path())
        show_marks(self.transcript, tree)
        self.changed()

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

    async def action_scroll_page(self, step: int) -> None:
        await self.transcript.scroll_page(step)

    async def action_scroll_start(self) -> None:
        await self.transcript.show_start()

    def action_scroll_end(self) -> None:
        # Widget's own action of that name is not async: the transcript does it next.
        self.call_later(self.transcript.show_end)  # follows the stream again

    async def action_select_message(self, step: int) -> None:
        transcript = self.transcript
        if transcript.has_focus:
            await transcript.select_step(step)
        else:
            transcript.focus()

    @on(Transcript.Leave)
    def _leave_transcript(self, event: Transcript.Leave) -> None:
        self.focus_prompt()
        if event.character:
            self.prompt.insert(event.character)

    @on(Transcript.Picked)
    async def _message_picked(self, event: Transcript.Picked) -> None:
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
            self._editing = None
            await self.send(text if entry.role == "user" else entry.prompt)
        elif event.action == "edit":
            self._edit(entry)
        else:
            self.notify("\n".join(entry.details()), title="Message details", markup=False)

    def _edit(self, entry: MessageEntry) -> None:
        """`e`: the prompt's text back in the prompt; sending it makes a new branch."""
        if entry.role != "user" or entry.node is None:
            self.notify("Select one of your prompts to edit it.", severity="warning")
            return
        self._editing = None
        self.prompt.load_text(entry.text)
        self._editing = entry.node
        self.focus_prompt()
        self.notify(
            "Editing: enter sends it as a new branch from here (the old one is kept).",
            markup=False,
        )

    @on(Transcript.SwitchBranch)
    async def _switch_branch(self, event: Transcript.SwitchBranch) -> None:
        """left/right on a message with alternatives: show the next one and what followed it.
        The context sent next and an export follow (the session's branch on screen)."""
        from llxprt_tui.chat.branches import entry_of, redraw

        node = event.entry.node
        if node is None:
            return
        if self.streaming:
            self.notify("A reply is still streaming: escape cancels it.", severity="warning")
            return
        shown = self.session.switch(node, event.step)
        if shown is None:
            return
        await redraw(self.transcript, self.session.tree)
        await self.transcript.select(entry_of(self.transcript, shown))
        self.host.branch_shown(self)

    def _copy_code(self, blocks: list[str]) -> None:
        if not blocks:
            self.notify("This message has no code block.", severity="warning")
            return
        if len(blocks) == 1:
            self.app.copy_to_clipboard(blocks[0])
            self.notify("Copied its code block to the clipboard.")
            return

        def first_line(block: str) -> str:
            return next((line.strip() for line in block.splitlines() if line.strip()), "")

        choices = [
            (str(n), f"block {n + 1}: {first_line(b)[:50]}", f"{b.count(chr(10))} lines")
            for n, b in enumerate(blocks)
        ]

        def chosen(choice: str | None) -> None:
            if choice is not None:
                self.app.copy_to_clipboard(blocks[int(choice)])
                self.notify(f"Copied code block {int(choice) + 1} to the clipboard.")

        self.post_message(self.ChoiceRequested("Copy which code block?", choices, chosen))

    # --- commands' view of the tab -------------------------------------------------------------

    async def clear_conversation(self) -> None:
        self.cancel_stream()
        await self.wait_for_stream()
        await self.ready()
        self.session.clear()
        await self.transcript.clear()
        await self.notice("Conversation cleared.")
        self.changed()  # its token counts start again

    async def retry(self) -> None:
        await self.ready()
        session = self.session
        if session.last_turn is None and session.retry_target() is None:
            await self.notice("Nothing to retry yet.")
            return
        if self.streaming:
            await self.error("A reply is still streaming: escape cancels it first.")
            return
        prompt = session.retry_target()
        if prompt is None:  # a failed turn: its prompt is asked anew
            turn = session.last_turn
            assert turn is not None  # else "nothing to retry" was said above
            self.transcript.mark_replaced()
            await self._start(turn.prompt, session.retry())
            return
        # The new reply is an alternative beside the old one (‹ 2/2 ›), which leaves the
        # screen but stays reachable.
        from llxprt_tui.chat.branches import cut_after

        await cut_after(self.transcript, prompt)
        self._branching = True
        await self._start(prompt.content.prompt_text(), session.retry(), ask=False)

    def _export_header(self) -> ExportHeader:
        from datetime import UTC, datetime

        from llxprt_runtime.api import ExportHeader

        runtime = self._runtime
        provider = runtime.settings_service.active_provider if runtime else None
        model = None
        if runtime is not None and provider:
            info = runtime.provider_manager.get_provider_info(provider)
            model = runtime.config.get_model() or info.default_model
        return ExportHeader(provider, model, datetime.now(UTC))

    def conversation_markdown(self) -> str:
        return self.session.to_markdown(self._export_header(), title=self.tab_name)

    def conversation_json(self) -> str:
        return self.session.to_json(self._export_header(), title=self.tab_name)

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
