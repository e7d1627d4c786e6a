"""The Recorder: writes a session to the history as it happens.

Each call is its own `BEGIN IMMEDIATE` transaction, committed (WAL, synchronous=FULL) before the
call returns, so an answer is on disk the moment it is chosen: a crash, a closed terminal or a
SIGKILL loses nothing that was answered. The TUI takes an object with this interface as its
`recorder`; `coach check --auto` and the tests drive it directly.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from coach.store import checks, writes
from coach.store.db import now, transaction
from coach.store.tellers import teller_id

if TYPE_CHECKING:
    from coach.engine import Scorecard, Turn
    from coach.scenario.model import Scenario


class Recorder:
    """Each method is one committed transaction around a write of coach/store/writes.py (shared
    with the Outbox, so both store the same rows)."""

    def __init__(self, conn: sqlite3.Connection, teller: str, *, check_id: int | None = None) -> None:
        self.conn = conn
        self.teller = teller
        self.teller_id = teller_id(conn, teller)
        self.check_id = check_id
        self._scenarios: dict[int, "Scenario"] = {}  # attempt id -> scenario, for review cards

    def start(self, scenario: "Scenario", sha256: str, mode: str, lang: str) -> int:
        """A new attempt; returns its id."""
        new = writes.NewAttempt.of(scenario, sha256, mode, lang)
        with transaction(self.conn) as c:
            attempt_id = writes.start_attempt(c, self.teller_id, new, self.check_id)
        self._scenarios[attempt_id] = scenario
        return attempt_id

    def answer(self, attempt_id: int, turn: "Turn", seconds: float | None = None) -> int:
        """Store one choice the moment it is made; returns its sequence number."""
        with transaction(self.conn) as c:
            seq = writes.next_seq(c, attempt_id)
            writes.add_answer(c, self.teller_id, attempt_id,
                              writes.NewAnswer.of(seq, turn, seconds, self._scenarios.get(attempt_id)))
            return seq

    def undo(self, attempt_id: int) -> None:
        """Take back the last live answer (practice mode). It stays stored, marked undone."""
        with transaction(self.conn) as c:
            writes.undo_answer(c, attempt_id, now())

    def finish(self, attempt_id: int, scorecard: "Scorecard") -> None:
        self._end(attempt_id, writes.ending(scorecard))

    def stop(self, attempt_id: int, scorecard: "Scorecard") -> None:
        """The attempt ends before an ending (a scripted check with a short answer list): it is kept
        with its answers and partial scorecard, but as abandoned, with no overall and no outcome, so
        reports and xAPI never count it as completed."""
        self._end(attempt_id, writes.Stopped.of(scorecard))

    def abandon(self, attempt_id: int) -> None:
        """The teller chose not to resume (or the scenario changed): never offer it again."""
        self._end(attempt_id, writes.Abandoned.of())

    def _end(self, attempt_id: int, end: writes.Ending) -> None:
        with transaction(self.conn) as c:
            writes.end_attempt(c, attempt_id, end)

    def choices(self, attempt_id: int) -> list[int]:
        """The live 0-based choice indices of an attempt, in order (for Session.replay)."""
        return writes.live_choices(self.conn, attempt_id)

    # ---- the pre-shift check (the same calls as the Outbox's) -----------------------------------

    def start_check(self, minutes: int, pass_mark: int) -> int:
        """A check row; the attempts started after it belong to it."""
        self.check_id = checks.start_check(self.conn, self.teller_id, minutes, pass_mark)
        return self.check_id

    def finish_check(self, check_id: int, verdict: Any) -> None:
        checks.finish_check(self.conn, check_id, verdict)

    def abandon_check(self, check_id: int) -> None:
        """The teller ended the check early: it ended, with no verdict (not a "review")."""
        checks.abandon_check(self.conn, check_id)

    def close_open_checks(self) -> None:
        """End the teller's checks that never got a verdict: they read as "abandoned"."""
        with transaction(self.conn) as c:
            writes.close_open_checks(c, self.teller_id, now())
