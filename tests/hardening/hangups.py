"""coach in a real pseudo-terminal (or on the web driver's pipes), hung up the way a terminal is.

`Term` starts `python -m coach ARGS` on the slave side of a new pty, as the session leader (as a
terminal emulator or sshd starts a shell), optionally with SIGHUP ignored (nohup), blocked, or behind
a shell that is the session leader instead (then the kernel's SIGHUP goes to the shell only, and
coach learns of the hang-up from its terminal alone). `hang_up()` closes the master side: the kernel
hangs the terminal up, reads get end-of-file and writes EIO.

`Web` starts `coach run` as textual-serve does (the web driver, packets on stdin and stdout);
`hang_up()` closes the pipes as a killed server would (or only stdout: EPIPE).

Both read what coach draws into a pyte screen, so a test waits for text as a teller reads it.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyte

ROOT = Path(__file__).parent.parent.parent
PY = sys.executable
COLS, ROWS = 100, 30


def clean_env(xdg: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "COACH", "PYTEST"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", XDG_DATA_HOME=str(xdg), COLUMNS=str(COLS),
               LINES=str(ROWS))
    return env


class Screen:
    """What coach has drawn so far, as text."""

    def __init__(self) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()

    def feed(self, data: bytes) -> None:
        self.raw += data
        self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)


class Watched:
    """What Term and Web share: a screen to wait on (`pump()` reads what coach wrote into it)."""

    screen: Screen

    def pump(self, seconds: float = 0.05) -> None:
        raise NotImplementedError

    def wait_for(self, text: str, seconds: float = 60) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.1)
            if text in self.screen.text():
                return
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen.text()}")


class Term(Watched):
    """`python -m coach ARGS` on a new pseudo-terminal of 100x30."""

    WAYS = ("leader", "nohup", "blocked", "shell")

    def __init__(self, argv: list[str], env: dict[str, str], way: str = "leader") -> None:
        assert way in self.WAYS
        self.way = way
        command = [PY, "-m", "coach", *argv]
        pid, fd = pty.fork()
        if pid == 0:  # the child: system calls only (the parent has threads), then exec
            try:
                # other tests' pty masters (forkpty's are inheritable) would keep their terminals
                # alive: a closed window closes its master everywhere
                os.closerange(3, 1 << 16)
                os.chdir(ROOT)
                if way == "nohup":
                    signal.signal(signal.SIGHUP, signal.SIG_IGN)
                elif way == "blocked":
                    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
                if way == "shell":  # the shell is the session leader; coach runs in the foreground
                    os.execve("/bin/sh", ["sh", "-c", '"$@"; exit 0', "sh", *command], env)
                os.execve(PY, command, env)
            finally:
                os._exit(127)
        self.leader, self.fd = pid, fd
        import fcntl
        import struct
        import termios

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.screen = Screen()
        self.hung_up_at: float | None = None
        self.status: int | None = None

    # ---- reading and typing -------------------------------------------------------------------

    def pump(self, seconds: float = 0.05) -> None:
        end = time.monotonic() + seconds
        while self.fd >= 0:
            left = end - time.monotonic()
            if left <= 0:
                return
            if select.select([self.fd], [], [], min(left, 0.05))[0]:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.screen.feed(chunk)

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def resize(self, cols: int, rows: int) -> None:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    # ---- the hang-up --------------------------------------------------------------------------

    @property
    def coach_pid(self) -> int:
        """coach's own process: the leader, or the shell's child."""
        if self.way != "shell":
            return self.leader
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                kids = Path(f"/proc/{self.leader}/task/{self.leader}/children").read_text().split()
            except OSError:
                kids = []
            if kids:
                return int(kids[0])
            time.sleep(0.05)
        raise AssertionError("the shell started no coach")

    def hang_up(self) -> None:
        """Close the master side, as a terminal window closing or an SSH session dropping does."""
        self._coach = self.coach_pid
        self.hung_up_at = time.monotonic()
        os.close(self.fd)
        self.fd = -1

    def gone_after(self, seconds: float) -> float | None:
        """Seconds from the hang-up until no process of the session is left (None: still there)."""
        assert self.hung_up_at is not None
        end = self.hung_up_at + seconds
        while True:
            if self.status is None:
                pid, status = os.waitpid(self.leader, os.WNOHANG)
                if pid:
                    self.status = status
            if self.status is not None and not alive(self._coach) and not session(self.leader):
                return time.monotonic() - self.hung_up_at
            if time.monotonic() >= end:
                return None
            time.sleep(0.02)

    @property
    def code(self) -> int | None:
        return None if self.status is None else os.waitstatus_to_exitcode(self.status)

    def kill(self) -> None:
        """After a failed test: nothing of the session may outlive it."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        for pid in [*session(self.leader), self.leader]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.status is None:
            try:
                os.waitpid(self.leader, 0)
            except ChildProcessError:
                pass


class Web(Watched):
    """`coach run` on the web driver, as textual-serve runs each browser tab's app."""

    def __init__(self, argv: list[str], env: dict[str, str], stderr: Path) -> None:
        env = dict(env, TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver", ROWS=str(ROWS))
        self._err = open(stderr, "wb")
        self.proc = subprocess.Popen([PY, "-m", "coach", *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._err, env=env, cwd=ROOT, start_new_session=True)
        self.leader = self.proc.pid
        self.screen = Screen()
        self._buffer = b""
        self.hung_up_at: float | None = None
        self._send(b"M", json.dumps({"type": "resize", "width": COLS, "height": ROWS}).encode())

    def _send(self, kind: bytes, payload: bytes) -> None:
        self.proc.stdin.write(kind + len(payload).to_bytes(4, "big") + payload)
        self.proc.stdin.flush()

    def press(self, keys: bytes) -> None:
        self._send(b"D", keys)

    def pump(self, seconds: float = 0.05) -> None:
        end = time.monotonic() + seconds
        out = self.proc.stdout
        while out is not None and not out.closed:
            left = end - time.monotonic()
            if left <= 0:
                return
            if not select.select([out], [], [], min(left, 0.05))[0]:
                continue
            chunk = os.read(out.fileno(), 65536)
            if not chunk:
                return
            self._buffer += chunk
            self._packets()

    def _packets(self) -> None:
        buf = self._buffer
        if buf.startswith(b"__GANGLION__\n"):
            buf = buf[len(b"__GANGLION__\n"):]
        while len(buf) >= 5:
            size = int.from_bytes(buf[1:5], "big")
            if len(buf) < 5 + size:
                break
            kind, payload, buf = buf[:1], buf[5:5 + size], buf[5 + size:]
            if kind == b"D":
                self.screen.feed(payload)
        self._buffer = buf

    def hang_up(self, stdout_only: bool = False) -> None:
        """The server is gone: both pipes close (or only the one coach writes to: EPIPE)."""
        self.hung_up_at = time.monotonic()
        self.proc.stdout.close()
        if not stdout_only:
            self.proc.stdin.close()

    def gone_after(self, seconds: float) -> float | None:
        assert self.hung_up_at is not None
        try:
            self.proc.wait(timeout=max(0.0, self.hung_up_at + seconds - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None
        while session(self.leader) and time.monotonic() < self.hung_up_at + seconds:
            time.sleep(0.02)
        return None if session(self.leader) else time.monotonic() - self.hung_up_at

    @property
    def code(self) -> int | None:
        return self.proc.returncode

    def kill(self) -> None:
        for pid in [*session(self.leader), self.leader]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        self._err.close()


# ---- processes and the history ---------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # after "pid (comm) "


def alive(pid: int) -> bool:
    """Running, sleeping or stopped: anything but gone or a zombie waiting for its parent."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def session(sid: int) -> list[int]:
    """The live processes of session `sid` (a pty's session, or a web child's new session)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and fields[0] not in ("Z", "X") and fields[3] == str(sid):
                found.append(int(entry))
    return found


def answers(db: Path) -> list[tuple[int, str, int]]:
    """(seq, step, choice) of every answer stored, in order."""
    return _rows(db, "SELECT seq, step, choice FROM answers ORDER BY attempt_id, seq")


def _rows(db: Path, sql: str) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # no such table yet
        return []
    finally:
        conn.close()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def wait_rows(db: Path, sql: str, n: int, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if len(_rows(db, sql)) >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"{sql}: fewer than {n} rows after {seconds} s")
