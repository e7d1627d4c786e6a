"""The fork server behind `coach serve`: one pre-loaded Python that forks a session per browser tab.

A fresh `coach run` spends most of its start importing Textual, Rich, pydantic and the coach (about
0.25 s of CPU and 30 MiB of private memory each). This process imports all of that once, freezes
it out of the garbage collector's reach (`gc.freeze()`: a collection in a child would otherwise
write to every object's header and unshare the pages), and forks a child per tab. The children share
those pages copy-on-write, so a session starts in a fraction of the time and costs only what it
allocates itself. Each tab still gets its own process: a session that crashes takes no other down.

It is started by the server (`coach/serve/sessions.py`) as `python -m coach.commands._fork_server`,
which says what to preload and what a child runs (`coach run ...`: the commands are the layer that
may start the TUI), with one end of a Unix socket pair:

- request: JSON `{"width": W, "height": H}` with three file descriptors (the session's standard
  input, output and error, the other ends of pipes the server holds);
- reply: JSON `{"pid": PID}` with a pidfd of the child (so the server can wait for it and signal it
  without racing a reused pid), or `{"error": "..."}`.

Fork safety: no thread is alive here at fork time (checked before every fork; it refuses if one
is); each child starts a session of its own (`setsid`: its own process group, which the server can
end as a whole), reseeds `random`, closes every file descriptor it inherited except its three, and
puts the signal handlers back to their defaults. The children of this process are reaped here.
This process dies with the server: the kernel kills it when the server ends (PR_SET_PDEATHSIG),
and it exits when the server closes its end of the socket.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import socket
import sys
import threading
from typing import Callable

MAX_MESSAGE = 4096
PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int) -> None:
    """Ask the kernel to send `sig` to this process when its parent ends (Linux only)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def threads_alive() -> int:
    """Threads of this process, counted by the kernel (C threads too, not only Python's)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


class Zygote:
    """Forks a child per request; each child calls `run(argv)` and ends with its return code."""

    def __init__(self, control: socket.socket, argv: list[str], run: Callable[[list[str]], int]) -> None:
        self.control = control
        self.argv = argv
        self.run = run
        self.selector = selectors.DefaultSelector()
        self.children: dict[int, int] = {}  # pidfd -> pid

    def serve(self) -> int:
        self.selector.register(self.control, selectors.EVENT_READ, "control")
        while True:
            for key, _ in self.selector.select():
                if key.data == "control":
                    if not self.handle_request():
                        return 0
                else:
                    self.reap(key.fd)

    def handle_request(self) -> bool:
        try:
            data, fds, _flags, _addr = socket.recv_fds(self.control, MAX_MESSAGE, 3)
        except OSError:
            return False
        if not data:  # the server closed its end: it is gone or stopping
            for fd in fds:
                os.close(fd)
            return False
        try:
            request = json.loads(data)
            if len(fds) != 3:
                raise ValueError(f"expected 3 file descriptors, got {len(fds)}")
            reply, pidfd = self.fork(fds, int(request.get("width", 80)), int(request.get("height", 24)))
        except Exception as exc:  # noqa: BLE001 - a bad request must not end the fork server
            reply, pidfd = {"error": str(exc)}, None
        finally:
            for fd in fds:
                os.close(fd)
        try:
            socket.send_fds(self.control, [json.dumps(reply).encode()], [pidfd] if pidfd is not None else [])
        except OSError:
            return False
        return True

    def fork(self, fds: list[int], width: int, height: int) -> tuple[dict, int]:
        alive = threads_alive()
        if alive != 1:  # forking with a thread alive copies its locks held: the child may deadlock
            raise RuntimeError(f"{alive} threads alive in the fork server; not forking")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self.child(fds, width, height)  # never returns
        pidfd = os.pidfd_open(pid)
        self.children[pidfd] = pid
        self.selector.register(pidfd, selectors.EVENT_READ, "child")
        return {"pid": pid}, pidfd

    def reap(self, pidfd: int) -> None:
        pid = self.children.pop(pidfd)
        self.selector.unregister(pidfd)
        os.close(pidfd)
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) not in (signal.SIGTERM, signal.SIGKILL):
            print(f"coach serve: a session (pid {pid}) ended by signal {os.WTERMSIG(status)}",
                  file=sys.stderr, flush=True)

    def child(self, fds: list[int], width: int, height: int) -> None:
        code = 70  # EX_SOFTWARE, if anything below fails
        try:
            os.setsid()  # its own session and process group: the server ends the group as a whole
            for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            # Close what the fork server owns through its objects first, so no object closes a
            # reused descriptor later, then every other inherited descriptor.
            self.selector.close()
            self.control.close()
            for pidfd in self.children:
                os.close(pidfd)
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            os.closerange(3, _max_fd())
            import random

            random.seed()  # else every session would draw the same "random" numbers
            os.environ["COLUMNS"], os.environ["ROWS"] = str(width), str(height)
            sys.argv = ["coach", *self.argv]
            gc.enable()
            code = self.run(list(self.argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - report it on the session's stderr, then end
            import traceback

            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001
                    pass
            os._exit(code)


def _max_fd() -> int:
    try:
        return os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        return 65536


def serve(argv: list[str], preload: Callable[[], None], run: Callable[[list[str]], int]) -> int:
    """`FD -- ARGS...`: preload, then serve fork requests on socket FD; each child runs `run(ARGS)`."""
    die_with_parent(signal.SIGKILL)  # it holds nothing worth saving
    if os.getppid() == 1:  # the server died before the line above took effect
        return 1
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    fd = int(argv[0])
    args = argv[2:] if argv[1:2] == ["--"] else argv[1:]
    control = socket.socket(fileno=fd)
    gc.disable()  # imports allocate only what lives on: nothing to collect meanwhile
    preload()
    gc.collect()
    gc.freeze()  # what is here now is shared with every child: keep the collector off its pages
    return Zygote(control, args, run).serve()
