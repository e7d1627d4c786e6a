"""The Recorder: writes a session to the history as it happens.

Each call is its own `BEGIN IMMEDIATE` transaction, committed (WAL, synchronous=FULL) before the
call returns, so an answer is on disk the moment it is chosen: a crash, a closed terminal or a
SIGKILL loses nothing that was answered. The TUI takes an object with this interface as its
`recorder`; `coach check --auto` and the tests drive it directly.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import TYPE_CHECKING, Any

from coach.store.db import now, transaction
from coach.store.review import note_answer
from coach.store.tellers import teller_id

if TYPE_CHECKING:
    from coach.engine import Scorecard, Turn
    from coach.scenario.model import Scenario


class Recorder:
    def __init__(self, conn: sqlite3.Connection, teller: str, *, check_id: int | None = None) -> None:
        self.conn = conn
        self.teller = teller
        self.teller_id = teller_id(conn, teller)
        self.check_id = check_id
        self._scenarios: dict[int, "Scenario"] = {}  # attempt id -> scenario, for review cards

    def start(self, scenario: "Scenario", sha256: str, mode: str, lang: str) -> int:
        """A new attempt; returns its id."""
        with transaction(self.conn) as c:
            # uid: the attempt's global id, assigned once here (the central store keys on it)
            cur = c.execute(
                "INSERT INTO attempts (teller_id, scenario_id, scenario_sha256, mode, lang, started, check_id, uid)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (self.teller_id, scenario.id, sha256 or "", mode, lang, now(), self.check_id, str(uuid.uuid4())),
            )
            attempt_id = int(cur.lastrowid)
        self._scenarios[attempt_id] = scenario
        return attempt_id

    def answer(self, attempt_id: int, turn: "Turn", seconds: float | None = None) -> int:
        """Store one choice the moment it is made; returns its sequence number."""
        with transaction(self.conn) as c:
            seq = c.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM answers WHERE attempt_id = ?", (attempt_id,)
            ).fetchone()[0]
            points = {"choice": dict(turn.points), "best": dict(turn.best_points),
                      "rules": [ev.to_dict() for ev in turn.events]}
            c.execute(
                "INSERT INTO answers (attempt_id, seq, step, choice, act, points, mood_before,"
                " mood_after, seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt_id, seq, turn.step, turn.index, turn.act,
                 json.dumps(points, ensure_ascii=False, sort_keys=True), turn.mood_before, turn.mood_after,
                 None if seconds is None else round(float(seconds), 3), now()),
            )
            # A missed decision becomes a review card in the same transaction (coach/store/review.py).
            scenario = self._scenarios.get(attempt_id)
            step = scenario.steps.get(turn.step) if scenario is not None else None
            note_answer(c, self.teller_id, attempt_id, int(seq), turn, step.fingerprint() if step else None)
            return int(seq)

    def undo(self, attempt_id: int) -> None:
        """Take back the last live answer (practice mode). It stays stored, marked undone."""
        with transaction(self.conn) as c:
            c.execute(
                "UPDATE answers SET undone = ? WHERE attempt_id = ? AND seq = ("
                " SELECT max(seq) FROM answers WHERE attempt_id = ? AND undone IS NULL)",
                (now(), attempt_id, attempt_id),
            )

    def finish(self, attempt_id: int, scorecard: "Scorecard") -> None:
        if scorecard.outcome is None:
            # no ending was reached (a check whose time ran out, a short answer list): every ending
            # has an outcome, so this attempt is stopped, never stored as finished
            self.stop(attempt_id, scorecard)
            return
        data: dict[str, Any] = scorecard.to_dict()
        with transaction(self.conn) as c:
            c.execute(
                "UPDATE attempts SET status = 'finished', ended = ?, scorecard = ?, overall = ?,"
                " outcome = ? WHERE id = ?",
                (now(), json.dumps(data, ensure_ascii=False), int(scorecard.overall),
                 scorecard.outcome, attempt_id),
            )
            c.execute("DELETE FROM attempt_principles WHERE attempt_id = ?", (attempt_id,))
            c.executemany(
                "INSERT INTO attempt_principles (attempt_id, principle, score) VALUES (?, ?, ?)",
                [(attempt_id, pid, int(t.score)) for pid, t in scorecard.principles.items()],
            )

    def stop(self, attempt_id: int, scorecard: "Scorecard") -> None:
        """The attempt ends before an ending (a scripted check with a short answer list): it is kept
        with its answers and partial scorecard, but as abandoned, with no overall and no outcome, so
        reports and xAPI never count it as completed."""
        with transaction(self.conn) as c:
            c.execute(
                "UPDATE attempts SET status = 'abandoned', ended = ?, scorecard = ? WHERE id = ? AND status = 'open'",
                (now(), json.dumps(scorecard.to_dict(), ensure_ascii=False), attempt_id),
            )

    def abandon(self, attempt_id: int) -> None:
        """The teller chose not to resume (or the scenario changed): never offer it again."""
        with transaction(self.conn) as c:
            c.execute(
                "UPDATE attempts SET status = 'abandoned', ended = ? WHERE id = ? AND status = 'open'",
                (now(), attempt_id),
            )

    def choices(self, attempt_id: int) -> list[int]:
        """The live 0-based choice indices of an attempt, in order (for Session.replay)."""
        rows = self.conn.execute(
            "SELECT choice FROM answers WHERE attempt_id = ? AND undone IS NULL ORDER BY seq",
            (attempt_id,),
        ).fetchall()
        return [r[0] for r in rows]
