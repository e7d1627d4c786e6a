"""Background sync for the terminal UI: after each finished attempt, when COACH_CENTRAL is set.

The sync runs on its own thread with its own SQLite connection (the history is WAL with a busy
timeout, so the teller's answers are never blocked), one at a time: a kick during a sync asks for
one more round after it. It never raises: a failure (network down, server down, credentials
refused, no branch id) is recorded in the history's sync status, which the library screen shows
quietly with the number of attempts waiting. Nothing is lost locally either way.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

from coach.central.target import ENV_VAR, scrub


class BackgroundSync:
    def __init__(self, db_path: Path, url: str, branch: str | None = None,
                 on_done: Callable[[], None] | None = None) -> None:
        self.db_path, self.url, self.branch, self.on_done = Path(db_path), url, branch, on_done
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    @classmethod
    def from_env(cls, db_path: Path, on_done: Callable[[], None] | None = None) -> "BackgroundSync | None":
        url = os.environ.get(ENV_VAR)
        if not url:
            return None
        return cls(db_path, url, os.environ.get("COACH_BRANCH") or None, on_done)

    def kick(self) -> None:
        """Sync soon, on a background thread; returns at once."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="coach-sync", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._once()
            with self._lock:
                if not self._again:
                    self._thread = None
                    break
                self._again = False
        if self.on_done is not None:
            try:
                self.on_done()
            except Exception:  # noqa: BLE001 - the app may have closed meanwhile
                pass

    def _once(self) -> None:
        from coach.store.db import StoreError, connect
        from coach.store.outbox import record_status, waiting

        try:
            conn = connect(self.db_path)
        except StoreError:
            return
        try:
            from coach.central.sync import sync
            from coach.central.target import CentralError, describe

            try:
                sync(conn, self.url, self.branch)
            except (CentralError, StoreError) as exc:  # CentralError is already recorded by sync
                if isinstance(exc, StoreError):
                    record_status(conn, describe(self.url), scrub(str(exc), self.url), waiting(conn, None))
            except Exception as exc:  # noqa: BLE001 - never take the teller's session down
                record_status(conn, describe(self.url), scrub(f"sync failed: {exc}", self.url), waiting(conn, None))
        except Exception:  # noqa: BLE001 - the status itself could not be written: nothing to add
            pass
        finally:
            conn.close()


def status_line(conn, lang: str = "en") -> str:
    """One quiet line for the library: the last sync failed (and how many wait), or attempts
    waiting; empty when everything is synced or sync is not used."""
    from coach.store.outbox import last_status

    status = last_status(conn)
    if status is None:
        return ""
    zh = lang == "zh"
    if status.error:
        when = status.tried[11:16]
        return (f"上次同步失败（{when} UTC），{status.waiting} 次练习等待上传；本机记录完好。" if zh else
                f"Last sync to the central store failed ({when} UTC); {status.waiting} attempts waiting. "
                "Nothing is lost locally.")
    if status.waiting:
        return f"{status.waiting} 次练习等待上传。" if zh else f"{status.waiting} attempts waiting to sync."
    return ""
