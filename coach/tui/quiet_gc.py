"""Garbage collection out of the teller's way.

CPython's full collection (the oldest generation) walks every object the collector tracks. With a
Textual app's widgets, styles and caches that took 40–130 ms, and it started at whatever allocation
crossed the threshold: one screen change in ten took twice as long as the others (the key-press
p95 was 120 ms against a 50 ms median). Textual pauses the collector while scrolling for the same
reason (`App.PAUSE_GC_ON_SCROLL`). Here, while the app runs:

- the young generations still collect automatically (well under 3 ms each);
- a full collection runs when the teller has pressed nothing for `IDLE_S` (reading the screen),
  once per burst of input; the first one also moves what survived start-up (modules, the
  stylesheet, the catalog) to the permanent generation (`gc.freeze`), so later full collections
  do not walk it again;
- a backstop: automatic full collections stay on, `BACKSTOP`x rarer, for input that never pauses.

Before that, `coach run` holds the collector entirely until the first screen is up (`hold`, then
`release`): start-up allocates modules, classes and styles that live as long as the app, and
collecting them cost ~15 ms of a ~230 ms start (about 100 young collections, nothing freed).

`stop()` (the app's exit) puts the thresholds back and unfreezes, so an app run inside a longer
process (tests, `coach serve`) leaves the collector as it found it.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Callable

IDLE_S = 1.0  # no input for this long: the teller is reading, a collection will not be felt
BACKSTOP = 10  # full collections run automatically this many times less often than CPython's default


# Pauses nest and may come from two threads (the first paint, the catalog worker): the collector
# is off while any is active, and back on after the last one if a pause turned it off.
_lock = threading.Lock()
_pauses = 0
_turned_off = False
_held = False


def _pause() -> None:
    global _pauses, _turned_off
    with _lock:
        if _pauses == 0:
            _turned_off = gc.isenabled()
            if _turned_off:
                gc.disable()
        _pauses += 1


def _resume() -> None:
    global _pauses, _turned_off
    with _lock:
        if _pauses == 0:
            return
        _pauses -= 1
        if _pauses == 0 and _turned_off:
            _turned_off = False
            gc.enable()


def hold() -> None:
    """No garbage collection until `release()` (the first screen is up)."""
    global _held
    if not _held:
        _held = True
        _pause()


def release() -> None:
    global _held
    if _held:
        _held = False
        _resume()


class Pause:
    """No garbage collection during a burst of allocations that all live on: the library's cached
    records (3,000 of them: collections cost ~40 ms of a ~180 ms build and freed nothing).
    `end()` it early when the work turns out long (files being validated make garbage again)."""

    def __init__(self) -> None:
        self.active = False

    def __enter__(self) -> "Pause":
        _pause()
        self.active = True
        return self

    def end(self) -> None:
        if self.active:
            self.active = False
            _resume()

    def __exit__(self, *exc) -> None:
        self.end()


class QuietCollector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_input = clock()
        self._dirty = True  # start-up made garbage: the first idle moment collects it
        self._frozen = False
        self._saved: tuple[int, int, int] | None = None
        self.collections = 0  # full collections run by this object (for tests and the bench)

    @property
    def running(self) -> bool:
        return self._saved is not None

    def start(self) -> None:
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        young, middle, old = self._saved
        gc.set_threshold(young, middle, max(old, 1) * BACKSTOP)

    def input(self) -> None:
        """A key or a click: the teller is acting now."""
        self._last_input = self._clock()
        self._dirty = True

    def idle_tick(self) -> bool:
        """Called every fraction of a second: a full collection if the teller has been idle long
        enough since the last input. True when it collected."""
        if self._saved is None or not self._dirty or self._clock() - self._last_input < IDLE_S:
            return False
        gc.collect()
        if not self._frozen:  # what survived start-up lives as long as the app
            gc.freeze()
            self._frozen = True
        self._dirty = False
        self.collections += 1
        return True

    def stop(self) -> None:
        release()  # an app closed before its first paint
        if self._saved is None:
            return
        gc.set_threshold(*self._saved)
        self._saved = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
