"""`llxprt -p`: one prompt, the reply streamed to stdout, then exit.

The conversation is a runtime `ChatSession` (the one a tab uses): it builds the call, the
system prompt and the reply; this module only writes its events in the chosen format.

Exit codes: 0 on success, 2 for bad arguments or configuration, 1 for a provider error,
130 when interrupted. Errors are one line on stderr and never contain a key.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, TextIO

from llxprt_runtime import LlxprtError
from llxprt_runtime.bootstrap import apply_cli_overrides
from llxprt_runtime.chat.events import (
    Failed,
    Finished,
    ReplyEvent,
    TextDelta,
    ThinkingDelta,
    ToolCall,
)
from llxprt_runtime.chat.session import ChatSession
from llxprt_runtime.errors import ProviderError, ProviderRuntimeNormalizationError
from llxprt_runtime.overrides import CliOverrides
from llxprt_runtime.providers.content import IContent, Usage
from llxprt_runtime.runtime.lifecycle import (
    activate_isolated_runtime_context,
    reset_cli_provider_infrastructure,
)
from llxprt_runtime.terminal_text import visible_controls

EXIT_OK, EXIT_PROVIDER, EXIT_BAD_ARGUMENTS, EXIT_INTERRUPTED = 0, 1, 2, 130


class _ConfigurationError(Exception):
    """Raised around bootstrap so its errors map to exit code 2."""


def read_prompt(args: argparse.Namespace, stdin: TextIO) -> str:
    """Piped stdin comes first, then the -p text (as llxprt-code does)."""
    prompt: str = args.prompt
    if not stdin.isatty():
        piped = stdin.read()
        if piped.strip():
            prompt = f"{piped.rstrip()}\n\n{prompt}" if prompt else piped
    return prompt


def run_oneshot(args: argparse.Namespace, overrides: CliOverrides) -> int:
    """Run `-p` with the parsed flags and what they set (cli.py builds both: this module
    never imports the command line back)."""
    try:
        prompt = read_prompt(args, sys.stdin)
        return asyncio.run(_run(args, overrides, prompt, sys.stdout))
    except KeyboardInterrupt:
        print("llxprt: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK  # the reader went away (`| head`): not an error
    except _ConfigurationError as exc:
        print(f"llxprt: {exc}", file=sys.stderr)
        return EXIT_BAD_ARGUMENTS
    except (ProviderError, ProviderRuntimeNormalizationError) as exc:
        print(f"llxprt: {_one_line(exc)}", file=sys.stderr)
        return EXIT_PROVIDER
    except LlxprtError as exc:
        print(f"llxprt: {_one_line(exc)}", file=sys.stderr)
        return EXIT_PROVIDER


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


async def _run(args: argparse.Namespace, overrides: CliOverrides, prompt: str, out: TextIO) -> int:
    runtime = await activate_isolated_runtime_context(runtime_id="cli-oneshot")
    try:
        try:
            await apply_cli_overrides(overrides, runtime=runtime)
        except LlxprtError as exc:
            raise _ConfigurationError(_one_line(exc)) from exc
        provider = runtime.settings_service.active_provider or ""
        model = runtime.config.get_model() or ""
        # On a terminal a reply's control sequences (OSC 52, CSI 2J...) are shown, not run.
        shown = args.output_format == "text" and not args.raw_output and out.isatty()
        writer = _Writer(args.output_format, out, provider, model, visible=shown)
        async for event in ChatSession(runtime).send(prompt):
            writer.write(event)
        return EXIT_OK
    finally:
        await reset_cli_provider_infrastructure(runtime.runtime_id)


class _Writer:
    """Writes a session's reply events in the chosen output format as they arrive."""

    def __init__(
        self, fmt: str, out: TextIO, provider: str, model: str, *, visible: bool = False
    ) -> None:
        self.fmt = fmt
        self.visible = visible
        self.out = out
        self.provider = provider
        self.model = model
        self.ends_line = True
        self.tool_calls: list[dict[str, Any]] = []

    def write(self, event: ReplyEvent) -> None:
        if isinstance(event, TextDelta) and event.text:
            self.ends_line = event.text.endswith("\n")
            if self.fmt == "text":
                self.out.write(visible_controls(event.text) if self.visible else event.text)
                self.out.flush()
            elif self.fmt == "stream-json":
                self._event({"type": "text", "text": event.text})
        elif isinstance(event, ThinkingDelta) and self.fmt == "stream-json":
            self._event({"type": "thinking", "text": event.text})
        elif isinstance(event, ToolCall):
            block = event.call
            call = {"id": block.id, "name": block.name, "parameters": dict(block.parameters)}
            self.tool_calls.append(call)
            if self.fmt == "stream-json":
                self._event({"type": "tool_call", **call})
        elif isinstance(event, Finished):
            self._finish(event.reply)
        elif isinstance(event, Failed):
            raise event.error  # what arrived before it stays written

    def _event(self, payload: dict[str, Any]) -> None:
        self.out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        self.out.flush()

    def _summary(self, reply: IContent) -> dict[str, Any]:
        meta = reply.metadata
        return {
            "provider": self.provider,
            "model": meta.model or self.model,
            "usage": _usage(meta.usage),
            "finish_reason": meta.finish_reason,
        }

    def _finish(self, reply: IContent) -> None:
        if self.fmt == "text":
            if not self.ends_line:
                self.out.write("\n")
        elif self.fmt == "json":
            payload = {"response": reply.text(), **self._summary(reply)}
            if self.tool_calls:
                payload["tool_calls"] = self.tool_calls
            self.out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        else:
            self._event({"type": "done", **self._summary(reply)})
        self.out.flush()


def _usage(usage: Usage | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "cached_tokens": usage.cached_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
    }
