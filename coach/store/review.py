"""Review cards: every decision a teller got wrong or half-right comes back, scheduled by FSRS.

One card per teller and step (`review_cards`), created the moment the answer is stored (practice,
assessment or the pre-shift check: all go through coach/store/writes.py). Its FSRS state (the `fsrs`
package, the scheduler Anki uses) is kept as JSON beside the columns that queries need (due,
stability). A review's rating comes from the answer — wrong = Again, half-right = Hard, best =
Good, best and quick = Easy — or from the teller's self-rating after typing their own reply; the
next due date is FSRS's.

Fuzzing is off: a teller's deck is small (there is no load to spread) and the same answers give
the same dates, which scripts and tests rely on.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from coach.store.db import now, transaction

if TYPE_CHECKING:
    from coach.engine import Turn

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}
#: The best answer given within this many seconds is "best and quick" (Easy).
QUICK_SECONDS = 12.0

_scheduler = None


def scheduler():
    """The one FSRS scheduler (default parameters and learning steps, no fuzz)."""
    global _scheduler
    if _scheduler is None:
        from fsrs import Scheduler

        _scheduler = Scheduler(enable_fuzzing=False)
    return _scheduler


def iso(when: datetime) -> str:
    """UTC, always with microseconds, so stored times sort as text."""
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def is_miss(turn: "Turn") -> bool:
    """Wrong or half-right: fewer points than the best choice, or a critical mistake."""
    return turn.total < turn.best_total or turn.critical is not None


def rating_for(total: int, best_total: int, critical: bool, seconds: float | None) -> int:
    """wrong = Again, half-right = Hard, best = Good, best and quick = Easy."""
    if critical or total <= 0 and total < best_total:
        return AGAIN
    if total < best_total:
        return HARD
    if seconds is not None and seconds <= QUICK_SECONDS:
        return EASY
    return GOOD


@dataclass(frozen=True)
class CardRow:
    id: int
    teller_id: int
    scenario_id: str
    step: str
    scenario_sha256: str
    step_sha: str | None
    prev_step: str | None
    prev_choice: int | None
    choice: int | None  # the choice taken when it was missed (None: a typed reply rated low)
    principles: list[str]
    due: str
    stability: float | None
    reps: int
    lapses: int
    state: str

    def to_dict(self) -> dict:
        return {"card": self.id, "scenario": self.scenario_id, "step": self.step, "due": self.due,
                "stability": None if self.stability is None else round(self.stability, 4),
                "state": self.state, "reps": self.reps, "lapses": self.lapses,
                "principles": list(self.principles)}


_COLS = ("id, teller_id, scenario_id, step, scenario_sha256, step_sha, prev_step, prev_choice, choice,"
         " principles, due, stability, reps, lapses, card")
_STATES = {1: "learning", 2: "review", 3: "relearning"}


def _row(r: tuple) -> CardRow:
    try:
        state = _STATES.get(int(json.loads(r[14]).get("state", 1)), "learning")
    except (ValueError, TypeError, AttributeError):
        state = "learning"
    try:
        principles = [str(p) for p in json.loads(r[9] or "[]")]
    except (ValueError, TypeError):
        principles = []
    return CardRow(*r[:9], principles, *r[10:14], state)


def missed_principles(turn: "Turn") -> list[str]:
    """Principles the choice fell short on (against the step's best points), and rules it broke."""
    short = [p for p, best in turn.best_points.items() if best > 0 and turn.points.get(p, 0) < best]
    for ev in turn.events:
        if not ev.kept:
            short += [p for p, v in ev.earned.items() if v < 0 or ev.possible.get(p, 0) > v]
    return list(dict.fromkeys(short))


def note_answer(conn: sqlite3.Connection, teller_id: int, attempt_id: int, seq: int, turn: "Turn",
                step_sha: str | None = None, at: datetime | None = None) -> int | None:
    """Inside the answer's transaction (coach/store/writes.py): a missed decision becomes a review card (due now), or a
    retired card of that step comes back. An active card is left as FSRS scheduled it."""
    if not is_miss(turn):
        return None
    row = conn.execute("SELECT scenario_id, scenario_sha256 FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
    if row is None:
        return None
    scenario_id, sha = row
    existing = conn.execute(
        "SELECT id, retired FROM review_cards WHERE teller_id = ? AND scenario_id = ? AND step = ?",
        (teller_id, scenario_id, turn.step),
    ).fetchone()
    if existing is not None and existing[1] is None:
        return int(existing[0])
    prev = conn.execute(
        "SELECT step, choice FROM answers WHERE attempt_id = ? AND seq < ? AND undone IS NULL"
        " ORDER BY seq DESC LIMIT 1", (attempt_id, seq),
    ).fetchone()
    return _put_card(conn, teller_id, scenario_id, sha, turn.step, step_sha, attempt_id, turn.index,
                     missed_principles(turn), prev, existing[0] if existing else None, at)


def card_for(conn: sqlite3.Connection, teller_id: int, scenario_id: str, step: str) -> int | None:
    """The active card of a step, if any."""
    row = conn.execute(
        "SELECT id FROM review_cards WHERE teller_id = ? AND scenario_id = ? AND step = ? AND retired IS NULL",
        (teller_id, scenario_id, step),
    ).fetchone()
    return int(row[0]) if row else None


def create_card(conn: sqlite3.Connection, teller_id: int, scenario_id: str, sha256: str, step: str,
                step_sha: str | None, attempt_id: int | None = None, at: datetime | None = None) -> int:
    """A card for a step the teller rated themselves Again or Hard on ("say it yourself"), with no
    choice taken. Reuses a retired card of the step."""
    with transaction(conn) as c:
        existing = c.execute(
            "SELECT id, retired FROM review_cards WHERE teller_id = ? AND scenario_id = ? AND step = ?",
            (teller_id, scenario_id, step),
        ).fetchone()
        if existing is not None and existing[1] is None:
            return int(existing[0])
        return _put_card(c, teller_id, scenario_id, sha256, step, step_sha, attempt_id, None, [], None,
                         existing[0] if existing else None, at)


def _put_card(conn, teller_id, scenario_id, sha, step, step_sha, attempt_id, choice, principles, prev,
              existing_id, at) -> int:
    from fsrs import Card

    when = at or utcnow()
    card = Card(card_id=0, due=when)
    values = (sha or "", step_sha, prev[0] if prev else None, prev[1] if prev else None, attempt_id, choice,
              json.dumps(principles), card.to_json(), iso(when), None)
    if existing_id is None:
        cur = conn.execute(
            "INSERT INTO review_cards (teller_id, scenario_id, step, scenario_sha256, step_sha, prev_step,"
            " prev_choice, attempt_id, choice, principles, card, due, stability, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (teller_id, scenario_id, step, *values, iso(when)),
        )
        return int(cur.lastrowid)
    conn.execute(
        "UPDATE review_cards SET scenario_sha256 = ?, step_sha = ?, prev_step = ?, prev_choice = ?,"
        " attempt_id = ?, choice = ?, principles = ?, card = ?, due = ?, stability = ?, reps = 0,"
        " lapses = 0, retired = NULL WHERE id = ?",
        (*values, existing_id),
    )
    return int(existing_id)


def due(conn: sqlite3.Connection, teller_id: int, by: datetime | None = None, limit: int | None = None) -> list[CardRow]:
    """Active cards due by `by` (default now), earliest first."""
    sql = (f"SELECT {_COLS} FROM review_cards WHERE teller_id = ? AND retired IS NULL AND due <= ?"
           " ORDER BY due, id")
    params: tuple = (teller_id, iso(by or utcnow()))
    if limit is not None:
        sql += " LIMIT ?"
        params += (int(limit),)
    return [_row(r) for r in conn.execute(sql, params)]


def count_due(conn: sqlite3.Connection, teller_id: int, by: datetime | None = None) -> int:
    return int(conn.execute(
        "SELECT count(*) FROM review_cards WHERE teller_id = ? AND retired IS NULL AND due <= ?",
        (teller_id, iso(by or utcnow())),
    ).fetchone()[0])


def end_of_tomorrow(at: datetime | None = None) -> datetime:
    """Midnight at the end of tomorrow, in the workstation's local time, as UTC."""
    local = (at or utcnow()).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight + timedelta(days=2)).astimezone(timezone.utc)


def count_due_tomorrow(conn: sqlite3.Connection, teller_id: int, at: datetime | None = None) -> int:
    """Cards due by the end of tomorrow (those still due today included)."""
    return count_due(conn, teller_id, end_of_tomorrow(at))


def get(conn: sqlite3.Connection, card_id: int) -> CardRow | None:
    r = conn.execute(f"SELECT {_COLS} FROM review_cards WHERE id = ?", (card_id,)).fetchone()
    return _row(r) if r else None


def review(conn: sqlite3.Connection, card_id: int, rating: int, *, how: str = "choice",
           choice: int | None = None, seconds: float | None = None, at: datetime | None = None) -> CardRow:
    """Rate a card (1 Again … 4 Easy); FSRS gives its next due date. One transaction."""
    from fsrs import Card, Rating

    if rating not in RATING_NAMES:
        raise ValueError(f"rating must be 1–4, not {rating}")
    when = at or utcnow()
    with transaction(conn) as c:
        raw = c.execute("SELECT card FROM review_cards WHERE id = ?", (card_id,)).fetchone()
        if raw is None:
            raise KeyError(card_id)
        card = Card.from_json(raw[0])
        before = card.state
        card, _log = scheduler().review_card(card, Rating(rating), review_datetime=when.astimezone(timezone.utc))
        lapse = 1 if rating == AGAIN and int(before) == 2 else 0  # forgotten after it was learnt
        c.execute(
            "UPDATE review_cards SET card = ?, due = ?, stability = ?, reps = reps + 1, lapses = lapses + ?"
            " WHERE id = ?",
            (card.to_json(), iso(card.due), card.stability, lapse, card_id),
        )
        c.execute(
            "INSERT INTO review_log (card_id, at, rating, how, choice, seconds, due_after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (card_id, iso(when), rating, how, choice, None if seconds is None else round(float(seconds), 3),
             iso(card.due)),
        )
    return get(conn, card_id)  # type: ignore[return-value]


def retire(conn: sqlite3.Connection, card_id: int) -> None:
    """The step no longer exists or changed: the card is not shown again (unless missed again)."""
    with transaction(conn) as c:
        c.execute("UPDATE review_cards SET retired = ? WHERE id = ? AND retired IS NULL", (now(), card_id))


def save_reply(conn: sqlite3.Connection, teller_id: int, scenario_id: str, step: str, lang: str, text: str,
               markers: dict, rating: int | None = None, *, attempt_id: int | None = None,
               card_id: int | None = None) -> int:
    """A reply typed in the teller's own words, with what its markers found and the self-rating."""
    with transaction(conn) as c:
        cur = c.execute(
            "INSERT INTO replies (teller_id, attempt_id, card_id, scenario_id, step, lang, text, markers,"
            " rating, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (teller_id, attempt_id, card_id, scenario_id, step, lang, text,
             json.dumps(markers, ensure_ascii=False), rating, now()),
        )
        return int(cur.lastrowid)


def replies(conn: sqlite3.Connection, scenario_id: str | None = None) -> list[dict]:
    """Typed replies, per scenario and step, oldest first (for a trainer's report)."""
    where, params = ("WHERE r.scenario_id = ?", (scenario_id,)) if scenario_id else ("", ())
    rows = conn.execute(
        "SELECT t.name, r.scenario_id, r.step, r.lang, r.text, r.markers, r.rating, r.at, r.attempt_id,"
        f" r.card_id FROM replies AS r JOIN tellers AS t ON t.id = r.teller_id {where}"
        " ORDER BY r.scenario_id, r.step, r.at", params,
    ).fetchall()
    out = []
    for name, sid, step, lang, text, markers, rating, at, attempt, card in rows:
        try:
            found = json.loads(markers)
        except ValueError:
            found = {}
        out.append({"teller": name, "scenario": sid, "step": step, "lang": lang, "text": text,
                    "markers": found, "rating": RATING_NAMES.get(rating), "at": at,
                    "attempt": attempt, "card": card})
    return out
