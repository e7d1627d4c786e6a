"""Stored pre-shift checks: a row when the check starts, the verdict and its numbers when it ends.

Each function is one transaction around a write of coach/store/writes.py (the Outbox makes the
same writes, queued)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from coach.store import writes
from coach.store.db import now, transaction

if TYPE_CHECKING:
    from coach.check import Verdict


def start_check(conn: sqlite3.Connection, teller_id: int, minutes: int, pass_mark: int) -> int:
    new = writes.NewCheck.of(minutes, pass_mark)
    with transaction(conn) as c:
        return writes.start_check(c, teller_id, new)


def abandon_check(conn: sqlite3.Connection, check_id: int) -> None:
    """The teller ended the check early: it ended, with no verdict (not a "review")."""
    with transaction(conn) as c:
        writes.abandon_check(c, check_id, now())


def finish_check(conn: sqlite3.Connection, check_id: int, verdict: "Verdict") -> None:
    record = writes.CheckVerdict.of(verdict)
    with transaction(conn) as c:
        writes.finish_check(c, check_id, record)
