"""`llxprt -p`: one prompt, the reply streamed to stdout, then exit.

The conversation is a runtime `ChatSession` (the one a tab uses): it builds the call, the
system prompt and the reply; this module only writes its events in the chosen format.

Exit codes: 0 on success, 2 for bad arguments or configuration (or nothing to send), 1 for a
provider error, 130 when interrupted; killed by SIGPIPE when the reader goes away, as cat is.
Errors are one line each on stderr, name flags rather than chat commands, and never contain
a key.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from typing import Any, TextIO

from llxprt_runtime.api import (
    ChatSession,
    CliOverrides,
    Failed,
    Finished,
    ReplyEvent,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    activate_isolated_runtime_context,
    apply_cli_overrides,
    reset_cli_provider_infrastructure,
    visible_controls,
)
from llxprt_runtime.errors import LlxprtError, StartupProblemsError
from llxprt_runtime.providers.content import IContent, Usage
from llxprt_tui.shell_hints import for_the_shell

EXIT_OK, EXIT_PROVIDER, EXIT_BAD_ARGUMENTS, EXIT_INTERRUPTED = 0, 1, 2, 130


class _ConfigurationError(Exception):
    """Raised around bootstrap so its errors map to exit code 2."""

    def __init__(self, cause: LlxprtError) -> None:
        super().__init__(str(cause))
        self.cause = cause


class NothingToSendError(LlxprtError):
    """-p was empty and stdin brought no text."""


def read_prompt(args: argparse.Namespace, stdin: TextIO | None) -> str:
    """Piped stdin comes first, then the -p text (as llxprt-code does)."""
    prompt: str = args.prompt
    if stdin is not None and not stdin.isatty():
        piped = stdin.read()
        if piped.strip():
            prompt = f"{piped.rstrip()}\n\n{prompt}" if prompt else piped
    return prompt


def run_oneshot(args: argparse.Namespace, overrides: CliOverrides) -> int:
    """Run `-p` with the parsed flags and what they set (cli.py builds both: this module
    never imports the command line back)."""
    try:
        prompt = read_prompt(args, sys.stdin)
        if not prompt.strip():
            raise _ConfigurationError(
                NothingToSendError(
                    'nothing to send: the prompt is empty and stdin has no text (llxprt -p "…", '
                    "or pipe the text in)"
                )
            )
        return asyncio.run(_run(args, overrides, prompt, sys.stdout))
    except KeyboardInterrupt:
        print("llxprt: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _end_as_cat_does()
    except _ConfigurationError as exc:
        return _report(args, exc.cause, EXIT_BAD_ARGUMENTS)
    except LlxprtError as exc:  # ProviderError, ProviderRuntimeNormalizationError...
        return _report(args, exc, EXIT_PROVIDER)


def _report(args: argparse.Namespace, exc: LlxprtError, status: int) -> int:
    """One line on stderr per problem; with a JSON output format, the error on stdout too,
    so a script reading stdout can parse it."""
    problems = exc.problems if isinstance(exc, StartupProblemsError) else (str(exc),)
    lines = [for_the_shell(_one_line(problem)) for problem in problems]
    for line in lines:  # a server's error body may hold control sequences: shown, not sent
        print(f"llxprt: {visible_controls(line)}", file=sys.stderr)
    error = {"type": type(exc).__name__, "message": "\n".join(lines)}
    try:
        if args.output_format == "json":
            print(json.dumps({"error": error}, ensure_ascii=False, indent=2), flush=True)
        elif args.output_format == "stream-json":
            print(json.dumps({"type": "error", "error": error}, ensure_ascii=False), flush=True)
    except BrokenPipeError:
        return _end_as_cat_does()
    return status


def _end_as_cat_does() -> int:
    """The reader went away (`llxprt -p … | head -1`): end at once and silently, killed by
    SIGPIPE as cat is (the shell shows 141; `set -o pipefail` scripts know it). Exit 1, the
    Python docs' choice, would look like a provider error. Python ignores SIGPIPE to raise
    BrokenPipeError instead, so the default action is restored and the signal sent here."""
    sigpipe = getattr(signal, "SIGPIPE", None)
    if sigpipe is not None:
        signal.signal(sigpipe, signal.SIG_DFL)
        os.kill(os.getpid(), sigpipe)
    return 128 + 13  # where there is no SIGPIPE: the status a shell would show


def _one_line(exc: BaseException | str) -> str:
    return " ".join(str(exc).split())


async def _run(args: argparse.Namespace, overrides: CliOverrides, prompt: str, out: TextIO) -> int:
    runtime = await activate_isolated_runtime_context(runtime_id="cli-oneshot")
    try:
        try:
            await apply_cli_overrides(overrides, runtime=runtime)
        except LlxprtError as exc:
            raise _ConfigurationError(exc) from exc
        provider = runtime.settings_service.active_provider or ""
        model = runtime.config.get_model() or ""
        # On a terminal a reply's control sequences (OSC 52, CSI 2J...) are shown, not run.
        shown = args.output_format == "text" and not args.raw_output and out.isatty()
        writer = _Writer(args.output_format, out, provider, model, visible=shown)
        try:
            async for event in ChatSession(runtime).send(prompt):
                writer.write(event)
        except BrokenPipeError:
            # Here, not after asyncio.run: its clean-up would close the reply's generators
            # while they are running and print their tracebacks.
            return _end_as_cat_does()
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
