"""Textual's LinuxDriver, for a terminal that may go away at any moment.

Textual 8.2's driver has three ways to hang when its terminal closes (docs/reliability.md):
1. its WriterThread dies on the first EIO, its queue fills, and the event loop blocks for good in
   `Queue.put` (upstream: Textualize/textual#6692); SIGTERM is then never handled;
2. its input thread reads end-of-file from the hung-up terminal, ignores it, and spins at 100% CPU,
   while nothing tells the app to end (when SIGHUP is ignored, blocked, or never sent);
3. the SIGCONT that comes with every hang-up starts application mode a second time: a second input
   thread (a non-daemon thread the exit never joins) and a second writer.

Here every write goes to an Outlet (coach/tui/outlet.py: bounded waits, output dropped once the
terminal is gone); the input thread ends on end-of-file or a read error and reports the hang-up;
SIGCONT resumes only a process that suspended itself (Ctrl+Z); and the stop signals are handled
from the start of application mode (coach/tui/signals.py).

Relies on these LinuxDriver internals (pinned in pyproject.toml, checked by
tests/hardening/test_hangup_units.py): `_file`, `fileno`, `exit_event`, `_debug`, `attrs_before`,
`_writer_thread` (created by `start_application_mode`), `_must_signal_resume`,
`_sigcont_application`, `run_input_thread`, and textual._xterm_parser.XTermParser.
"""

from __future__ import annotations

import errno
import os
import selectors
import termios
from codecs import getincrementaldecoder

from textual.drivers.linux_driver import LinuxDriver

from coach.tui import hangup
from coach.tui.drivers.outlet_driver import CLOSE_SECONDS, OutletDriver
#: Reset sequences written by the hard stop if the app never got to restore the terminal.
RESET = "\x1b[<u\x1b[?1049l\x1b[?25h\x1b[?1004l\x1b[?2004l\x1b[?7h\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l"


class CoachLinuxDriver(OutletDriver, LinuxDriver):
    _restored = False

    # ---- output -----------------------------------------------------------------------------

    def start_application_mode(self) -> None:
        stream = self._file
        self._open_outlet(stream.fileno(), encoding=getattr(stream, "encoding", None) or "utf-8",
                          errors=getattr(stream, "errors", None) or "replace")
        hangup.on_hard_stop(self._restore_now)
        self._restored = False
        super().start_application_mode()
        idle, self._writer_thread = self._writer_thread, None
        if idle is not None:  # Textual's writer: started, but every write comes to the Outlet
            idle.write(None)  # its stop marker; its queue is empty, so this never waits
            idle.join(timeout=CLOSE_SECONDS)
        self._handle_signals()

    def write(self, data: str) -> None:
        self._emit(data)

    def stop_application_mode(self) -> None:
        super().stop_application_mode()
        self._restored = True

    def _restore_now(self) -> None:
        """At the hard stop: the terminal's mode and screen back, if the app did not get to it."""
        if self._restored or self._outlet is None or self._outlet.lost:
            return
        self._restored = True
        if self.attrs_before is not None:
            try:
                termios.tcsetattr(self.fileno, termios.TCSANOW, self.attrs_before)
            except termios.error:
                pass
        hangup.write_quickly(self._file.fileno(), RESET)

    # ---- the terminal going away --------------------------------------------------------------

    def _sigcont_application(self, *_) -> None:
        # SIGCONT also comes with every hang-up (with SIGHUP, to the session leader) and from any
        # `kill -CONT`; only a process that suspended itself (Ctrl+Z) has application mode to resume.
        if self._must_signal_resume and not getattr(self._app, "_exit", False):
            super()._sigcont_application()

    def run_input_thread(self) -> None:
        """Textual's input loop (8.2), ending at end-of-file or a read error: the terminal is gone."""
        from textual._xterm_parser import XTermParser

        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno, output = self.fileno, self._file.fileno()
        parser = XTermParser(self._debug)
        feed, tick = parser.feed, parser.tick
        decode = getincrementaldecoder("utf-8")().decode
        process = self.process_message
        try:
            while not self.exit_event.is_set():
                if selector.select(0.1):
                    try:
                        data = os.read(fileno, 1024 * 4)
                    except OSError as exc:
                        if exc.errno in (errno.EAGAIN, errno.EINTR):
                            continue
                        self._lost(errno.errorcode.get(exc.errno, "read error"))
                        return
                    if not data:
                        self._lost("end of input")
                        return
                    for event in feed(decode(data)):
                        process(event)
                elif hangup.is_dead(output):  # idle: is the screen still there?
                    self._lost("output closed")
                    return
                for event in tick():
                    process(event)
            for event in tick():  # a lone Escape still pending
                process(event)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except Exception:  # noqa: BLE001 - EOFError/ParseError at the end of input
                pass
