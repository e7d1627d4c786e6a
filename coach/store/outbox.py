"""What a workstation has not yet pushed to a central store, and the bookkeeping of its syncs.

The local SQLite history stays the source of truth. A central store is known by its store id
(made by `coach central init`), so bookkeeping survives a changed URL or password. An attempt is
pushed once it is closed (finished or abandoned: it never changes again), a check once it has its
verdict; `synced` records what a store has, written only after the store committed it, so a sync
killed at any point re-sends at most one batch, which the store ignores (its keys are the global
ids). Sync status (last try, last success, last error, attempts waiting) is kept per target, for
the library screen.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from dataclasses import dataclass

from coach.store.db import _UUID_SQL, StoreError, now, transaction

BRANCH_ENV = "COACH_BRANCH"
MAX_BRANCH = 64


def clean_branch(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise StoreError("a branch id cannot be empty.")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name) or len(name) > MAX_BRANCH:
        raise StoreError(f"a branch id is 1-{MAX_BRANCH} characters without control characters.")
    return name


def get_setting(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def branch(conn: sqlite3.Connection, wanted: str | None = None) -> str:
    """The workstation's branch id: kept in the history once given (--branch, COACH_BRANCH).

    A history that has already pushed results keeps its branch: changing it would split one
    workstation's tellers into two.
    """
    stored = get_setting(conn, "branch")
    if wanted is None:
        if stored is None:
            raise StoreError("this workstation has no branch id yet: give one with --branch ID "
                             f"(or {BRANCH_ENV}); it is kept in the history for later syncs.")
        return stored
    wanted = clean_branch(wanted)
    if stored == wanted:
        return stored
    with transaction(conn) as c:
        if stored is not None and c.execute("SELECT count(*) FROM synced").fetchone()[0]:
            raise StoreError(f"this history already synced as branch '{stored}'; it cannot become "
                             f"'{wanted}' (use another history file for another branch).")
        c.execute("INSERT INTO settings (key, value) VALUES ('branch', ?)"
                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (wanted,))
    return wanted


def set_staff_id(conn: sqlite3.Connection, teller: str, staff_id: str | None) -> None:
    from coach.store.tellers import find_teller

    tid = find_teller(conn, teller)
    if tid is None:
        raise StoreError(f"no teller named '{teller}' in this history.")
    value = " ".join(staff_id.split()) if staff_id else None
    with transaction(conn) as c:
        c.execute("UPDATE tellers SET staff_id = ? WHERE id = ?", (value or None, tid))


def ensure_uids(conn: sqlite3.Connection) -> None:
    """Give a global id to any row written without one (by an older coach after the migration)."""
    with transaction(conn) as c:
        c.execute(f"UPDATE attempts SET uid = {_UUID_SQL} WHERE uid IS NULL")
        c.execute(f"UPDATE checks SET uid = {_UUID_SQL} WHERE uid IS NULL")


def waiting(conn: sqlite3.Connection, store: str | None) -> int:
    """Closed attempts the store does not have yet (None: the store this history last synced to;
    all closed attempts when it never synced)."""
    if store is None:
        row = conn.execute("SELECT store FROM synced ORDER BY at DESC LIMIT 1").fetchone()
        store = row[0] if row else None
    return int(conn.execute(
        "SELECT count(*) FROM attempts AS a WHERE a.status IN ('finished', 'abandoned') AND NOT EXISTS ("
        " SELECT 1 FROM synced AS s WHERE s.store = ? AND s.kind = 'attempt' AND s.uid = a.uid)",
        (store or "",),
    ).fetchone()[0])


def pending_attempts(conn: sqlite3.Connection, store: str, limit: int) -> list[dict]:
    """Up to `limit` closed attempts not yet in `store`, oldest first, with everything to push."""
    rows = conn.execute(
        "SELECT a.id, a.uid, t.name, t.staff_id, t.created, a.scenario_id, a.scenario_sha256, a.mode, a.lang,"
        " a.started, a.ended, a.status, a.overall, a.outcome, a.scorecard, c.uid"
        " FROM attempts AS a JOIN tellers AS t ON t.id = a.teller_id LEFT JOIN checks AS c ON c.id = a.check_id"
        " WHERE a.status IN ('finished', 'abandoned') AND NOT EXISTS ("
        "  SELECT 1 FROM synced AS s WHERE s.store = ? AND s.kind = 'attempt' AND s.uid = a.uid)"
        " ORDER BY a.id LIMIT ?",
        (store, limit),
    ).fetchall()
    out = []
    for (aid, uid, name, staff, created, sid, sha, mode, lang, started, ended, status, overall, outcome,
         card, check_uid) in rows:
        principles = dict(conn.execute(
            "SELECT principle, score FROM attempt_principles WHERE attempt_id = ?", (aid,)).fetchall())
        answers = [dict(zip(("seq", "step", "choice", "act", "points_json", "mood_before", "mood_after",
                             "seconds", "at", "undone"), r)) for r in conn.execute(
            "SELECT seq, step, choice, act, points, mood_before, mood_after, seconds, at, undone"
            " FROM answers WHERE attempt_id = ? ORDER BY seq", (aid,))]
        out.append({
            "uid": uid, "teller": name, "staff_id": staff, "teller_created": created, "scenario_id": sid,
            "sha256": sha or "", "mode": mode, "lang": lang, "started": started, "ended": ended,
            "status": status, "overall": overall, "outcome": outcome, "scorecard": card,
            "critical": _critical(card) if status == "finished" else 0, "check_uid": check_uid,
            "principles": principles if status == "finished" else {}, "answers": answers,
        })
    return out


def _critical(card: str | None) -> int:
    """Critical mistakes in a stored scorecard, counted as the SQLite report counts them."""
    try:
        data = json.loads(card) if card else {}
        value = data.get("critical") if isinstance(data, dict) else None
        return len(value) if isinstance(value, list) else 0
    except ValueError:
        return 0


def pending_checks(conn: sqlite3.Connection, store: str) -> list[dict]:
    rows = conn.execute(
        "SELECT c.uid, t.name, t.staff_id, t.created, c.started, c.ended, c.minutes, c.pass_mark, c.verdict,"
        " c.review, c.numbers FROM checks AS c JOIN tellers AS t ON t.id = c.teller_id"
        " WHERE c.ended IS NOT NULL AND NOT EXISTS ("
        "  SELECT 1 FROM synced AS s WHERE s.store = ? AND s.kind = 'check' AND s.uid = c.uid) ORDER BY c.id",
        (store,),
    ).fetchall()
    keys = ("uid", "teller", "staff_id", "teller_created", "started", "ended", "minutes", "pass_mark", "verdict",
            "review", "numbers")
    return [dict(zip(keys, r)) for r in rows]


def mark_synced(conn: sqlite3.Connection, store: str, kind: str, uids: list[str]) -> None:
    at = now()
    with transaction(conn) as c:
        c.executemany("INSERT OR IGNORE INTO synced (store, kind, uid, at) VALUES (?, ?, ?, ?)",
                      [(store, kind, u, at) for u in uids])


@dataclass
class SyncStatus:
    target: str
    tried: str
    ok: str | None
    error: str | None
    waiting: int


def record_status(conn: sqlite3.Connection, target: str, error: str | None, waiting_now: int) -> None:
    at = now()
    with transaction(conn) as c:
        c.execute(
            "INSERT INTO sync_status (target, tried, ok, error, waiting) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (target) DO UPDATE SET tried = excluded.tried, error = excluded.error,"
            " waiting = excluded.waiting, ok = coalesce(excluded.ok, sync_status.ok)",
            (target, at, None if error else at, error, int(waiting_now)),
        )


def last_status(conn: sqlite3.Connection) -> SyncStatus | None:
    row = conn.execute("SELECT target, tried, ok, error, waiting FROM sync_status ORDER BY tried DESC LIMIT 1"
                       ).fetchone()
    return SyncStatus(*row) if row else None
