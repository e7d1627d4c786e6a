"""The web server behind `coach serve`: textual-serve's Server with an offline page, a session per
tab forked from a pre-loaded parent, a cap on sessions, and sessions that end with the server.

textual-serve runs one process per browser tab. What is ours: the page template (textual-serve's own
links a web font from the internet; a training room may have none), how each tab's process starts
and ends (`coach/serve/sessions.py`: forked from a fork server, in its own process group, ended in
bounded time), the room's cap ("the room is full" beyond it) and shutdown (Ctrl+C or SIGTERM tells
every session to quit, waits for each, and ends any that will not).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from coach.serve import DEFAULT_MAX_SESSIONS
from coach.serve.sessions import SessionProcess, end_process, launcher

log = logging.getLogger("coach.serve")

READER_GRACE_S = 2.0  # after a session's process has ended, its output is read to the end this long
#: The Textual driver every session runs: textual-serve's protocol, ended when the server goes away.
DRIVER = "coach.tui.drivers.web:CoachWebDriver"
TRY_AGAIN_S = 30  # the room-full page tries again by itself this often
FIRST_SCREEN_WAIT_S = 10.0  # a session holds its start slot at most this long (one that never draws)

PAGE_TEXT = {
    "zh": {"starting": "正在打开柜员教练…", "ended": "本次练习已结束。", "again": "重新开始",
           "full_title": "练习室已满",
           "full": "已有 {n} 位柜员在练习，达到本机的上限（{cap} 位）。有人结束后即可加入。",
           "full_retry": "本页每 {s} 秒自动重试一次。", "full_again": "再试一次"},
    "en": {"starting": "Opening the coach…", "ended": "This session has ended.", "again": "Start again",
           "full_title": "The training room is full",
           "full": "Places taken: {n} of {cap}. You can join when a teller finishes.",
           "full_retry": "This page tries again every {s} seconds.", "full_again": "Try again"},
}


def session_environment(base: dict[str, str]) -> dict[str, str]:
    """What textual-serve gives each session's process, with our driver. COLUMNS and ROWS are set per
    session; the rest is read by Textual at import, so the fork server starts with it too."""
    return {**base, "TEXTUAL_DRIVER": DRIVER, "TEXTUAL_FPS": "60", "TEXTUAL_COLOR_SYSTEM": "truecolor",
            "TERM_PROGRAM": "textual", "TERM_PROGRAM_VERSION": version("textual-serve")}


class CoachSession(AppService):
    """One tab's `coach run`, started by the server's launcher; stopping it always ends its process."""

    def __init__(self, launcher, **kwargs) -> None:
        super().__init__("coach run", **kwargs)
        self.launcher = launcher
        self._stopping: asyncio.Future | None = None
        self.first_output = asyncio.Event()  # its first screen has been sent to the tab

    async def on_data(self, payload: bytes) -> None:
        self.first_output.set()
        await super().on_data(payload)

    async def drawn(self, timeout: float) -> None:
        """Until its first screen is sent, it ends, or `timeout` passes."""
        drawn = asyncio.ensure_future(self.first_output.wait())
        waits = [drawn] + ([self._task] if self._task is not None else [])
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        drawn.cancel()

    async def _open_app_process(self, width: int = 80, height: int = 24) -> SessionProcess:
        self._process = process = await self.launcher.open(width, height)
        self._stdin = process.stdin
        return process

    @property
    def process(self) -> SessionProcess | None:
        return self._process

    async def run(self) -> None:
        await super().run()  # until the session's output ends
        # However it ended (it quit, crashed or was killed), the tab is told: its page offers to start
        # again, instead of a screen that no longer answers (textual-serve closes only on `exit`).
        try:
            await self.remote_close()
        except Exception:  # noqa: BLE001 - the socket is already gone
            pass

    async def stop(self) -> None:
        """Ask the session to quit, and end its process group if it has not ended in time. Safe to
        call twice (a tab closing while the server stops)."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        process = self._process
        if process is None:
            return
        asked = False
        if process.returncode is None:
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
            asked = await self.send_meta({"type": "quit"})
        await end_process(process, asked)
        task, self._task = self._task, None
        if task is not None:  # the output ends with the process (its whole group is gone)
            try:
                await asyncio.wait_for(task, READER_GRACE_S)
            except asyncio.TimeoutError:
                pass
        if self._stdin is not None:
            self._stdin.close()


class CoachServer(Server):
    """One session per browser tab, up to `max_sessions`, all stopped with the server."""

    def __init__(self, args: list[str], *, host: str, port: int, lang: str, announce, env: dict[str, str],
                 launch: str = "auto", max_sessions: int = DEFAULT_MAX_SESSIONS) -> None:
        import textual_serve

        statics = Path(textual_serve.__file__).parent / "static"
        templates = Path(str(files("coach.serve") / "templates"))
        super().__init__("coach " + " ".join(args), host=host, port=port, title="coach",
                         statics_path=statics, templates_path=templates)
        self.lang = lang
        self.announce = announce
        self.launcher = launcher(launch, args, session_environment(env))
        self.max_sessions = max_sessions
        self.sockets: set[web.WebSocketResponse] = set()
        self.sessions: set[CoachSession] = set()
        self.started = 0  # tabs opened since the server started
        self.turned_away = 0  # tabs told the room is full
        # Sessions drawing their first screen at once: as many as there are cores. When a room opens
        # 40 tabs together, 40 starts sharing 2 cores would all finish late (each gets 1/20 of a
        # core); in turn, most tellers see their screen early and none later than before.
        self.start_slots = asyncio.Semaphore(max(1, os.cpu_count() or 1))

    def initialize_logging(self) -> None:
        # textual-serve logs through rich with locals in tracebacks; a trainer needs only warnings.
        logging.basicConfig(level=logging.WARNING, format="coach serve: %(message)s")

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.router.add_get("/full", self.handle_full, name="full")
        return app

    async def on_startup(self, app: web.Application) -> None:
        await self.launcher.start()  # the fork server imports the coach while the trainer reads this
        self.announce(self.public_url)

    async def on_shutdown(self, app: web.Application) -> None:
        # Closing a tab's socket ends its message loop, which stops its session; stop them here too,
        # so the fork server goes last.
        await asyncio.gather(
            *(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped") for ws in list(self.sockets)),
            return_exceptions=True,
        )
        await asyncio.gather(*(s.stop() for s in list(self.sessions)), return_exceptions=True)
        await self.launcher.stop()

    @property
    def full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def full_page(self, request: web.Request) -> web.Response:
        text = PAGE_TEXT[self.lang]
        context = {
            "lang": self.lang, "try_again_s": TRY_AGAIN_S, "index": str(request.app.router["index"].url_for()),
            "title": text["full_title"], "again": text["full_again"],
            "full": text["full"].format(n=len(self.sessions), cap=self.max_sessions), "retry": text["full_retry"].format(s=TRY_AGAIN_S),
        }
        # 503 with Retry-After: the page is a notice, not the coach.
        response = aiohttp_jinja2.render_template("room_full.html", request, context, status=503)
        response.headers["Retry-After"] = str(TRY_AGAIN_S)
        return response

    async def handle_full(self, request: web.Request) -> web.Response:
        return self.full_page(request)

    async def handle_index(self, request: web.Request) -> web.Response:
        if self.full:
            return self.full_page(request)
        # Addresses as the browser reached us (a PC in the room knows this server by its own name for
        # it, not by the address it listens on, such as 0.0.0.0).
        router = request.app.router
        socket_scheme = "wss" if request.secure else "ws"
        socket_url = f"{socket_scheme}://{request.host}{router['websocket'].url_for()}"
        context = {
            "lang": self.lang,
            "font_size": _cells(request.query.get("fontsize"), 16),
            "app_websocket_url": socket_url,
            "config": {"static": {"url": str(router["static"].url_for(filename="/")).rstrip("/") + "/"}},
            "application": {"name": self.title},
            **PAGE_TEXT[self.lang],
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _cells(request.query.get("width"), 80)
        height = _cells(request.query.get("height"), 24)
        await websocket.prepare(request)
        if self.full:  # a page loaded just before the room filled: send it to the notice
            self.turned_away += 1
            url = str(request.app.router["full"].url_for())
            await websocket.send_str(json.dumps(["open_url", {"url": url, "new_tab": False}]))
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"the room is full")
            return websocket
        session = CoachSession(
            self.launcher,
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
            async with self.start_slots:
                await session.start(width, height)
                await session.drawn(FIRST_SCREEN_WAIT_S)
            async for message in websocket:
                if message.type == WSMsgType.TEXT:
                    await _forward(session, websocket, message)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # a broken tab must not stop the others
            log.warning("a browser session failed: %s", exc)
        finally:
            self.sockets.discard(websocket)
            try:
                await session.stop()
            finally:
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
    if not isinstance(envelope, list) or not 1 <= len(envelope) <= 2:
        return
    kind, data = envelope[0], envelope[1] if len(envelope) == 2 else None  # the page sends ["blur"]
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
