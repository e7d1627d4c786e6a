"""SIGTERM, SIGHUP and SIGQUIT end the app cleanly instead of killing Python on the spot.

Killed outright, the process leaves the terminal in the alternate screen with mouse tracking on and
the cursor hidden. Handled on the app's event loop, the signal asks the app to exit: Textual's
driver then writes the reset sequences and restores the terminal's mode. Every answer is already
stored the moment it is chosen, so an interrupted session is offered for resuming next time.
The handlers go with the event loop (asyncio removes them when it closes).
"""

from __future__ import annotations

import asyncio
import signal

SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name))


def exit_on_signals(app) -> None:
    """Make these signals exit `app` (return code 128 + the signal's number) while it runs."""
    if getattr(app, "is_headless", False):  # tests drive the app; leave the runner's handlers alone
        return
    try:
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            loop.add_signal_handler(sig, _stop, app, sig)
    except (RuntimeError, NotImplementedError, ValueError):  # not the main thread, or no support
        return


def _stop(app, sig: int) -> None:
    app.stopped_by = signal.Signals(sig).name
    app.exit(return_code=128 + int(sig))
