"""Every write of an attempt or a check, in one place, so the two writers cannot drift apart.

The Recorder (the CLI, `coach check --auto`) and the Outbox (the terminal UI's write queue) both
store a session through these functions: the SQL and the values it stores live only here.

Each write has two halves:
- a record, taken the moment the teller acts (`NewAnswer.of(...)`, `Finished.of(...)`, ...): the
  time, the global uid and the JSON are fixed then, so a write the Outbox retries a minute later
  stores exactly what it would have stored at once;
- a function that writes the record inside the caller's transaction. The caller owns BEGIN and
  COMMIT: the Recorder commits each write at once, the Outbox retries a failed one, `coach check
  --auto` wraps a whole check in one.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from coach.store.db import now
from coach.store.review import note_answer

if TYPE_CHECKING:
    from coach.engine import Scorecard, Turn
    from coach.scenario.model import Scenario


# ---- attempts ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewAttempt:
    scenario_id: str
    sha256: str
    mode: str
    lang: str
    started: str
    uid: str

    @classmethod
    def of(cls, scenario: "Scenario", sha256: str, mode: str, lang: str) -> "NewAttempt":
        # uid: the attempt's global id, chosen once here (the central store keys on it; a retry keeps it)
        return cls(scenario.id, sha256 or "", mode, lang, now(), str(uuid.uuid4()))


def start_attempt(c: sqlite3.Connection, teller_id: int, new: NewAttempt, check_id: int | None) -> int:
    """A new open attempt; returns its row id."""
    cur = c.execute(
        "INSERT INTO attempts (teller_id, scenario_id, scenario_sha256, mode, lang, started, check_id, uid)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (teller_id, new.scenario_id, new.sha256, new.mode, new.lang, new.started, check_id, new.uid),
    )
    return int(cur.lastrowid)


@dataclass(frozen=True)
class NewAnswer:
    seq: int
    step: str
    choice: int
    act: str
    points: str  # JSON: the choice's points, the best possible, the rules fired
    mood_before: int
    mood_after: int
    seconds: float | None
    at: str
    turn: "Turn"  # for the review card of a missed decision
    step_sha: str | None  # the step's fingerprint, so a card retires when the step changes

    @classmethod
    def of(cls, seq: int, turn: "Turn", seconds: float | None, scenario: "Scenario | None") -> "NewAnswer":
        points = {"choice": dict(turn.points), "best": dict(turn.best_points),
                  "rules": [ev.to_dict() for ev in turn.events]}
        step = scenario.steps.get(turn.step) if scenario is not None else None
        return cls(seq, turn.step, turn.index, turn.act, json.dumps(points, ensure_ascii=False, sort_keys=True),
                   turn.mood_before, turn.mood_after, None if seconds is None else round(float(seconds), 3),
                   now(), turn, step.fingerprint() if step else None)


def next_seq(c: sqlite3.Connection, attempt_id: int) -> int:
    """The sequence number the attempt's next answer gets (undone answers keep theirs)."""
    return int(c.execute("SELECT coalesce(max(seq), 0) + 1 FROM answers WHERE attempt_id = ?",
                         (attempt_id,)).fetchone()[0])


def add_answer(c: sqlite3.Connection, teller_id: int, attempt_id: int, a: NewAnswer) -> bool:
    """Store one answer; False when (attempt, seq) is already stored (a retried write), so nothing
    is ever stored twice. A missed decision becomes a review card in the same transaction."""
    cur = c.execute(
        "INSERT INTO answers (attempt_id, seq, step, choice, act, points, mood_before, mood_after,"
        " seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (attempt_id, seq) DO NOTHING",
        (attempt_id, a.seq, a.step, a.choice, a.act, a.points, a.mood_before, a.mood_after, a.seconds, a.at),
    )
    if not cur.rowcount:
        return False
    note_answer(c, teller_id, attempt_id, a.seq, a.turn, a.step_sha)
    return True


def undo_answer(c: sqlite3.Connection, attempt_id: int, at: str, seq: int | None = None) -> None:
    """Mark an answer undone (it stays stored): answer `seq`, or the last live one when None.
    An answer already undone is left as it is, so a retried undo changes nothing."""
    c.execute(
        "UPDATE answers SET undone = ? WHERE attempt_id = ? AND undone IS NULL AND seq = coalesce(?,"
        " (SELECT max(seq) FROM answers WHERE attempt_id = ? AND undone IS NULL))",
        (at, attempt_id, seq, attempt_id),
    )


def live_choices(c: sqlite3.Connection, attempt_id: int) -> list[int]:
    """The live 0-based choice indices of an attempt, in order (for Session.replay)."""
    return [r[0] for r in c.execute(
        "SELECT choice FROM answers WHERE attempt_id = ? AND undone IS NULL ORDER BY seq", (attempt_id,))]


@dataclass(frozen=True)
class Finished:
    ended: str
    scorecard: str
    overall: int
    outcome: str | None
    principles: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, scorecard: "Scorecard") -> "Finished":
        return cls(now(), json.dumps(scorecard.to_dict(), ensure_ascii=False), int(scorecard.overall),
                   scorecard.outcome, tuple((pid, int(t.score)) for pid, t in scorecard.principles.items()))


@dataclass(frozen=True)
class Stopped:
    """Ended before an ending: kept with its answers and partial scorecard, but as abandoned, with
    no overall and no outcome, so reports and xAPI never count it as completed."""
    ended: str
    scorecard: str

    @classmethod
    def of(cls, scorecard: "Scorecard") -> "Stopped":
        return cls(now(), json.dumps(scorecard.to_dict(), ensure_ascii=False))


@dataclass(frozen=True)
class Abandoned:
    """The teller chose not to resume (or the scenario changed): never offered again."""
    ended: str

    @classmethod
    def of(cls) -> "Abandoned":
        return cls(now())


Ending = Union[Finished, Stopped, Abandoned]


def ending(scorecard: "Scorecard") -> Finished | Stopped:
    """How `finish` ends an attempt. With no ending reached (a check whose time ran out, a short
    answer list) there is no outcome, as every ending has one: stopped, never stored as finished."""
    return Stopped.of(scorecard) if scorecard.outcome is None else Finished.of(scorecard)


def end_attempt(c: sqlite3.Connection, attempt_id: int, end: Ending) -> None:
    if isinstance(end, Finished):
        c.execute("UPDATE attempts SET status = 'finished', ended = ?, scorecard = ?, overall = ?,"
                  " outcome = ? WHERE id = ?", (end.ended, end.scorecard, end.overall, end.outcome, attempt_id))
        # replaced, not added to: finishing twice (a retry) leaves one row per principle
        c.execute("DELETE FROM attempt_principles WHERE attempt_id = ?", (attempt_id,))
        c.executemany("INSERT INTO attempt_principles (attempt_id, principle, score) VALUES (?, ?, ?)",
                      [(attempt_id, pid, score) for pid, score in end.principles])
    elif isinstance(end, Stopped):  # only an open attempt: a finished one is never undone
        c.execute("UPDATE attempts SET status = 'abandoned', ended = ?, scorecard = ? WHERE id = ? AND status = 'open'",
                  (end.ended, end.scorecard, attempt_id))
    elif isinstance(end, Abandoned):
        c.execute("UPDATE attempts SET status = 'abandoned', ended = ? WHERE id = ? AND status = 'open'",
                  (end.ended, attempt_id))
    else:  # pragma: no cover - every ending is above
        raise TypeError(end)


# ---- pre-shift checks ----------------------------------------------------------------------------

@dataclass(frozen=True)
class NewCheck:
    started: str
    minutes: int
    pass_mark: int
    uid: str  # the check's global id (the central store keys on it), chosen once

    @classmethod
    def of(cls, minutes: int, pass_mark: int) -> "NewCheck":
        return cls(now(), int(minutes), int(pass_mark), str(uuid.uuid4()))


def start_check(c: sqlite3.Connection, teller_id: int, new: NewCheck) -> int:
    """A check row; returns its id (the attempts started after it carry it)."""
    cur = c.execute("INSERT INTO checks (teller_id, started, minutes, pass_mark, uid) VALUES (?, ?, ?, ?, ?)",
                    (teller_id, new.started, new.minutes, new.pass_mark, new.uid))
    return int(cur.lastrowid)


@dataclass(frozen=True)
class CheckVerdict:
    ended: str
    verdict: str
    review: str
    numbers: str

    @classmethod
    def of(cls, verdict: Any) -> "CheckVerdict":
        return cls(now(), "ready" if verdict.ready else "review", json.dumps(verdict.review),
                   json.dumps(verdict.numbers(), ensure_ascii=False))


def finish_check(c: sqlite3.Connection, check_id: int, v: CheckVerdict) -> None:
    c.execute("UPDATE checks SET ended = ?, verdict = ?, review = ?, numbers = ? WHERE id = ?",
              (v.ended, v.verdict, v.review, v.numbers, check_id))


def abandon_check(c: sqlite3.Connection, check_id: int, ended: str) -> None:
    """The teller ended the check early: it ended, with no verdict (not a "review")."""
    c.execute("UPDATE checks SET ended = ?, numbers = ? WHERE id = ? AND verdict IS NULL",
              (ended, json.dumps({"abandoned": True}), check_id))


def close_open_checks(c: sqlite3.Connection, teller_id: int, ended: str) -> None:
    """End the teller's checks that never got a verdict (closed terminal, full disk): they read as
    "abandoned" in history and reports."""
    c.execute("UPDATE checks SET ended = ? WHERE teller_id = ? AND ended IS NULL", (ended, teller_id))
