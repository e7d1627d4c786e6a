"""SIGTERM, SIGHUP, SIGINT and SIGQUIT end the app cleanly instead of killing Python on the spot.

Killed outright, the process leaves the terminal in the alternate screen with mouse tracking on and
the cursor hidden. Handled, the signal asks the app to exit: Textual's driver then writes the reset
sequences and restores the terminal's mode. Every answer is already stored the moment it is chosen,
so an interrupted session is offered for resuming next time.

The handlers are plain `signal.signal` handlers, not the event loop's: they run in the main thread
even while it waits for something (a terminal that takes no output), so a stop is never lost. Each
hands over to coach/tui/hangup.py, which bounds every later wait and arms the hard stop.

SIGHUP inherited as ignored (`nohup coach`) stays ignored: a real hang-up still ends coach, through
the end of its input (coach/tui/drivers/).

The drivers install the handlers when the app starts (`exit_on_signals`, also called by the apps'
`on_mount`); they stay until the process ends, so a signal during the last save still ends it
through the hard stop, after that save.
"""

from __future__ import annotations

import asyncio
import signal
import threading

from coach.tui import hangup

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT")
                if hasattr(signal, name))

_target: dict = {"app": None, "loop": None}


def exit_on_signals(app, loop=None) -> None:
    """Make these signals exit `app` (return code 128 + the signal's number) while it runs."""
    if getattr(app, "is_headless", False):  # tests drive the app; leave the runner's handlers alone
        return
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        loop = loop or asyncio.get_running_loop()
    except RuntimeError:
        return
    _target["app"], _target["loop"] = app, loop
    for sig in SIGNALS:
        current = signal.getsignal(sig)
        if current is _on_signal:
            continue
        if sig == signal.SIGHUP and current == signal.SIG_IGN:  # nohup
            continue
        try:
            signal.signal(sig, _on_signal)
        except (OSError, ValueError):  # pragma: no cover - not allowed here
            pass


def _on_signal(signum: int, _frame) -> None:
    app, loop = _target["app"], _target["loop"]
    if app is not None and not getattr(app, "is_running", True):
        app = None  # the app has ended: only the hard stop is left to arm
    hangup.stopped_by_signal(app, loop, signum)
