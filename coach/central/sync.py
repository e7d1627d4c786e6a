"""`coach sync`: push a workstation's closed attempts (with answers), tellers and checks to the
central store.

Idempotent and resumable: every row is keyed by its global id and inserted with ON CONFLICT DO
NOTHING, a batch of attempts is one PostgreSQL transaction, and the local bookkeeping is written
only after that transaction committed. Killed anywhere, the next sync re-sends at most the batch
in flight and the store keeps one copy. Rows are sent in a fixed order (tellers by name, attempts
by id), so concurrent syncs of one history wait for each other instead of deadlocking; a deadlock
or serialization failure anyway is retried.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Callable

from coach.central import schema
from coach.central.target import CentralError, classify, connect, describe
from coach.store import outbox

BATCH = 100
RETRIES = 3


@dataclass
class SyncResult:
    attempts: int = 0
    checks: int = 0
    waiting: int = 0
    branch: str = ""
    target: str = ""


def derived_answers(answers: list[dict]) -> list[dict]:
    """Each answer with its points summed and, for live answers, the item-analysis columns:
    first at its step, the step's position among the attempt's distinct steps, and the rest of the
    attempt's points (as coach.reports.items computes them)."""
    from coach.store import rows

    def _point_sums(points) -> tuple[int, int]:
        try:
            return rows.point_sums(points)
        except rows.BadRow:  # a tampered row counts nothing, as in the local reports
            return 0, 0

    live = [x for x in answers if x["undone"] is None]
    sums = {id(x): _point_sums(x["points_json"]) for x in answers}
    total = sum(sums[id(x)][0] for x in live)
    at_step: dict[str, int] = {}
    for x in live:
        at_step[x["step"]] = at_step.get(x["step"], 0) + sums[id(x)][0]
    seen: dict[str, int] = {}
    out = []
    for x in answers:
        points, rule = sums[id(x)]
        first = x["undone"] is None and x["step"] not in seen
        if first:
            seen[x["step"]] = len(seen)
        out.append({**x, "points": points, "rule_points": rule, "first_at_step": first,
                    "pos": seen[x["step"]] if first else None,
                    "rest": total - at_step[x["step"]] if first else None})
    return out


def _push_attempts(pg, branch: str, batch: list[dict]) -> None:
    tellers = sorted({(a["teller"], a["staff_id"], a["teller_created"]) for a in batch})
    with pg.transaction():
        with pg.cursor() as cur:
            # The batch is marked synced locally once this commit returns, so it must be durable
            # then, whatever the server's default.
            cur.execute("SET LOCAL synchronous_commit = on")
            cur.executemany(
                "INSERT INTO coach.tellers (branch, name, staff_id, created) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING", [(branch, n, s, c) for n, s, c in tellers])
            cur.executemany(
                "INSERT INTO coach.attempts (uid, branch, teller, staff_id, scenario_id, sha256, mode, lang,"
                " started, ended, status, overall, outcome, critical, answers_n, scorecard, check_uid)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [(a["uid"], branch, a["teller"], a["staff_id"], a["scenario_id"], a["sha256"], a["mode"],
                  a["lang"], a["started"], a["ended"], a["status"], a["overall"], a["outcome"], a["critical"],
                  sum(1 for x in a["answers"] if x["undone"] is None), a["scorecard"], a["check_uid"])
                 for a in batch])
            cur.executemany(
                "INSERT INTO coach.attempt_principles (attempt_uid, branch, principle, score)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(a["uid"], branch, p, int(s)) for a in batch for p, s in sorted(a["principles"].items())])
            rows = []
            for a in batch:
                for x in derived_answers(a["answers"]):
                    rows.append((a["uid"], branch, x["seq"], x["step"], x["choice"], x["act"], x["points_json"],
                                 x["points"], x["rule_points"], x["mood_before"], x["mood_after"], x["seconds"],
                                 x["at"], x["undone"], x["first_at_step"], x["pos"], x["rest"]))
            cur.executemany(
                "INSERT INTO coach.answers (attempt_uid, branch, seq, step, choice, act, points_json, points,"
                " rule_points, mood_before, mood_after, seconds, at, undone, first_at_step, pos, rest)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING", rows)
            # the report's roll-ups, in this transaction: they count each attempt once, with it
            cur.execute("SELECT coach.fold(%s::uuid[])", [[str(a["uid"]) for a in batch]])


def _push_checks(pg, branch: str, checks: list[dict]) -> None:
    tellers = sorted({(c["teller"], c["staff_id"], c["teller_created"]) for c in checks})
    with pg.transaction():
        with pg.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = on")
            cur.executemany(
                "INSERT INTO coach.tellers (branch, name, staff_id, created) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING", [(branch, n, s, c) for n, s, c in tellers])
            cur.executemany(
                "INSERT INTO coach.checks (uid, branch, teller, staff_id, started, ended, minutes, pass_mark,"
                " verdict, review, numbers) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                [(c["uid"], branch, c["teller"], c["staff_id"], c["started"], c["ended"], c["minutes"],
                  c["pass_mark"], c["verdict"], c["review"], c["numbers"]) for c in checks])


def _retrying(action: Callable[[], None]) -> None:
    import psycopg

    for attempt in range(RETRIES):
        try:
            action()
            return
        except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
            if attempt == RETRIES - 1:
                raise


def sync(conn: sqlite3.Connection, url: str, branch: str | None = None, *, batch: int = BATCH,
         progress: Callable[[int], None] | None = None) -> SyncResult:
    """Push everything the central store lacks. Raises CentralError (plain, password-free) or
    StoreError; records the outcome in the history's sync status either way."""
    from coach.central.target import _driver

    psycopg = _driver()

    target = describe(url)
    result = SyncResult(target=target)
    store: str | None = None
    try:
        result.branch = outbox.branch(conn, branch)
        outbox.ensure_uids(conn)
        pg = connect(url, application="coach sync")
        try:
            try:
                store = schema.require(pg)
                pg.commit()
            except (schema.NotInitialised, schema.NewerCentral) as exc:
                raise CentralError(f"{target}: {exc}") from None
            while True:
                todo = outbox.pending_attempts(conn, store, batch)
                if not todo:
                    break
                _retrying(lambda: _push_attempts(pg, result.branch, todo))
                outbox.mark_synced(conn, store, "attempt", [a["uid"] for a in todo])
                result.attempts += len(todo)
                if progress:
                    progress(result.attempts)
            checks = outbox.pending_checks(conn, store)
            if checks:
                _retrying(lambda: _push_checks(pg, result.branch, checks))
                outbox.mark_synced(conn, store, "check", [c["uid"] for c in checks])
                result.checks = len(checks)
        finally:
            pg.close()
    except psycopg.Error as exc:
        error = classify(exc, url)
        _record(conn, target, error, store)
        raise CentralError(error) from None
    except CentralError as exc:
        _record(conn, target, str(exc), store)
        raise
    result.waiting = outbox.waiting(conn, store)
    _record(conn, target, None, store)
    return result


def _record(conn: sqlite3.Connection, target: str, error: str | None, store: str | None) -> None:
    try:
        outbox.record_status(conn, target, error, outbox.waiting(conn, store))
    except sqlite3.Error:
        pass  # the status line is a courtesy; the sync's own outcome is what counts
