"""The web side of `llxprt serve`: textual-serve behind a token, one app process per socket.

textual-serve's `Server` serves a page and starts the app command for every websocket. We keep
its per-connection `AppService` and its page script, and change what is reachable: every route
but the static files needs the token (compared in constant time, refused with 403 before
anything starts), the page carries no value but the websocket URL, links may only open http(s)
pages in a new tab, file downloads are not served, and at most `--max-apps` app processes run
at once (one more connection is closed with the reason, which the page shows).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, web
from aiohttp.typedefs import Middleware
from textual_serve.app_service import AppService
from textual_serve.server import Server

from llxprt_tui.serve.command import ServeOptions, page_url

log = logging.getLogger("llxprt.serve")

TEMPLATES = Path(__file__).with_name("templates")
FORBIDDEN = "403: this address needs the token printed when llxprt serve started.\n"
LINK_SCHEMES = ("http", "https")
STATIC_ROUTE = "static"
SOCKETS = web.AppKey("llxprt_sockets", set[web.WebSocketResponse])
# A websocket close reason: at most 123 bytes, shown by the page's "session ended" dialog.
APPS_FULL = (
    "llxprt serve runs its limit of {n} apps (--max-apps): close another llxprt tab, then Restart."
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def token_matches(given: str, token: str) -> bool:
    """Constant time in the token's content, so response timing tells nothing about it."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


def token_middleware(token: str) -> Middleware:
    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        # Static files are textual-serve's own script, styles and fonts: nothing of the user's.
        if request.match_info.route.name == STATIC_ROUTE:
            return await handler(request)
        given = request.match_info.get("token") or request.query.get("token", "")
        if not token_matches(given, token):
            return web.Response(status=403, text=FORBIDDEN)
        return await handler(request)

    return require_token


class GuardedAppService(AppService):
    """One connection's app process; only plain web links reach the page, always a new tab."""

    async def on_meta(self, data: bytes) -> None:
        meta = json.loads(data)
        kind = meta.get("type") if isinstance(meta, dict) else None
        if kind == "open_url":
            url = str(meta.get("url", ""))
            if urlsplit(url).scheme.lower() not in LINK_SCHEMES:
                log.warning("not opening a link that is not http(s): %r", url[:200])
                return
            await self.remote_write_str(json.dumps(["open_url", {"url": url, "new_tab": True}]))
        elif kind == "deliver_file_start":
            log.warning("file downloads are not served by llxprt serve")
        else:
            await super().on_meta(data)

    async def on_packed(self, payload: bytes) -> None:
        """Packed packets only carry download chunks, which are not served."""


class TokenServer(Server):
    def __init__(self, options: ServeOptions) -> None:
        super().__init__(
            options.app_command,
            host=options.host,
            port=options.port,
            title="llxprt",
            templates_path=TEMPLATES,
        )
        self.options = options

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[token_middleware(self.options.token)])
        app[SOCKETS] = set()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index),
                # The token is in the path: textual.js appends "?width=..&height=.." to this URL.
                web.get("/ws/{token}", self.handle_websocket),
                web.static("/static", self.statics_path, name=STATIC_ROUTE),
            ]
        )
        app.on_shutdown.append(self._close_sockets)
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        nonce = secrets.token_urlsafe(16)
        # The browser's own host (it may be a tunnel's local port), never the bind address.
        ws_scheme = "wss" if request.secure else "ws"
        socket_url = f"{ws_scheme}://{request.host}/ws/{self.options.token}"
        context = {
            "nonce": nonce,
            "socket_url": socket_url,
            "static_url": "/static/",
            "font_size": max(8, min(32, _int(request.query.get("fontsize"), 16))),
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers.update(
            {
                "Content-Security-Policy": (
                    f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; "
                    "style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; "
                    f"connect-src 'self' {ws_scheme}://{request.host}; base-uri 'none'; "
                    "form-action 'none'; frame-ancestors 'none'"
                ),
                # The page address holds the token: never send it to a site a link opens.
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "DENY",
            }
        )
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        sockets = request.app[SOCKETS]
        if len(sockets) >= self.options.max_apps:
            return await self._refuse_one_more(request)
        websocket = web.WebSocketResponse(heartbeat=15)
        # Counted before the first await: two connections at once cannot both take the last place.
        sockets.add(websocket)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        app_service: GuardedAppService | None = None
        try:
            await websocket.prepare(request)

            async def close() -> None:
                await websocket.close()

            app_service = GuardedAppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
            )
            await app_service.start(width, height)
            if app_service._process is not None:
                log.info("a browser connected: app process %d", app_service._process.pid)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            # Cancelled while still being opened (the server stopping): nothing to close yet.
            if websocket.prepared:
                await websocket.close()
        except Exception:
            log.exception("connection failed")
        finally:
            sockets.discard(websocket)
            if app_service is not None:
                await app_service.stop()
        return websocket

    async def _refuse_one_more(self, request: web.Request) -> web.WebSocketResponse:
        """Starts nothing: the socket is opened only to be closed with the reason."""
        limit = self.options.max_apps
        log.warning("a browser connection was refused: %d apps run (--max-apps %d)", limit, limit)
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        reason = APPS_FULL.format(n=limit).encode()
        await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=reason)
        return websocket

    async def _close_sockets(self, app: web.Application) -> None:
        # Closing a socket ends its message loop, which tells its app process to quit.
        sockets = app[SOCKETS]
        for websocket in list(sockets):
            if websocket.prepared:  # one still being opened ends when its handler is cancelled
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    async def run(self) -> None:
        runner = web.AppRunner(await self._make_app(), access_log=None, shutdown_timeout=10)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.options.host, self.options.port)
            await site.start()
            port = int(runner.addresses[0][1])
            # The token is printed here once; the access log (which would repeat it) is off.
            print(page_url(self.options.host, port, self.options.token), flush=True)
            print("llxprt serve: every browser tab runs its own llxprt; ctrl+c stops.", flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(signum, stop.set)
            await stop.wait()
        finally:
            await runner.cleanup()


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def serve(options: ServeOptions) -> int:
    logging.basicConfig(format="llxprt serve: %(message)s", stream=sys.stderr)
    log.setLevel(logging.INFO)
    try:
        asyncio.run(TokenServer(options).run())
    except OSError as exc:  # the port is taken, the address is not ours...
        print(
            f"llxprt serve: cannot listen on {options.host}:{options.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    return 0
