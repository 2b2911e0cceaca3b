"""A loopback HTTP server that speaks the vendors' wire protocols, records every request
and injects faults on demand.

One server serves all four protocols (routes as the real services use them):
  POST /v1/chat/completions                    OpenAI Chat Completions
  POST /v1/responses                           OpenAI Responses
  POST /v1/messages                            Anthropic Messages
  POST /{v1,v1beta}/models/M:streamGenerateContent?alt=sse, :generateContent   Gemini
  GET  /v1/models (OpenAI, or Anthropic when `anthropic-version` is sent), /{ver}/models (Gemini)

Replies are scripted with `enqueue(Reply(...) | Fault(...))`, consumed one per request; with
nothing queued, a request gets `default_reply(request)` (an echo of the last user text).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """What the model "says"; each protocol renders it in its own events."""

    text: tuple[str, ...] = ("Hello", " from", " the", " wire")
    thinking: tuple[str, ...] = ()
    signature: str = "sig-1"
    tool_calls: tuple[ToolCall, ...] = ()
    prompt_tokens: int = 11
    completion_tokens: int | None = None  # default: number of text chunks
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    finish: str = "stop"  # stop | length | tool_calls
    event_delay: float = 0.0
    # When given, the stream pauses before event `hold_at` until this is set: a test can
    # act "while the reply streams" without depending on how fast the machine is.
    hold: threading.Event | None = field(default=None, compare=False)
    hold_at: int = 1

    @staticmethod
    def tokens(count: int, word: str = "tok", paragraph: int = 0) -> Reply:
        """`count` chunks "tok0 ", "tok1 "...; with `paragraph`, a blank line after every
        `paragraph` of them (a reply in paragraphs rather than one long one)."""
        return Reply(
            text=tuple(
                f"{word}{i}" + ("\n\n" if paragraph and (i + 1) % paragraph == 0 else " ")
                for i in range(count)
            )
        )

    @property
    def output_tokens(self) -> int:
        return self.completion_tokens if self.completion_tokens is not None else len(self.text)


@dataclass(frozen=True)
class Fault:
    """A failure to serve instead of (or in the middle of) a reply."""

    status: int | None = None  # an HTTP error with the vendor's error body
    message: str = "injected fault"
    retry_after: str | None = None
    reply: Reply = field(default_factory=Reply)  # for the mid-stream faults below
    cut_after: int | None = None  # close the connection after N events
    malformed_after: int | None = None  # then send a chunk that is not JSON
    error_event_after: int | None = None  # then send the vendor's error event
    # When given, nothing is sent until this is set (the request is recorded first): a slow
    # server for as long as the test needs, not for a time the machine's load may outlast.
    first_byte_hold: threading.Event | None = field(default=None, compare=False)
    redirect_to: str | None = None  # answer `status` (default 307) with Location: this + path
    empty: bool = False  # a 200 stream with no content and no finish reason


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: Any
    client_port: int
    received_at: float

    @property
    def protocol(self) -> str:
        return route_protocol(self.method, self.path, self.headers)

    def last_user_text(self) -> str:
        from tests.wire.protocols import last_user_text

        return last_user_text(self)


def route_protocol(method: str, path: str, headers: dict[str, str]) -> str:
    if path.endswith("/chat/completions"):
        return "openai"
    if path.endswith("/responses"):
        return "openai-responses"
    if path.endswith("/messages"):
        return "anthropic"
    if ":streamGenerateContent" in path or ":generateContent" in path:
        return "gemini"
    if method == "GET" and path.rstrip("/").endswith("/models"):
        if path.startswith("/v1/") and "anthropic-version" in headers:
            return "anthropic-models"
        return (
            "openai-models"
            if path == "/v1/models" and "x-goog-api-key" not in headers
            else ("gemini-models")
        )
    return "unknown"


def echo_reply(request: RecordedRequest) -> Reply:
    words = f"Echo: {request.last_user_text()}".split(" ")
    return Reply(text=tuple(w if i == 0 else f" {w}" for i, w in enumerate(words)))


class WireServer:
    """Start with `with WireServer() as server:`; `server.url` is http://127.0.0.1:PORT."""

    def __init__(
        self, default_reply: Callable[[RecordedRequest], Reply] = echo_reply, port: int = 0
    ) -> None:
        self.default_reply = default_reply
        self.requests: list[RecordedRequest] = []
        self.models: tuple[str, ...] = ("model-a", "model-b", "model-c")
        self.models_fault: Fault | None = None
        self._queue: deque[Reply | Fault] = deque()
        self._lock = threading.Lock()
        self._received = threading.Condition(self._lock)
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.wire = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WireServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> WireServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def enqueue(self, *items: Reply | Fault) -> None:
        with self._lock:
            self._queue.extend(items)

    def _next(self, request: RecordedRequest) -> Reply | Fault:
        with self._lock:
            self.requests.append(request)
            self._received.notify_all()
            if self._queue:
                return self._queue.popleft()
        return self.default_reply(request)

    def wait_for_chat_requests(self, count: int = 1) -> list[RecordedRequest]:
        """Block (a thread, not the event loop) until `count` chat requests have arrived."""
        with self._received:
            self._received.wait_for(lambda: len(self.chat_requests()) >= count)
            return self.chat_requests()

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    wire: WireServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        # A client that hangs up mid-stream (cancel, timeout) is expected in these tests.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        from tests.wire import protocols

        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode(errors="replace")
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_port=self.client_address[1],
            received_at=time.monotonic(),
        )
        protocol = request.protocol
        if protocol.endswith("-models"):
            wire = self.server.wire
            wire.requests.append(request)
            if wire.models_fault is not None:  # listing fails with this status
                status = wire.models_fault.status or 500
                body = protocols.for_route(protocol).error_body(status, wire.models_fault.message)
                self._send_json(status, body)
                return
            self._send_json(200, protocols.for_route(protocol).model_list(wire.models))
            return
        if protocol == "unknown":
            self._send_json(404, {"error": {"message": f"no route for {parts.path}"}})
            return
        speaker = protocols.for_route(protocol)
        action = self.server.wire._next(request)
        fault = action if isinstance(action, Fault) else None
        reply = action.reply if isinstance(action, Fault) else action
        if fault is not None and fault.first_byte_hold is not None:
            fault.first_byte_hold.wait(timeout=60)  # bounded, so a failing test cannot hang it
        if fault is not None and fault.redirect_to is not None:
            self._send_json(
                fault.status or 307, {}, {"location": fault.redirect_to.rstrip("/") + self.path}
            )
            return
        if fault is not None and fault.status is not None:
            headers = {"retry-after": fault.retry_after} if fault.retry_after else {}
            self._send_json(fault.status, speaker.error_body(fault.status, fault.message), headers)
            return
        if fault is not None and fault.empty:  # 200, then nothing: no content, no finish
            if speaker.wants_stream(request):
                self._stream(iter(()), protocol, reply, None)
            else:
                self._send_json(200, {})
            return
        if not speaker.wants_stream(request):
            self._send_json(200, speaker.full_response(request, reply))
            return
        self._stream(speaker.stream_events(request, reply), protocol, reply, fault)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(
        self, events: Iterator[str], protocol: str, reply: Reply, fault: Fault | None
    ) -> None:
        from tests.wire import protocols

        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for index, event in enumerate(events):
            if fault is not None:
                if fault.cut_after is not None and index >= fault.cut_after:
                    self._cut()
                    return
                if fault.malformed_after is not None and index >= fault.malformed_after:
                    self._chunk(protocols.for_route(protocol).malformed_event())
                    self._end()
                    return
                if fault.error_event_after is not None and index >= fault.error_event_after:
                    self._chunk(protocols.for_route(protocol).error_event(fault.message))
                    self._end()
                    return
            if reply.hold is not None and index == reply.hold_at:
                reply.hold.wait(timeout=60)  # a bound, so a failing test cannot hang the server
            if reply.event_delay:
                time.sleep(reply.event_delay)
            self._chunk(event)
        self._end()

    def _chunk(self, text: str) -> None:
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _cut(self) -> None:
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
