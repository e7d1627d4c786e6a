"""The driver of a `coach serve` session: Textual's WebDriver, ended when the server goes away.

Textual's WebDriver reads the server's packets from standard input and quits when the server sends
`quit`. When standard input ends instead (the server was killed and never sent it), its input thread
just stops and the app runs on for good, holding the history open: an orphan. Here the end of input
asks the app to exit, and arms a backstop: SIGALRM's default action ends the process after
`BACKSTOP_S` whatever the app is doing (every answer is stored the moment it is given, so nothing
is lost). `coach serve` names this class in TEXTUAL_DRIVER for every session it starts.
"""

from __future__ import annotations

import signal

from textual import messages
from textual.drivers.web_driver import WebDriver

BACKSTOP_S = 5


class CoachWebDriver(WebDriver):
    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # input ended without the app stopping: the server is gone
            self.server_gone()

    def server_gone(self) -> None:
        if hasattr(signal, "alarm"):
            signal.alarm(BACKSTOP_S)  # default action: the process ends, even if the exit hangs
        try:
            self._app.call_from_thread(self._app.post_message, messages.ExitApp())
        except RuntimeError:  # the app's loop has already closed
            pass
