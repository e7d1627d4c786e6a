"""Run a Textual app the way every coach command does: with drivers safe for a terminal that goes
away (coach/tui/drivers/), and one line on stderr when a signal or a hang-up ended it."""

from __future__ import annotations

import select
import sys

from coach.tui import hangup


def run(app, command: str):
    """`app.run()`, with coach's driver; its result. `app.stopped_by` says what ended it, if not the teller."""
    from coach.tui.drivers import coach_driver

    app.driver_class = coach_driver(app.driver_class)
    _calm_while_closing(app)
    hangup.farewell(lambda: _farewell(app, command))
    try:
        return app.run()
    finally:
        if hangup.terminal_lost():
            hangup.silence_dead_streams()  # what is printed from now on cannot fail or block
            if getattr(app, "stopped_by", None) in (hangup.HANGUP, "SIGHUP"):
                # ended by the hang-up: nothing is left but the last save (and the farewell)
                hangup.hard_stop.now(int(app.return_code or hangup.HANGUP_CODE))
        line = _farewell(app, command)
        if line:
            say(line)


def _farewell(app, command: str) -> str | None:
    why = getattr(app, "stopped_by", None)
    if not why:
        return None
    ended = "the terminal went away" if why == hangup.HANGUP else f"stopped by {why}"
    return f"{command}: {ended}; every answer given is saved in the history."


def _calm_while_closing(app) -> None:
    """Once `exit()` is called, Textual mounts nothing more (`Widget.mount_all`): a screen pushed at
    that moment (a key pressed as the terminal closed, or as SIGTERM came) finds none of its
    children in its `on_mount`. The app is ending and nothing is lost, so that NoMatches must not
    turn the exit into a crash (return code 1, a traceback on the terminal)."""
    from textual.css.query import NoMatches

    handle = app._handle_exception

    def handle_exception(error: Exception) -> None:
        if isinstance(error, NoMatches) and getattr(app, "_exit", False):
            return
        handle(error)

    app._handle_exception = handle_exception


def say(line: str) -> None:
    """A line on stderr, unless stderr cannot take it now: gone (nothing is left to tell), or a
    terminal that stopped reading (a plain write would wait for it for good)."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        fd = None
    try:
        if fd is not None and not select.select([], [fd], [], 0.2)[1]:
            return
        print(line, file=sys.stderr, flush=True)
    except Exception:  # noqa: BLE001 - OSError, or coach.untrusted.OutputError around one
        pass
