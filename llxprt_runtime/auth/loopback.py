"""The loopback HTTP server that receives the browser's redirect after a login.

It listens on 127.0.0.1, on the first free port of 1455 then 1456-1485 (the ports llxprt-code
and the Codex CLI register as redirect URIs), answers exactly one GET of the callback path
and hands its query parameters to the waiting login. Anything else gets a 404.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from llxprt_runtime.errors import LlxprtError

DEFAULT_PORTS: tuple[int, ...] = (1455, *range(1456, 1486))
_MAX_HEAD = 16384
_DONE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>llxprt</title></head>"
    "<body><h1>Login complete</h1><p>You can close this window and return to llxprt.</p>"
    "</body></html>"
)


class CallbackServer:
    """`async with CallbackServer(ports, path) as server:` … `await server.wait()`."""

    def __init__(self, ports: tuple[int, ...], path: str) -> None:
        self._ports = ports
        self._path = path
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[dict[str, str]] | None = None
        self.port = 0

    async def __aenter__(self) -> CallbackServer:
        self._result = asyncio.get_running_loop().create_future()
        for port in self._ports:
            try:
                self._server = await asyncio.start_server(self._handle, "127.0.0.1", port)
            except OSError:
                continue
            self.port = int(self._server.sockets[0].getsockname()[1])
            return self
        shown = f"{self._ports[0]}-{self._ports[-1]}" if len(self._ports) > 1 else self._ports[0]
        raise LlxprtError(
            f"Could not listen for the login callback: ports {shown} on 127.0.0.1 are all "
            "in use. Close what holds them, or use the device login (--device)."
        )

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def wait(self) -> dict[str, str]:
        assert self._result is not None
        return await self._result

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        try:
            line = head[:_MAX_HEAD].split(b"\r\n", 1)[0].decode("latin-1")
            method, target, _version = line.split(" ", 2)
        except ValueError:
            await self._reply(writer, 400, "Bad request")
            return
        parts = urlsplit(target)
        result = self._result
        if method != "GET" or parts.path != self._path or result is None or result.done():
            await self._reply(writer, 404, "Not found")
            return
        params = {k: v[0] for k, v in parse_qs(parts.query).items() if v}
        await self._reply(writer, 200, _DONE_PAGE, html=True)
        if not result.done():
            result.set_result(params)

    @staticmethod
    async def _reply(
        writer: asyncio.StreamWriter, status: int, body: str, html: bool = False
    ) -> None:
        data = body.encode("utf-8")
        kind = "text/html; charset=utf-8" if html else "text/plain; charset=utf-8"
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
        writer.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode("ascii")
            + data
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()
