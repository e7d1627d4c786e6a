"""How `coach serve` starts and ends each tab's `coach run`: forked from a pre-loaded parent, or spawned.

- `ForkLauncher` (the default where the OS has `fork` and pidfds, i.e. Linux): a fork server
  (`coach/serve/zygote.py`) has imported the coach once; each tab's session is a fork of it.
- `SpawnLauncher` (elsewhere, or `--launch spawn`): a fresh `python -m coach run` per tab.

Either way each session is a process of its own, in a process group of its own (so ending it ends
everything it started), started directly (no shell in between that a signal would stop while the
coach ran on), and `end_process` ends it in bounded time whether or not it cooperates.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
from typing import Protocol

log = logging.getLogger("coach.serve")

QUIT_GRACE_S = 5.0  # a session asked to quit has this long to end by itself (its answers are stored)
TERM_GRACE_S = 2.0  # then SIGTERM to its process group, then SIGKILL
ZYGOTE_READY_S = 60.0  # the fork server answers its first request once it has imported the coach


class SessionProcess(Protocol):
    pid: int
    stdin: asyncio.StreamWriter
    stdout: asyncio.StreamReader
    stderr: asyncio.StreamReader

    @property
    def returncode(self) -> int | None: ...

    async def wait(self) -> int: ...

    def end_group(self, force: bool) -> None:
        """SIGTERM (or SIGKILL when `force`) to its whole process group, if it is still running."""


def fork_supported() -> bool:
    return hasattr(os, "fork") and hasattr(os, "pidfd_open") and hasattr(socket, "send_fds")


async def wait_ended(process: SessionProcess, timeout: float) -> bool:
    """True when the process ended within `timeout` seconds."""
    try:
        await asyncio.wait_for(asyncio.shield(asyncio.ensure_future(process.wait())), timeout)
        return True
    except asyncio.TimeoutError:
        return False


async def end_process(process: SessionProcess, asked_to_quit: bool) -> None:
    """End a session's process group without relying on it: it was asked to quit (or was not, when
    it could not be told); after a grace period SIGTERM, then SIGKILL, to the whole group."""
    if process.returncode is not None:
        return
    if asked_to_quit and await wait_ended(process, QUIT_GRACE_S):
        return
    log.warning("a session (pid %s) did not end when asked; stopping it", process.pid)
    process.end_group(force=False)
    if await wait_ended(process, TERM_GRACE_S):
        return
    process.end_group(force=True)
    await wait_ended(process, TERM_GRACE_S)


# ---- spawn: a fresh Python per tab ----------------------------------------------------------------


class SpawnedProcess:
    """An asyncio subprocess that leads its own process group."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self.pid = process.pid
        self.stdin, self.stdout, self.stderr = process.stdin, process.stdout, process.stderr

    @property
    def returncode(self) -> int | None:
        return self._process.returncode

    async def wait(self) -> int:
        return await self._process.wait()

    def end_group(self, force: bool) -> None:
        if self._process.returncode is not None:  # reaped: the group id may no longer be its own
            return
        if not hasattr(os, "killpg"):  # Windows: no process groups to signal; end the process itself
            self._process.kill() if force else self._process.terminate()
            return
        try:
            os.killpg(self.pid, signal.SIGKILL if force else signal.SIGTERM)
        except ProcessLookupError:
            pass


class SpawnLauncher:
    name = "spawn"

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.argv = [sys.executable, "-m", "coach", *args]  # this Python, this coach; no shell
        self.env = env

    async def start(self) -> None:
        pass

    async def open(self, width: int, height: int) -> SessionProcess:
        env = {**self.env, "COLUMNS": str(width), "ROWS": str(height)}
        process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env, start_new_session=hasattr(os, "setsid"))
        return SpawnedProcess(process)

    async def stop(self) -> None:
        pass


# ---- fork: a child of the pre-loaded fork server per tab --------------------------------------------


class ForkedProcess:
    """A child of the fork server, known to this process by its pidfd (not a child of ours: the fork
    server reaps it). The pidfd becomes readable when the process ends and cannot name another
    process if the pid is reused."""

    def __init__(self, pid: int, pidfd: int, stdin: asyncio.StreamWriter, stdout: asyncio.StreamReader,
                 stderr: asyncio.StreamReader) -> None:
        self.pid, self.pidfd = pid, pidfd
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self._ended = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().add_reader(pidfd, self._on_end)

    def _on_end(self) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(self.pidfd)
        os.close(self.pidfd)
        self.pidfd = -1
        if not self._ended.done():
            self._ended.set_result(0)  # its status is the fork server's to collect

    @property
    def returncode(self) -> int | None:
        return self._ended.result() if self._ended.done() else None

    async def wait(self) -> int:
        return await asyncio.shield(self._ended)

    def end_group(self, force: bool) -> None:
        if self._ended.done():
            return
        try:  # it is alive, so its group id (its pid, from setsid) is its own
            os.killpg(self.pid, signal.SIGKILL if force else signal.SIGTERM)
        except ProcessLookupError:
            pass


class ForkLauncher:
    """Starts the fork server when the server starts, and asks it for a child per tab. A fork server
    that has died is started again for the next tab; a tab it cannot serve is spawned instead."""

    name = "fork"

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args, self.env = args, env  # args: each child runs `coach ARGS...`
        self.process: asyncio.subprocess.Process | None = None
        self.control: socket.socket | None = None
        self.lock = asyncio.Lock()
        self.fallback = SpawnLauncher(args, env)

    async def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "coach.commands._fork_server", str(theirs.fileno()), "--", *self.args,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=None,
                pass_fds=[theirs.fileno()], env=self.env, start_new_session=True)
        finally:
            theirs.close()
        ours.setblocking(False)
        self.control = ours

    async def open(self, width: int, height: int) -> SessionProcess:
        async with self.lock:  # one request at a time on the socket
            for attempt in (1, 2):
                try:
                    if self.control is None or (self.process and self.process.returncode is not None):
                        await self._restart()
                    return await self._fork(width, height)
                except (OSError, ConnectionError, ValueError, RuntimeError, asyncio.TimeoutError) as exc:
                    log.warning("the fork server could not start a session (%s)%s", exc,
                                "; starting it again" if attempt == 1 else "; starting a fresh process")
                    await self._discard()
        return await self.fallback.open(width, height)

    async def _fork(self, width: int, height: int) -> SessionProcess:
        loop = asyncio.get_running_loop()
        assert self.control is not None
        pipes = [os.pipe() for _ in range(3)]  # stdin, stdout, stderr; not inheritable
        child_ends = [pipes[0][0], pipes[1][1], pipes[2][1]]
        ours = [pipes[0][1], pipes[1][0], pipes[2][0]]
        try:
            message = json.dumps({"width": width, "height": height}).encode()
            socket.send_fds(self.control, [message], child_ends)
        except BaseException:
            for fd in child_ends + ours:
                os.close(fd)
            raise
        for fd in child_ends:  # the child has them now (the fork server closes its copies after forking)
            os.close(fd)
        try:
            data, fds = await asyncio.wait_for(self._receive(loop), ZYGOTE_READY_S)
            reply = json.loads(data or b"{}")
            if "pid" not in reply or len(fds) != 1:
                for fd in fds:
                    os.close(fd)
                raise RuntimeError(reply.get("error") or "no answer from the fork server")
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        return await _wrap(int(reply["pid"]), fds[0], *ours)

    async def _receive(self, loop: asyncio.AbstractEventLoop) -> tuple[bytes, list[int]]:
        assert self.control is not None
        while True:
            try:
                data, fds, _flags, _addr = socket.recv_fds(self.control, 4096, 1)
            except BlockingIOError:
                ready = loop.create_future()
                loop.add_reader(self.control, lambda: ready.done() or ready.set_result(None))
                try:
                    await ready
                finally:
                    loop.remove_reader(self.control)
                continue
            if not data:
                raise ConnectionError("the fork server has gone")
            return data, fds

    async def _restart(self) -> None:
        await self._discard()
        await self.start()

    async def _discard(self) -> None:
        if self.control is not None:
            self.control.close()  # the fork server exits when it reads the end of the socket
            self.control = None
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), TERM_GRACE_S)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()

    async def stop(self) -> None:
        async with self.lock:
            await self._discard()


async def _wrap(pid: int, pidfd: int, stdin_fd: int, stdout_fd: int, stderr_fd: int) -> ForkedProcess:
    """asyncio streams over the pipes to a forked child, as asyncio.subprocess makes for its own."""
    loop = asyncio.get_running_loop()
    readers = []
    for fd in (stdout_fd, stderr_fd):
        reader = asyncio.StreamReader(limit=2**16, loop=loop)
        await loop.connect_read_pipe(lambda r=reader: asyncio.StreamReaderProtocol(r, loop=loop),
                                     os.fdopen(fd, "rb", 0))
        readers.append(reader)
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.streams.FlowControlMixin(loop=loop), os.fdopen(stdin_fd, "wb", 0))
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    return ForkedProcess(pid, pidfd, writer, readers[0], readers[1])


def launcher(kind: str, args: list[str], env: dict[str, str]):
    """The launcher for `--launch KIND` (auto: fork where supported); sessions run `coach ARGS...`."""
    if kind == "auto":
        kind = "fork" if fork_supported() else "spawn"
    return ForkLauncher(args, env) if kind == "fork" else SpawnLauncher(args, env)
