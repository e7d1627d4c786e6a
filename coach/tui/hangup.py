"""What coach does when its terminal goes away, or a signal asks it to stop: end, soon, answers kept.

A terminal goes away in several ways, and coach may learn of it in any of them:
- SIGHUP (the kernel sends it to the session leader when the terminal closes; a shell passes it on);
- end of input or EIO when reading the terminal, EIO or EPIPE when writing it (the drivers in
  coach/tui/drivers/ report these; this is the only sign when SIGHUP is ignored, as under nohup,
  blocked, or never sent, as for a process that is not the session leader);
- POLLHUP/POLLERR on the output while the app is idle (checked by the input thread).

Each asks the app to exit (return code 129, as for SIGHUP) and arms the *hard stop*: if the process
has not ended `HANGUP_GRACE` seconds later (something still waits on a dead terminal, a worker
thread is busy), the hard stop gives every open Outbox its last try at saving, puts the terminal's
mode back where it can, and ends the process with `os._exit`. SIGTERM, SIGINT and SIGQUIT do the
same with a longer grace: the terminal is still there and is restored on the way out.

After a hang-up nothing is left to show, so coach does not wait for more than it must: once the
terminal driver has closed (every screen closed, what they stored queued), the hard stop comes
`AFTER_CLOSE_GRACE` later at the latest, and when the app returns it comes at once (no worker
thread, no interpreter shutdown is waited for; only the last save).

Once the terminal is known to be gone, the standard streams that point at it are pointed at
/dev/null: a late `print` to stderr (the "every answer given is saved" line), Rich's error console
or Python's flush at exit then cost nothing, fail with nothing, and cannot block.

Everything here may run in a signal handler or any thread: no lock is held while waiting, and the
hard stop's lock is re-entrant (a handler may interrupt its own thread inside it).
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
import weakref
from typing import Callable

#: Seconds from a hang-up to the hard stop; the whole exit must take under 2 s.
HANGUP_GRACE = 1.5
#: Seconds from SIGTERM/SIGINT/SIGQUIT to the hard stop (the terminal is restored before that).
SIGNAL_GRACE = 3.0
#: Seconds the app waits for a terminal to take output once it is stopping.
OUTPUT_GRACE = 1.0
#: Seconds from the terminal driver's close, after a hang-up, to the end: the app has nothing left
#: to show, so its worker threads (a library index, a warm-up) are not waited for.
AFTER_CLOSE_GRACE = 0.3
#: What the hard stop gives queued answers that cannot be written at once (a locked database).
LAST_SAVE_SECONDS = 5.0

HANGUP_CODE = 128 + int(getattr(signal, "SIGHUP", 1))
HANGUP = "hang-up"  # app.stopped_by when the terminal went away without a signal

_DEAD = select.POLLHUP | select.POLLERR | select.POLLNVAL

_outlets: "weakref.WeakSet" = weakref.WeakSet()  # coach.tui.outlet.Outlet
_restores: list[Callable[[], None]] = []  # put the terminal's mode back (drivers add theirs)
_state: dict = {"lost": False, "farewell": None}


# ---- dead terminals --------------------------------------------------------------------------

def is_dead(fd: int) -> bool:
    """Whether `fd` is a hung-up terminal, a pipe or socket whose other end closed, or no file."""
    poller = select.poll()
    try:
        poller.register(fd, select.POLLIN if fd == 0 else select.POLLOUT)
        events = poller.poll(0)
    except (OSError, ValueError):
        return True
    return any(ev & _DEAD for _, ev in events)


def silence_dead_streams() -> list[int]:
    """Point each of stdin, stdout and stderr that is dead at /dev/null; the descriptors changed."""
    changed = []
    for fd in (0, 1, 2):
        if not is_dead(fd):
            continue
        try:
            null = os.open(os.devnull, os.O_RDWR)
        except OSError:  # pragma: no cover - no /dev/null: leave the streams as they are
            return changed
        try:
            os.dup2(null, fd)
            changed.append(fd)
        except OSError:  # pragma: no cover - dup2 onto 0-2 does not fail in practice
            pass
        finally:
            os.close(null)
    return changed


def terminal_lost() -> bool:
    """Whether this process has seen its terminal go away."""
    return _state["lost"]


# ---- the app's side ---------------------------------------------------------------------------

def track(outlet) -> None:
    """An Outlet to hurry when coach is told to stop (coach/tui/drivers/)."""
    _outlets.add(outlet)


def on_hard_stop(restore: Callable[[], None]) -> None:
    """`restore()` runs at the hard stop, before the process ends (a driver puts the tty mode back)."""
    _restores.append(restore)


def farewell(line: Callable[[], str | None]) -> None:
    """The line the hard stop prints on stderr (if it takes it) once everything is saved."""
    _state["farewell"] = line


def driver_closed() -> None:
    """The terminal driver has closed. After a hang-up only the last save is left: end soon."""
    if _state["lost"]:
        hard_stop.arm(AFTER_CLOSE_GRACE, HANGUP_CODE)


def lost(app, loop, why: str) -> None:
    """The terminal went away (from any thread): the app exits with 129 unless it is exiting already."""
    _state["lost"] = True
    silence_dead_streams()
    _hurry()
    hard_stop.arm(HANGUP_GRACE, HANGUP_CODE)
    if app is None:
        return
    if getattr(app, "stopped_by", None) is None and not getattr(app, "_exit", False):
        app.stopped_by = HANGUP  # a teller who quit just before keeps their own ending
        _call(loop, _exit_app, app, HANGUP_CODE)


def stopped_by_signal(app, loop, signum: int) -> None:
    """SIGHUP, SIGTERM, SIGINT or SIGQUIT arrived (in the signal handler): end, bounded."""
    code = 128 + int(signum)
    if signum == signal.SIGHUP and silence_dead_streams():
        _state["lost"] = True  # the usual hang-up: the terminal is gone already
    _hurry()
    hard_stop.arm(HANGUP_GRACE if signum == signal.SIGHUP else SIGNAL_GRACE, code)
    if app is None:
        return
    app.stopped_by = signal.Signals(signum).name
    _call(loop, app.exit, None, code)


def _exit_app(app, code: int) -> None:
    if not getattr(app, "_exit", False):
        app.exit(None, code)


def _call(loop, fn, *args) -> None:
    try:
        loop.call_soon_threadsafe(fn, *args)
    except (RuntimeError, AttributeError):  # the loop is closed: the app has ended already
        pass


def _hurry() -> None:
    for outlet in list(_outlets):
        outlet.hurry(OUTPUT_GRACE)


# ---- the hard stop ----------------------------------------------------------------------------

class HardStop:
    """Ends the process at a deadline, after a last save; armed by a hang-up or a stop signal."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # re-entrant: a signal handler may arm it inside arm()
        self._wake = threading.Event()
        self._at: float | None = None
        self._code = 1
        self._thread: threading.Thread | None = None

    @property
    def armed(self) -> bool:
        return self._at is not None

    def arm(self, seconds: float, code: int) -> None:
        """End the process with `code` within `seconds` (an earlier deadline is kept)."""
        at = time.monotonic() + seconds
        with self._lock:
            if self._at is not None and self._at <= at:
                return
            self._at, self._code = at, code
            if self._thread is None:
                self._thread = threading.Thread(target=self._wait, name="coach-hard-stop", daemon=True)
                self._thread.start()
        self._wake.set()

    def _wait(self) -> None:
        while True:
            with self._lock:
                left = (self._at or 0.0) - time.monotonic()
            if left <= 0:
                break
            self._wake.wait(left)
            self._wake.clear()
        self.now(self._code)

    @staticmethod
    def now(code: int) -> None:  # pragma: no cover - ends the process (tested in a subprocess)
        """Save what is queued, restore what can be restored, and end the process. A second caller
        (the deadline and the app's own end at once) waits: the first one's save must not be cut."""
        if not _ending.acquire(blocking=False):
            while True:
                time.sleep(1)
        try:
            silence_dead_streams()
            for restore in list(_restores):
                try:
                    restore()
                except Exception:  # noqa: BLE001 - the process ends either way
                    pass
            from coach.store.write_queue import close_all

            left, problems = close_all(LAST_SAVE_SECONDS)
            line = _state["farewell"]() if _state["farewell"] else None
            if left:
                write_quickly(2, f"coach: {left} answer(s) or result(s) could not be saved: {problems}\n")
            elif line:
                write_quickly(2, line + "\n")
        except BaseException:  # noqa: BLE001 - whatever happens, the process ends
            pass
        finally:
            os._exit(code)


def write_quickly(fd: int, text: str) -> None:
    """Write a little text to `fd` if it takes it now (a stalled terminal would block a plain write)."""
    try:
        if not is_dead(fd) and select.select([], [fd], [], 0.1)[1]:
            os.write(fd, text.encode("utf-8", "replace"))
    except OSError:
        pass


_ending = threading.Lock()
hard_stop = HardStop()
