"""Stored pre-shift checks: a row when the check starts, the verdict and its numbers when it ends."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import TYPE_CHECKING

from coach.store.db import now, transaction

if TYPE_CHECKING:
    from coach.check import Verdict


def start_check(conn: sqlite3.Connection, teller_id: int, minutes: int, pass_mark: int) -> int:
    with transaction(conn) as c:
        cur = c.execute(
            "INSERT INTO checks (teller_id, started, minutes, pass_mark, uid) VALUES (?, ?, ?, ?, ?)",
            (teller_id, now(), int(minutes), int(pass_mark), str(uuid.uuid4())),
        )
        return int(cur.lastrowid)


def abandon_check(conn: sqlite3.Connection, check_id: int) -> None:
    """The teller ended the check early: it ended, with no verdict (not a "review")."""
    with transaction(conn) as c:
        c.execute("UPDATE checks SET ended = ?, numbers = ? WHERE id = ? AND verdict IS NULL",
                  (now(), json.dumps({"abandoned": True}), check_id))


def finish_check(conn: sqlite3.Connection, check_id: int, verdict: "Verdict") -> None:
    with transaction(conn) as c:
        c.execute(
            "UPDATE checks SET ended = ?, verdict = ?, review = ?, numbers = ? WHERE id = ?",
            (now(), "ready" if verdict.ready else "review", json.dumps(verdict.review),
             json.dumps(verdict.numbers(), ensure_ascii=False), check_id),
        )
