"""A real browser on `coach serve`: Chromium driven by Playwright, the terminal read back as text.

The page draws the terminal on a canvas, so its text cannot be read from the DOM. Every byte the
server sends to the page is also fed to pyte (a VT100 emulator) sized as the page told the server,
which gives the same screen as text to assert on.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyte
from wcwidth import wcswidth

ROOT = Path(__file__).resolve().parents[2]
BROWSERS = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
#: The flags a closed network needs: no background calls to outside hosts (they would fail, many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def browser_path() -> str | None:
    env = os.environ.get("COACH_CHROMIUM")
    for candidate in ([env] if env else []) + list(BROWSERS):
        if candidate and shutil.which(candidate):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServeProcess:
    """`coach serve` on a free loopback port, stopped (as by Ctrl+C) at the end."""

    db: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    output: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "ServeProcess":
        cmd = [sys.executable, "-m", "coach", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--db", str(self.db), *self.args]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, start_new_session=True, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"coach serve exited: {self.proc.stdout.read()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("coach serve did not start listening in 30 s")

    def interrupt(self, timeout: float = 30) -> int:
        """Ctrl+C, as a trainer stops it; the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, _ = self.proc.communicate()
            raise
        self.output += out or ""
        return self.proc.returncode

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=timeout)
        self.output += out or ""
        return self.proc.returncode

    def children(self) -> list[int]:
        """Processes still running that were started for this server's history file: the fork server
        and every session (forked or spawned), whoever their parent is now."""
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"run" in cmd and str(self.db).encode() in cmd:
                found.append(int(pid))
        return found

    def fork_server(self) -> int | None:
        """The fork server's pid (the server's child that runs coach.commands._fork_server)."""
        for pid in self.children():
            if parent_of(pid) == self.proc.pid and b"coach.commands._fork_server" in _cmdline(pid):
                return pid
        return None

    def sessions(self) -> list[int]:
        """The tabs' session processes."""
        zygote = self.fork_server()
        return [pid for pid in self.children() if pid != zygote]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


class Tab:
    """One browser tab on the coach: keys, clicks, and the terminal's text."""

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.requests: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("websocket", self._socket)
        page.goto(url)
        # Keys go to the terminal's hidden text area; focusing it sends no click to the app.
        page.locator("#terminal .xterm-helper-textarea").focus()

    def _socket(self, ws) -> None:
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)

    def _received(self, payload) -> None:
        if isinstance(payload, (bytes, bytearray)):
            self.stream.feed(bytes(payload))

    def _sent(self, payload) -> None:
        # The page tells the app its size in cells; the emulator follows.
        try:
            kind, data = json.loads(payload)
        except (TypeError, ValueError):
            return
        if kind == "resize":
            self.screen.resize(int(data["height"]), int(data["width"]))

    @property
    def size(self) -> tuple[int, int]:
        return self.screen.columns, self.screen.lines

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, *needles: str, timeout: float = 20.0) -> str:
        """Wait until every needle is on screen; the screen's text."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if all(n in text for n in needles):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen after {timeout} s: {needles!r}\n{text}")
            self.page.wait_for_timeout(100)

    def wait_gone(self, needle: str, timeout: float = 20.0) -> str:
        """Wait until `needle` is no longer on screen (a dialog has closed)."""
        deadline = time.monotonic() + timeout
        while needle in (text := self.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"still on screen after {timeout} s: {needle!r}\n{text}")
            self.page.wait_for_timeout(100)
        return text

    def wait_quiet(self, ms: int = 400) -> str:
        """Wait until the screen stops changing (an animation or a redraw has finished)."""
        last, stable = None, 0
        for _ in range(100):
            text = self.text()
            stable = stable + 1 if text == last else 0
            if stable * 100 >= ms:
                return text
            last = text
            self.page.wait_for_timeout(100)
        return self.text()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
            self.page.wait_for_timeout(60)

    def find(self, needle: str) -> tuple[int, int]:
        """(column, row) of the first cell of `needle` on screen."""
        for row, line in enumerate(self.screen.display):
            index = line.find(needle)
            if index >= 0:
                return max(0, wcswidth(line[:index])), row
        raise AssertionError(f"{needle!r} is not on screen:\n{self.text()}")

    def click_text(self, needle: str) -> None:
        """Click the middle of the first cell of `needle`, as a person would with the mouse."""
        col, row = self.find(needle)
        box = self.page.locator("#terminal .xterm-screen").bounding_box()
        cols, rows = self.size
        x = box["x"] + (col + 0.5) * box["width"] / cols
        y = box["y"] + (row + 0.5) * box["height"] / rows
        self.page.mouse.click(x, y)
