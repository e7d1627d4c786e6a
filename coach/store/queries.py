"""Read-side queries for the History screen, the library, `coach history`, resume and the check.

Everything is aggregated in SQL over indexed columns, so a history of 100,000 answers reads in
milliseconds (scripts/bench_store.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from coach.principles import PRINCIPLES
from coach.store import rows

#: Per-principle scores and overall scores as coach writes them; anything else is left out of sums.
_SCORE_OK = "typeof({col}) = 'integer' AND {col} BETWEEN 0 AND 100"

#: The per-principle trend and weakest principles look at this many recent finished attempts.
RECENT = 30


@dataclass(frozen=True)
class AttemptRow:
    id: int
    teller: str
    scenario_id: str
    mode: str
    lang: str
    started: str
    ended: str | None
    status: str
    overall: int | None
    outcome: str | None
    answers: int

    def to_dict(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass(frozen=True)
class Unfinished:
    """An attempt that was interrupted: what resume needs."""

    id: int
    scenario_id: str
    scenario_sha256: str
    mode: str
    lang: str
    started: str
    check_id: int | None
    choices: list[int] = field(default_factory=list)


def _teller_clause(teller_id: int | None, alias: str = "a") -> tuple[str, tuple]:
    if teller_id is None:
        return "1", ()
    return f"{alias}.teller_id = ?", (teller_id,)


def history(conn: sqlite3.Connection, teller_id: int | None = None, limit: int | None = None,
            problems: rows.Problems | None = None) -> list[AttemptRow]:
    """Attempts, newest first, with the number of live answers each. A row coach could not have
    written (an edited file) is skipped, and named in `problems` when given."""
    where, params = _teller_clause(teller_id)
    sql = (
        "SELECT a.id, t.name, a.scenario_id, a.mode, a.lang, a.started, a.ended, a.status,"
        " a.overall, a.outcome,"
        " (SELECT count(*) FROM answers AS n WHERE n.attempt_id = a.id AND n.undone IS NULL)"
        " FROM attempts AS a JOIN tellers AS t ON t.id = a.teller_id"
        f" WHERE {where} ORDER BY a.started DESC, a.id DESC"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params = (*params, int(limit))
    out = []
    for row in conn.execute(sql, params):
        try:
            out.append(_attempt_row(row))
        except rows.BadRow as exc:
            if problems is not None:
                problems.add("attempts", row[0], str(exc))
    return out


def _attempt_row(row: tuple) -> AttemptRow:
    """An attempts row as coach wrote it, or rows.BadRow (the file was edited)."""
    aid, name, sid, mode, lang, started, ended, status, overall, outcome, answers = row
    return AttemptRow(
        rows.integer(aid, "id"), rows.text(name, "the teller's name"), rows.text(sid, "scenario_id"),
        rows.text(mode, "mode"), rows.text(lang, "lang"), rows.moment(started, "started"),
        rows.moment(ended, "ended", optional=True), rows.text(status, "status"),
        None if overall is None else rows.integer(overall, "overall", 0, 100),
        rows.text(outcome, "outcome", optional=True), int(answers),
    )


def trend(conn: sqlite3.Connection, teller_id: int, recent: int = RECENT) -> dict[str, list[int]]:
    """Per principle, its scores in the teller's recent finished attempts, oldest first."""
    rows = conn.execute(
        "WITH recent AS (SELECT id, ended FROM attempts WHERE teller_id = ? AND status = 'finished'"
        "  ORDER BY ended DESC LIMIT ?)"
        " SELECT p.principle, p.score FROM recent JOIN attempt_principles AS p ON p.attempt_id = recent.id"
        " WHERE typeof(p.principle) = 'text' AND " + _SCORE_OK.format(col="p.score") +
        " ORDER BY recent.ended, recent.id",
        (teller_id, recent),
    ).fetchall()
    out: dict[str, list[int]] = {}
    for pid, score in rows:
        out.setdefault(pid, []).append(int(score))
    order = list(PRINCIPLES)
    return {p: out[p] for p in sorted(out, key=lambda p: order.index(p) if p in order else len(order))}


def principle_averages(conn: sqlite3.Connection, teller_id: int, recent: int = RECENT) -> dict[str, tuple[float, int]]:
    """Per principle, (mean score, attempts) over the teller's recent finished attempts."""
    rows = conn.execute(
        "WITH recent AS (SELECT id FROM attempts WHERE teller_id = ? AND status = 'finished'"
        "  ORDER BY ended DESC LIMIT ?)"
        " SELECT p.principle, avg(p.score), count(*) FROM attempt_principles AS p"
        " WHERE p.attempt_id IN (SELECT id FROM recent) AND typeof(p.principle) = 'text'"
        " AND " + _SCORE_OK.format(col="p.score") + " GROUP BY p.principle",
        (teller_id, recent),
    ).fetchall()
    return {pid: (float(avg), int(n)) for pid, avg, n in rows}


def weakest(conn: sqlite3.Connection, teller_id: int, n: int = 3, recent: int = RECENT) -> list[tuple[str, float]]:
    """The n principles with the lowest recent mean, weakest first: [(principle, mean)]."""
    order = list(PRINCIPLES)
    averages = principle_averages(conn, teller_id, recent)
    ranked = sorted(averages, key=lambda p: (averages[p][0], order.index(p) if p in order else 99))
    return [(p, round(averages[p][0], 1)) for p in ranked[:n]]


@dataclass(frozen=True)
class TellerHistory:
    """What the History screen shows of one teller: the newest attempts, each principle's trend and
    the weakest principles (both empty when there are no attempts)."""

    attempts: list[AttemptRow]
    trend: dict[str, list[int]]
    weakest: list[tuple[str, float]]


def teller_history(conn: sqlite3.Connection, teller_id: int | None, limit: int) -> TellerHistory:
    """The newest `limit` attempts of a teller (None: one with no row yet), their trend and weakest."""
    attempts = history(conn, teller_id, limit) if teller_id is not None else []
    if not attempts:
        return TellerHistory([], {}, [])
    return TellerHistory(attempts, trend(conn, teller_id), weakest(conn, teller_id))


def best_and_last(conn: sqlite3.Connection, teller_id: int) -> dict[str, tuple[int, int]]:
    """Per scenario id, (best overall, last overall) of the teller's finished attempts."""
    rows = conn.execute(
        "SELECT scenario_id, max(overall),"
        " (SELECT b.overall FROM attempts AS b WHERE b.teller_id = a.teller_id"
        "   AND b.scenario_id = a.scenario_id AND b.status = 'finished'"
        "   AND " + _SCORE_OK.format(col="b.overall") + " ORDER BY b.ended DESC LIMIT 1)"
        " FROM attempts AS a WHERE a.teller_id = ? AND a.status = 'finished'"
        " AND typeof(a.scenario_id) = 'text' AND " + _SCORE_OK.format(col="a.overall") +
        " GROUP BY scenario_id",
        (teller_id,),
    ).fetchall()
    return {sid: (int(best), int(last)) for sid, best, last in rows}


def last_practised(conn: sqlite3.Connection, teller_id: int) -> dict[str, str]:
    """Per scenario id, when the teller last started it (any status)."""
    rows = conn.execute(
        "SELECT scenario_id, max(started) FROM attempts WHERE teller_id = ? GROUP BY scenario_id",
        (teller_id,),
    ).fetchall()
    return dict(rows)


def finished_count(conn: sqlite3.Connection, teller_id: int) -> int:
    return int(conn.execute(
        "SELECT count(*) FROM attempts WHERE teller_id = ? AND status = 'finished'", (teller_id,)
    ).fetchone()[0])


def unfinished(conn: sqlite3.Connection, teller_id: int) -> list[Unfinished]:
    """The teller's interrupted attempts, newest first, each with its live choices in order."""
    rows = conn.execute(
        "SELECT id, scenario_id, scenario_sha256, mode, lang, started, check_id FROM attempts"
        " WHERE teller_id = ? AND status = 'open' ORDER BY started DESC, id DESC",
        (teller_id,),
    ).fetchall()
    out = []
    for row in rows:
        choices = [r[0] for r in conn.execute(
            "SELECT choice FROM answers WHERE attempt_id = ? AND undone IS NULL ORDER BY seq", (row[0],)
        )]
        out.append(Unfinished(*row, choices=choices))
    return out


def checks(conn: sqlite3.Connection, teller_id: int, limit: int = 20,
           problems: rows.Problems | None = None) -> list[dict]:
    """The teller's recent pre-shift checks, newest first; a check with no verdict is "abandoned"."""
    import json

    found = conn.execute(
        "SELECT id, started, ended, minutes, pass_mark, verdict, review, numbers FROM checks"
        " WHERE teller_id = ? ORDER BY started DESC LIMIT ?",
        (teller_id, limit),
    ).fetchall()
    out = []
    for r in found:
        try:
            review = json.loads(rows.text(r[6], "review")) if r[6] is not None else []
            numbers = rows.json_object(r[7], "numbers") if r[7] is not None else {}
            if not isinstance(review, list):
                raise rows.BadRow("review is not a list")
            out.append({
                "id": rows.integer(r[0], "id"), "started": rows.moment(r[1], "started"),
                "ended": rows.moment(r[2], "ended", optional=True),
                "minutes": rows.integer(r[3], "minutes", 0, 10_000),
                "pass_mark": rows.integer(r[4], "pass_mark", 0, 100),
                # no verdict: the check was interrupted (or could not be finished); it counts as abandoned
                "verdict": rows.text(r[5], "verdict", optional=True) or ("abandoned" if r[2] else "unfinished"),
                "review": review, "numbers": numbers,
            })
        except (rows.BadRow, ValueError, RecursionError) as exc:
            if problems is not None:
                problems.add("checks", r[0], str(exc))
    return out
