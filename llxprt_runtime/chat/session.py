"""ChatSession: one conversation bound to one runtime.

It owns the history (IContent), the system prompt, the usage so far and the rules for a turn
that is cancelled, cut off or retried, so every front end (a tab, `llxprt -p`) follows the
same rules. It calls only its runtime's ProviderManager; it never touches another runtime.

The rules:
- a reply that completes is appended to the history;
- a reply cut off by an error keeps what arrived (marked partial) and the error is reported;
- an error before any output takes the prompt back out of the history (the caller gets its
  text back to edit and resend);
- a cancelled reply keeps what arrived; cancellation itself is re-raised to the caller
  (cancelled inside `send()` or while the caller handled an event and then closed it);
- any other exception from the provider (a bug) ends the turn like an error, as
  `Failed("Unexpected error: …")`, so the history stays consistent;
- `retry()` asks the last prompt again: the new reply is a sibling of the old one, which
  stays in the tree (a failed turn, already out of the history, is just asked again);
- `edit(node, text)` asks an earlier prompt anew: a sibling of that prompt, the old branch
  kept. The history is the branch on screen (chat/tree.py); `switch()` shows another.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from llxprt_runtime.chat.events import (
    Failed,
    Finished,
    ReplyEvent,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    UsageReported,
)
from llxprt_runtime.chat.export import ExportHeader, conversation_json, conversation_markdown
from llxprt_runtime.chat.tree import ConversationTree, MessageNode
from llxprt_runtime.errors import LlxprtError
from llxprt_runtime.providers.content import (
    IContent,
    MediaBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    Usage,
    merge_stream,
)
from llxprt_runtime.runtime.registry import RuntimeServices

if TYPE_CHECKING:
    from llxprt_runtime.chat.recorder import SessionRecorder
    from llxprt_runtime.providers.retry import RetryListener

TurnState = Literal["streaming", "complete", "cancelled", "partial", "failed"]


class SessionBusyError(LlxprtError):
    """A reply is still streaming in this session."""


@dataclass(slots=True)
class Turn:
    """The last exchange: its prompt, what came back, and how it ended."""

    prompt: str
    state: TurnState = "streaming"
    reply: IContent | None = None
    error: LlxprtError | None = None
    usage: Usage | None = None  # as reported for this reply
    first_token_seconds: float | None = None
    duration_seconds: float | None = None
    prompt_node: MessageNode | None = None  # the prompt in the tree (None once taken out)
    reply_node: MessageNode | None = None
    added_prompt: bool = True  # False for a retry: its prompt was already in the tree


class ChatSession:
    def __init__(
        self,
        runtime: RuntimeServices,
        *,
        system_prompt: str | None = None,
        title: str = "",
        clock: Callable[[], float] = time.monotonic,
        recorder: SessionRecorder | None = None,
        on_retry: RetryListener | None = None,
    ) -> None:
        self.runtime = runtime
        self.recorder = recorder  # writes each turn to the session store, when there is one
        # When set, asked for each turn's recorder (replacing `recorder`) while its request
        # goes out: a front end that stores its settings first does not hold the request back.
        self.open_recorder: Callable[[], Awaitable[SessionRecorder | None]] | None = None
        self.on_retry = on_retry  # told of each retry before its wait (a "retrying in 7 s" line)
        self.system_prompt = system_prompt
        self.title = title
        self.usage = Usage()
        self.last_turn: Turn | None = None
        self._tree = ConversationTree()
        self._clock = clock
        self._busy = False

    @property
    def history(self) -> Sequence[IContent]:
        """The branch on screen: what the model is sent and what an export holds."""
        return self._tree.contents()

    @property
    def tree(self) -> ConversationTree:
        """Every branch of the conversation (read it; change it through this session)."""
        return self._tree

    @property
    def streaming(self) -> bool:
        return self._busy

    def full_system_prompt(self) -> str:
        from llxprt_runtime.prompts import get_core_system_prompt

        provider = self.runtime.settings_service.active_provider or ""
        model = self.runtime.config.get_model() or ""
        return get_core_system_prompt(provider, model, additional_prompt=self.system_prompt)

    async def send(
        self, text: str, attachments: Sequence[MediaBlock | TextBlock] = ()
    ) -> AsyncGenerator[ReplyEvent, None]:
        """Ask `text`; yields the reply as it streams, ending with Finished or Failed."""
        # Each layer closes the one below explicitly: when our caller closes us (it was
        # cancelled between two events), the turn must end now, not when it is collected.
        async with aclosing(self._ask(text, attachments, self._tree.last)) as events:
            async for event in events:
                yield event

    async def edit(
        self, node: MessageNode, text: str, attachments: Sequence[MediaBlock | TextBlock] = ()
    ) -> AsyncGenerator[ReplyEvent, None]:
        """Ask `text` in place of the earlier prompt `node`: a new branch from the message
        before it (the old branch stays reachable)."""
        async with aclosing(self._ask(text, attachments, self._tree.parent_of(node))) as events:
            async for event in events:
                yield event

    async def _ask(
        self, text: str, attachments: Sequence[MediaBlock | TextBlock], parent: MessageNode | None
    ) -> AsyncGenerator[ReplyEvent, None]:
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        self._busy = True
        if not self.title:
            self.title = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")[:80]
        before = self._tree.last
        prompt = IContent.human(text, *attachments)
        node = self._tree.add(prompt, parent)
        turn = self.last_turn = Turn(text, prompt_node=node)
        try:
            recording = asyncio.ensure_future(self._record(node, parent, new=True))
            async with aclosing(self._stream(turn, before, recording)) as events:
                async for event in events:
                    yield event
        finally:
            self._busy = False

    async def _record(
        self, prompt: MessageNode, parent: MessageNode | None, *, new: bool
    ) -> SessionRecorder | None:
        """The turn's recorder, its prompt written (a retry's is stored already). A task
        beside the request: it starts when the request has gone out (the request's first
        wait), so the store is never on the way from enter to the provider."""
        if self.open_recorder is not None:
            self.recorder = await self.open_recorder()
        recorder = self.recorder
        if recorder is None:
            return None
        if not new:
            recorder.reply_to(prompt.stored_id)
            return recorder
        prompt.stored_id = await recorder.prompt(
            prompt.content,
            parent_id=parent.stored_id if parent is not None else None,
            first=parent is None,
        )
        return recorder

    async def _stream(
        self,
        turn: Turn,
        before: MessageNode | None,
        recording: asyncio.Future[SessionRecorder | None],
    ) -> AsyncGenerator[ReplyEvent, None]:
        """The reply; `recording` (see _record) is waited for before the turn is written."""

        from llxprt_runtime.providers.base import GenerateChatOptions

        options = GenerateChatOptions(
            list(self._tree.contents()),
            runtime=self.runtime.context,
            system_prompt=self.full_system_prompt(),
            on_retry=self.on_retry,
        )
        chunks: list[IContent] = []
        merged, folded = IContent("ai"), 0  # chunks[:folded] merged, for the recorder
        started = self._clock()
        try:
            async for chunk in self.runtime.provider_manager.generate_chat_completion(options):
                chunks.append(chunk)
                # The prompt is stored before any of its reply is shown: a reply on screen has
                # its session and prompt saved (the request did not wait for them).
                recorder = await asyncio.shield(recording)
                for block in chunk.blocks:
                    if isinstance(block, TextBlock) and block.text:
                        if turn.first_token_seconds is None:
                            turn.first_token_seconds = self._clock() - started
                        yield TextDelta(block.text)
                    elif isinstance(block, ThinkingBlock) and block.thought:
                        yield ThinkingDelta(block.thought)
                    elif isinstance(block, ToolCallBlock):
                        yield ToolCall(block)
                if chunk.metadata.usage is not None:
                    yield UsageReported(chunk.metadata.usage)
                if recorder is not None and recorder.due():
                    # The chunks merged last time are folded in as one: each write merges
                    # what arrived since, not the whole reply again (ten tabs, long replies).
                    merged = merge_stream([merged, *chunks[folded:]])
                    folded = len(chunks)
                    await recorder.progress(merged)
        except (asyncio.CancelledError, GeneratorExit):
            # The caller stopped listening: keep what arrived, then let cancellation go on.
            await self._end(turn, chunks, "cancelled", started, before, recording)
            raise
        except Exception as exc:  # a provider bug must not leave the history half-done
            error = exc if isinstance(exc, LlxprtError) else LlxprtError(f"Unexpected error: {exc}")
            turn.error = error
            arrived = any(chunk.blocks for chunk in chunks)  # usage alone is not a reply
            state: TurnState = "partial" if arrived else "failed"
            await self._end(turn, chunks, state, started, before, recording)
            yield Failed(error, turn.reply)
            return
        # An empty reply (nothing but usage, say) finishes too; it adds nothing to the history.
        reply = await self._end(turn, chunks, "complete", started, before, recording)
        yield Finished(
            reply.metadata.finish_reason,
            reply,
            turn.first_token_seconds,
            turn.duration_seconds or 0.0,
        )

    async def _end(
        self,
        turn: Turn,
        chunks: list[IContent],
        state: TurnState,
        started: float,
        before: MessageNode | None,
        recording: asyncio.Future[SessionRecorder | None],
    ) -> IContent:
        """End the turn; the reply as merged (kept in the history only when it has blocks)."""
        turn.state = state
        turn.duration_seconds = self._clock() - started
        merged = merge_stream(chunks)
        turn.usage = merged.metadata.usage
        if turn.usage is not None:
            self.usage = self.usage + turn.usage
        prompt = turn.prompt_node
        if merged.blocks:
            turn.reply = merged
            turn.reply_node = self._tree.add(
                merged,
                prompt,
                state=state,
                first_token_seconds=turn.first_token_seconds,
                duration_seconds=turn.duration_seconds,
            )
        elif prompt is not None and (state == "failed" or not turn.added_prompt):
            # Nothing came back: a new prompt leaves the history (the caller shows it again),
            # and the branch shown before the turn (a retry's old reply) is shown again.
            if turn.added_prompt:
                self._tree.remove(prompt)
                turn.prompt_node = None
            self._tree.show(before)
        recorder = await asyncio.shield(recording)
        if recorder is not None:
            reply_id = await recorder.ended(
                turn.reply,
                state,
                first_token_seconds=turn.first_token_seconds,
                duration_seconds=turn.duration_seconds,
            )
            if turn.reply_node is not None:
                turn.reply_node.stored_id = reply_id
            elif state == "failed" or not turn.added_prompt:
                last = self._tree.last
                await recorder.show(last.stored_id if last is not None else None)
        return merged

    async def retry(self) -> AsyncGenerator[ReplyEvent, None]:
        """Ask the prompt of the branch on screen again: a new reply beside the old one."""
        turn = self.last_turn
        prompt = self.retry_target()
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        if prompt is None:
            if turn is None:
                raise LlxprtError("Nothing to retry yet.")
            # A failed turn's prompt left the history: it is asked anew.
            async with aclosing(self.send(turn.prompt)) as events:
                async for event in events:
                    yield event
            return
        self._busy = True
        before = self._tree.last
        self._tree.show(prompt)
        retried = Turn(prompt.content.text(), prompt_node=prompt, added_prompt=False)
        self.last_turn = retried
        try:
            recording = asyncio.ensure_future(self._record(prompt, None, new=False))
            async with aclosing(self._stream(retried, before, recording)) as events:
                async for event in events:
                    yield event
        finally:
            self._busy = False

    def retry_target(self) -> MessageNode | None:
        """The prompt `retry()` asks again: the last one on screen, unless the last turn
        failed (its prompt left the history; it is sent anew)."""
        turn = self.last_turn
        if turn is not None and turn.state == "failed" and turn.prompt_node is None:
            return None
        for node in reversed(self._tree.path()):
            if node.content.speaker == "human":
                return node
        return None

    def switch(self, node: MessageNode, step: int) -> MessageNode | None:
        """Show the sibling `step` away from `node` (and what followed it); None if none."""
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        return self._tree.switch(node, step)

    def load_history(self, contents: Sequence[IContent]) -> None:
        """A conversation to go on with, as one branch."""
        self.load_tree(ConversationTree.linear(contents))

    def load_tree(self, tree: ConversationTree) -> None:
        """A stored conversation with its branches (a restored tab, a fork)."""
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        self._tree = tree

    def clear(self) -> None:
        if self._busy:
            raise SessionBusyError("A reply is still streaming: cancel it first.")
        self._tree = ConversationTree()
        self.last_turn = None

    def last_reply_text(self) -> str | None:
        for content in reversed(self.history):
            if content.speaker == "ai" and content.text():
                return content.text()
        return None

    # --- export -------------------------------------------------------------------------------

    def to_markdown(self, header: ExportHeader | None = None, *, title: str | None = None) -> str:
        """The conversation as Markdown; `title` (say, a tab's name) instead of the session's."""
        return conversation_markdown(title or self.title, self.history, header)

    def to_json(self, header: ExportHeader | None = None, *, title: str | None = None) -> str:
        return conversation_json(title or self.title, self.history, self.system_prompt, header)
