"""What coach's terminal and web drivers share: output through an Outlet, hang-ups reported to
coach/tui/hangup.py, and the stop signals handled from the start of application mode."""

from __future__ import annotations

import asyncio

from coach.tui import hangup, signals
from coach.tui.outlet import Outlet

#: Seconds `close()` waits for queued output (the reset sequences, the exit packet) to go out.
CLOSE_SECONDS = 1.0


class OutletDriver:
    """A mixin for a Textual Driver (first among the bases): `_open_outlet` in
    `start_application_mode`, before the driver writes anything."""

    _outlet: Outlet | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    def _open_outlet(self, fd: int, **kwargs) -> Outlet:
        self._loop = asyncio.get_running_loop()
        self._outlet = Outlet(fd, on_lost=self._lost, **kwargs)
        hangup.track(self._outlet)
        return self._outlet

    def _emit(self, data: str | bytes) -> None:
        """Queue output; outside application mode (suspended, closed) it is dropped."""
        outlet = self._outlet
        if outlet is not None:
            outlet.write(data)

    def _handle_signals(self) -> None:
        signals.exit_on_signals(self._app, self._loop)

    def close(self) -> None:
        outlet, self._outlet = self._outlet, None
        if outlet is not None:
            outlet.close(CLOSE_SECONDS)
        super().close()
        hangup.driver_closed()

    def _lost(self, why: str) -> None:
        hangup.lost(self._app, self._loop, why)
