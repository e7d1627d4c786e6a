"""A browser tab on `coach serve` without the browser: textual-serve's page protocol over a WebSocket.

The page (textual-serve's textual.js) loads `/`, opens `/ws?width=W&height=H`, sends
`["resize", {"width": W, "height": H}]` and a ping, then sends each key as `["stdin", text]`; the
server answers with binary frames (the terminal's bytes) and text frames (JSON: pong, open_url).
This client does the same and feeds the bytes to pyte, a terminal emulator, to read the screen as
text. It is light enough that 40 of them fit beside 40 sessions on a 2-core PC, which 40 headless
Chromium pages do not. Used by scripts/bench_room.py and tests/serve.
"""

from __future__ import annotations

import asyncio
import json
import time

import re

import aiohttp
import pyte

ENTER, TAB, ESCAPE = "\r", "\t", "\x1b"
#: Escape sequences (CSI, OSC, DCS and two-byte ones) and cursor-positioning noise, dropped to read
#: the text a stream draws without emulating the terminal.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")


class RoomFull(Exception):
    """The server said the room is full (HTTP 503 for the page, or its notice on the socket)."""


class Tab:
    """One tab: open it, wait for text, press keys, close it (as a person closes the browser tab)."""

    def __init__(self, base_url: str, *, width: int = 100, height: int = 30, emulate: bool = True) -> None:
        """`emulate=False` reads text from the stream since the last key sent instead of emulating the
        screen (pyte): a bench with 40 tabs spent more CPU in pyte than the server in its sessions."""
        self.base_url = base_url.rstrip("/")
        self.emulate = emulate
        self._since_key: list[str] = []
        self.width, self.height = width, height
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.frames = 0  # binary frames received
        self.messages: list = []  # text frames received (JSON), such as ["open_url", {...}]
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self._changed = asyncio.Event()
        self._pending: list[bytes] = []
        self._reader: asyncio.Task | None = None
        self.opened_at = 0.0  # monotonic time the page was asked for

    async def open(self, *, page: bool = True) -> "Tab":
        """Load the page (as a browser does first), then connect its socket."""
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=30))
        self.opened_at = time.monotonic()
        if page:
            async with self.http.get(self.base_url + "/") as response:
                body = await response.text()
                if response.status == 503:
                    raise RoomFull(body)
                response.raise_for_status()
        url = f"{self.base_url}/ws?width={self.width}&height={self.height}"
        self.ws = await self.http.ws_connect(url, heartbeat=None, max_msg_size=0)
        await self.ws.send_str(json.dumps(["resize", {"width": self.width, "height": self.height}]))
        await self.ws.send_str(json.dumps(["ping", str(int(time.time() * 1000))]))
        await self.ws.send_str(json.dumps(["focus"]))  # the page's terminal has the keyboard
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for message in self.ws:
                if message.type == aiohttp.WSMsgType.BINARY:
                    self.frames += 1
                    self._pending.append(message.data)  # fed to the emulator when read (cheaper)
                    self._changed.set()
                elif message.type == aiohttp.WSMsgType.TEXT:
                    self.messages.append(json.loads(message.data))
                    self._changed.set()
                elif message.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                    break
        except (aiohttp.ClientError, ConnectionError):
            pass
        finally:
            self.close_code = self.ws.close_code
            self.closed.set()
            self._changed.set()

    def text(self) -> str:
        """The screen's text (emulated), or without emulation what was drawn since the last key sent."""
        if not self.emulate:
            if self._pending:
                pending, self._pending = self._pending, []
                self._since_key.append(_ESCAPES.sub("", b"".join(pending).decode("utf-8", "replace")))
            return "".join(self._since_key)
        if self._pending:
            pending, self._pending = self._pending, []
            self.stream.feed(b"".join(pending))
        return "\n".join(line.rstrip() for line in self.screen.display)

    async def _next_change(self, deadline: float) -> None:
        self._changed.clear()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise asyncio.TimeoutError
        await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_for(self, *needles: str, timeout: float = 30.0) -> str:
        """Wait until every needle is on screen; the screen's text."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if all(n in text for n in needles):
                return text
            if self.closed.is_set():
                raise AssertionError(f"the session closed before {needles!r} showed:\n{text}")
            try:
                await self._next_change(deadline)
            except asyncio.TimeoutError:
                raise AssertionError(f"not on screen after {timeout} s: {needles!r}\n{self.text()}") from None

    async def wait_for_any(self, *needles: str, timeout: float = 30.0) -> str:
        """Wait until one of the needles is on screen; that needle."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            for needle in needles:
                if needle in text:
                    return needle
            if self.closed.is_set():
                raise AssertionError(f"the session closed before any of {needles!r} showed:\n{text}")
            try:
                await self._next_change(deadline)
            except asyncio.TimeoutError:
                raise AssertionError(f"none on screen after {timeout} s: {needles!r}\n{text}") from None

    async def send(self, text: str) -> None:
        assert self.ws is not None
        if not self.emulate:
            self.text()  # what came before this key is read, then forgotten
            self._since_key = []
        await self.ws.send_str(json.dumps(["stdin", text]))

    async def press(self, key: str, *, timeout: float = 30.0) -> float:
        """Send one key; seconds until the first screen update that follows it."""
        before = self.frames
        start = time.monotonic()
        await self.send(key)
        deadline = start + timeout
        while self.frames == before:
            if self.closed.is_set():
                raise AssertionError("the session closed")
            await self._next_change(deadline)
        return time.monotonic() - start

    async def quiet(self, seconds: float = 0.3, timeout: float = 10.0) -> str:
        """Wait until no frame has come for `seconds` (a redraw has finished)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), seconds)
            except asyncio.TimeoutError:
                break
        return self.text()

    async def close(self) -> None:
        """Close the tab: the socket goes away as when a browser tab is closed."""
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except asyncio.TimeoutError:
                self._reader.cancel()
        if self.http is not None:
            await self.http.close()


# ---- what a teller does, step by step (shared by scripts/bench_room.py and tests/serve) ------------

PROMPT = {"zh": "你是哪位柜员", "en": "Who is practising?"}
LIBRARY = {"zh": "场景库", "en": "Scenario library"}
ONE_FOUND = {"zh": "1 个场景", "en": "1 scenarios"}
DEBRIEF = {"zh": "复盘", "en": "Debrief"}


async def log_in(tab: Tab, name: str, *, lang: str = "en", known_prefix: str | None = None,
                 timeout: float = 60.0, think: float = 0.0) -> float:
    """Wait for the "who is practising?" prompt, type a new teller's name, and wait for the library.
    Seconds from opening the tab until the prompt was on screen (the first screen). `known_prefix`:
    names that may be listed already (then the list has the focus and Tab moves to the name field).
    `think`: seconds between the prompt showing and the first key."""
    await tab.wait_for(PROMPT[lang], timeout=timeout)
    first_screen = time.monotonic() - tab.opened_at
    await asyncio.sleep(think)  # a person reads the prompt before typing
    text = await tab.quiet(0.2)
    if known_prefix is not None and known_prefix in text:
        await tab.send(TAB)
        await tab.quiet(0.2)
    for attempt in range(3):
        await tab.send(name)
        try:
            await tab.wait_for(name, timeout=3 if attempt < 2 else timeout)  # typed into the field
            break
        except AssertionError:
            await tab.send(TAB)  # the list of known names had the keyboard: on to the name field
            await tab.quiet(0.2)
    await tab.send(ENTER)
    await tab.wait_for(LIBRARY[lang], timeout=timeout)
    if tab.emulate:  # the library shows behind the prompt (dimmed): wait for the prompt to go
        deadline = time.monotonic() + timeout
        while PROMPT[lang] in tab.text():
            await tab._next_change(deadline)
    await tab.quiet(0.2)
    return first_screen


async def open_scenario(tab: Tab, scenario_id: str, customer: str, *, lang: str = "en",
                        timeout: float = 60.0) -> None:
    """Find the scenario by its id in the library's search, open its briefing and start it."""
    # The search field takes the keys once "/" has shown it (keys sent with the "/" in one burst
    # went to the library's own bindings: "c" opened the pre-shift check).
    await tab.press("/")
    await tab.quiet(0.2)
    await tab.send(scenario_id)
    # Not the id itself: without emulation the stream holds only the cells that changed, and the
    # field redraws from the first new cell ("cr" + "edit-card-…"). The briefing's customer, below,
    # checks that the one found is the one asked for.
    await tab.wait_for(ONE_FOUND[lang], timeout=timeout)
    await tab.quiet(0.3)
    await tab.press(ENTER, timeout=timeout)  # from the search field to the list (the search filters as typed)
    await tab.quiet(0.2)
    await tab.send(ENTER)
    await tab.wait_for(customer, timeout=timeout)
    await tab.quiet(0.2)
    await tab.send(ENTER)
