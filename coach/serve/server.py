"""The web server behind `coach serve`: textual-serve's Server with an offline page and sessions
that end with the server.

textual-serve already runs one process per browser tab. Two things are ours: the page template
(textual-serve's own links a web font from the internet; a training room may have none) and
shutdown (Ctrl+C closes every tab's websocket, which tells each `coach run` to quit, and waits for
them, so no session outlives the server).
"""

from __future__ import annotations

import asyncio
import logging
from importlib.resources import files
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("coach.serve")

PAGE_TEXT = {
    "zh": {"starting": "正在打开柜员教练…", "ended": "本次练习已结束。", "again": "重新开始"},
    "en": {"starting": "Opening the coach…", "ended": "This session has ended.", "again": "Start again"},
}


class CoachSession(AppService):
    """One tab's `coach run`; stopping it waits for the process to end (and ends it if it will not)."""

    async def stop(self) -> None:
        await super().stop()  # asks the app to quit and waits for its output to close
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except asyncio.TimeoutError:  # an app that ignores `quit`: answers are already stored
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=5)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()


class CoachServer(Server):
    """One `coach run` per browser tab, all stopped with the server."""

    def __init__(self, command: str, *, host: str, port: int, lang: str, announce) -> None:
        import textual_serve

        statics = Path(textual_serve.__file__).parent / "static"
        templates = Path(str(files("coach.serve") / "templates"))
        super().__init__(command, host=host, port=port, title="coach",
                         statics_path=statics, templates_path=templates)
        self.lang = lang
        self.announce = announce
        self.sockets: set[web.WebSocketResponse] = set()
        self.sessions: set[CoachSession] = set()
        self.started = 0  # tabs opened since the server started

    def initialize_logging(self) -> None:
        # textual-serve logs through rich with locals in tracebacks; a trainer needs only warnings.
        logging.basicConfig(level=logging.WARNING, format="coach serve: %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        self.announce(self.public_url)

    async def on_shutdown(self, app: web.Application) -> None:
        # Closing a tab's socket ends its message loop, which sends `quit` to its coach process.
        await asyncio.gather(
            *(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped") for ws in list(self.sockets)),
            return_exceptions=True,
        )
        await asyncio.gather(*(s.stop() for s in list(self.sessions)), return_exceptions=True)

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        # Addresses as the browser reached us (a PC in the room knows this server by its own name for
        # it, not by the address it listens on, such as 0.0.0.0).
        router = request.app.router
        socket_scheme = "wss" if request.secure else "ws"
        socket_url = f"{socket_scheme}://{request.host}{router['websocket'].url_for()}"
        return {
            "lang": self.lang,
            "font_size": _cells(request.query.get("fontsize"), 16),
            "app_websocket_url": socket_url,
            "config": {"static": {"url": str(router["static"].url_for(filename="/")).rstrip("/") + "/"}},
            "application": {"name": self.title},
            **PAGE_TEXT[self.lang],
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _cells(request.query.get("width"), 80)
        height = _cells(request.query.get("height"), 24)
        await websocket.prepare(request)
        session = CoachSession(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=False,
        )
        self.sockets.add(websocket)
        self.sessions.add(session)
        self.started += 1
        try:
            await session.start(width, height)
            async for message in websocket:
                if message.type == WSMsgType.TEXT:
                    await _forward(session, websocket, message)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # a broken tab must not stop the others
            log.warning("a browser session failed: %s", exc)
        finally:
            self.sockets.discard(websocket)
            await session.stop()
            self.sessions.discard(session)
            if not websocket.closed:
                await websocket.close()
        return websocket


async def _forward(session: CoachSession, websocket: web.WebSocketResponse, message) -> None:
    """One message from the browser: keys, a resize, focus, or a ping."""
    try:
        envelope = message.json()
    except ValueError:
        return
    if not isinstance(envelope, list) or len(envelope) != 2:
        return
    kind, data = envelope
    if kind == "stdin" and isinstance(data, str):
        await session.send_bytes(data.encode("utf-8"))
    elif kind == "resize" and isinstance(data, dict):
        await session.set_terminal_size(_cells(data.get("width"), 80), _cells(data.get("height"), 24))
    elif kind == "ping":
        await websocket.send_json(["pong", data])
    elif kind == "blur":
        await session.blur()
    elif kind == "focus":
        await session.focus()


def _cells(value: object, default: int) -> int:
    """A terminal dimension from the browser, kept to a sane range."""
    try:
        n = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return max(1, min(n, 1000))
