"""Textual's WebDriver (each browser tab's `coach run` under `coach serve`), for a server that may
go away at any moment.

The server talks to the app over the app's stdin and stdout (pipes). Textual 8.2's WebDriver writes
each packet with a plain `os.write` on the event loop: a server that stops reading freezes the app,
and one that is gone (killed, crashed) raises BrokenPipeError in the middle of a repaint. Its input
thread ends quietly at end of input, and the app then runs on, unseen, for good.

Here every packet goes through an Outlet (coach/tui/outlet.py: written by a thread, bounded waits,
dropped once the pipe is broken, which reports the hang-up), and end of input, or a closed stdout
seen while the app is idle, ends the app (return code 129) within the hang-up's grace
(coach/tui/hangup.py). A server that wants a tab's app to end closes the pipes, or sends `quit`,
SIGHUP or SIGTERM.

Relies on these WebDriver internals (pinned in pyproject.toml, checked by
tests/hardening/test_hangup_units.py): `_write` (every packet is written through it),
`_input_reader` (iterated by the input thread, closed by `stop_application_mode`), `fileno`.
"""

from __future__ import annotations

from textual.drivers.web_driver import WebDriver

from coach.tui import hangup
from coach.tui.drivers.outlet_driver import OutletDriver


class WatchedInput:
    """The driver's InputReader, reporting end of input and a closed stdout."""

    def __init__(self, reader, output: int, on_lost) -> None:
        self._reader, self._output, self._on_lost = reader, output, on_lost
        self._closed = False

    def close(self) -> None:
        self._closed = True
        self._reader.close()

    def __iter__(self):
        for data in self._reader:
            yield data
            if not data and not self._closed and hangup.is_dead(self._output):  # an idle tick
                self._on_lost("output closed")
                return
        if not self._closed:  # the reader stopped by itself: end of input
            self._on_lost("end of input")


class CoachWebDriver(OutletDriver, WebDriver):
    def __init__(self, app, **kwargs) -> None:
        super().__init__(app, **kwargs)
        self._write = self._emit  # data, meta and binary packets alike
        self._input_reader = WatchedInput(self._input_reader, self.fileno, self._lost)

    def start_application_mode(self) -> None:
        self._open_outlet(self.fileno, name="coach-web-output")
        super().start_application_mode()
        self._handle_signals()  # after the driver's own SIGINT/SIGTERM handlers: ours win
