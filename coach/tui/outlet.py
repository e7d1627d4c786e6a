"""The terminal's output, written by a thread that can never freeze the app.

Textual's WriterThread queues frames for a thread that writes them to the terminal. When the
terminal goes away (a closed window, a dropped SSH session, a browser tab's server killed) the
write fails with EIO or EPIPE, the thread dies, its 30-slot queue fills, and the next `put` blocks
the event loop for good: the app can no longer exit, not even on SIGTERM (docs/reliability.md).

An Outlet does the same job with every wait bounded:
- a write that fails (EIO, EPIPE, EBADF, ...) marks the outlet lost; from then on everything is
  dropped at once, and `on_lost` is called once, so the app can end;
- the thread writes to the raw file descriptor (no Python buffer or lock), so a thread stuck in
  `write()` on a terminal that stopped reading holds nothing anyone else needs;
- a writer waits for room in the queue only while the terminal takes output; once `hurry(s)` was
  called (the app is stopping) it waits at most until that deadline, then drops the output;
- `close()` drains what is queued, waiting at most its deadline.

Headless: no Textual import (the drivers in coach/tui/drivers.py plug it in).
"""

from __future__ import annotations

import errno
import os
import queue
import select
import threading
import time
from typing import Callable

#: Queued writes before a writer waits: Textual's own bound (a frame is one write).
MAX_QUEUED = 30
#: How often a waiting writer looks whether the outlet was lost or is past its deadline.
POLL_SECONDS = 0.05
#: The longest single write(2): the rest of a big frame follows in the next one.
CHUNK = 1 << 16
#: Small writes queued together are joined into one write(2) up to this size; a frame is not copied.
COALESCE = 1 << 12

_STOP = object()


class Outlet:
    """Text or bytes for one file descriptor, written in order by a daemon thread."""

    def __init__(self, fd: int, *, encoding: str = "utf-8", errors: str = "replace",
                 on_lost: Callable[[str], None] | None = None, name: str = "coach-output") -> None:
        self.fd = fd
        self.encoding, self.errors = encoding, errors
        self._on_lost = on_lost
        self._queue: queue.Queue = queue.Queue(MAX_QUEUED)
        self._lost = threading.Event()
        self._lock = threading.Lock()  # for _give_up only: hurry() may run in a signal handler
        self._deadline: float | None = None  # monotonic; set by hurry() without a lock
        self.why: str | None = None  # why output stopped (an errno name, or "stalled")
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ---- for the app's thread -----------------------------------------------------------------

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def write(self, data: str | bytes) -> None:
        """Queue `data`; returns at once once the outlet is lost, and by the deadline after hurry()."""
        self._put(data)

    def hurry(self, seconds: float) -> None:
        """From now on, wait at most `seconds` for the terminal (an earlier deadline is kept)."""
        at = time.monotonic() + seconds
        if self._deadline is None or at < self._deadline:  # one attribute store: no lock needed
            self._deadline = at

    def close(self, seconds: float = 1.0) -> bool:
        """Write what is queued and stop the thread, waiting at most `seconds`; True when it all went
        out. A thread still blocked in write(2) after that is left (a daemon holding no lock)."""
        self.hurry(seconds)
        self._put(_STOP, force=True)
        self._thread.join(timeout=max(0.0, (self._deadline or 0.0) - time.monotonic()))
        if self._thread.is_alive():
            self._give_up("stalled", notify=False)
            return False
        return not self.lost

    # ---- internals ----------------------------------------------------------------------------

    def _put(self, item, force: bool = False) -> None:
        while force or not self._lost.is_set():
            try:
                self._queue.put(item, timeout=POLL_SECONDS)
                return
            except queue.Full:
                if self._late():
                    self._give_up("stalled", notify=False)
                    if force:  # the stop marker must reach the thread: make room for it
                        self._drain()
                        force = False
                        try:
                            self._queue.put_nowait(item)
                        except queue.Full:
                            pass
                    return

    def _late(self) -> bool:
        deadline = self._deadline
        return deadline is not None and time.monotonic() >= deadline

    def _give_up(self, why: str, notify: bool) -> None:
        """Drop all output from now on (and tell the app once, for a real I/O error)."""
        with self._lock:
            first = not self._lost.is_set()
            if first:
                self._lost.set()
                self.why = why
        self._drain()
        if first and notify and self._on_lost is not None:
            self._on_lost(why)

    def _drain(self) -> None:
        """Empty the queue (keeping the stop marker), so no writer waits for room."""
        stop = False
        while True:
            try:
                stop = self._queue.get_nowait() is _STOP or stop
            except queue.Empty:
                break
        if stop:
            try:
                self._queue.put_nowait(_STOP)
            except queue.Full:  # pragma: no cover - emptied just above
                pass

    def _run(self) -> None:
        get, get_nowait = self._queue.get, self._queue.get_nowait
        encoding, errors = self.encoding, self.errors
        while True:
            item = get()
            if item is _STOP:
                return
            data = item if isinstance(item, bytes) else item.encode(encoding, errors)
            stop = False
            if len(data) < COALESCE:  # small writes (escape sequences) waiting: one write(2)
                parts = [data]
                size = len(data)
                while size < COALESCE:
                    try:
                        more = get_nowait()
                    except queue.Empty:
                        break
                    if more is _STOP:
                        stop = True
                        break
                    more = more if isinstance(more, bytes) else more.encode(encoding, errors)
                    parts.append(more)
                    size += len(more)
                data = b"".join(parts) if len(parts) > 1 else data
            if not self._lost.is_set():
                self._send(data)
            if stop:
                return

    def _send(self, data: bytes) -> None:
        view = memoryview(data) if len(data) > CHUNK else data
        while view and not self._lost.is_set():
            try:
                n = os.write(self.fd, view[:CHUNK])
            except BlockingIOError:  # a descriptor someone made non-blocking: wait for room
                self._wait_writable()
                continue
            except OSError as exc:  # EIO (terminal hung up), EPIPE (reader gone), EBADF, ...
                self._give_up(errno.errorcode.get(exc.errno, str(exc.errno)), notify=True)
                return
            view = view[n:]

    def _wait_writable(self) -> None:
        try:
            select.select([], [self.fd], [], POLL_SECONDS)
        except (OSError, ValueError):
            self._give_up("EBADF", notify=True)
            return
        if self._late():
            self._give_up("stalled", notify=False)
