"""Tellers: a name each, picked or created on first start."""

from __future__ import annotations

import sqlite3
import unicodedata

from coach.store.db import StoreError, now, transaction

MAX_NAME = 40


def clean_name(raw: str) -> str:
    """A teller name as stored: trimmed, no control characters, 1–40 characters."""
    name = " ".join((raw or "").split())
    if not name:
        raise StoreError("a teller name cannot be empty.")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise StoreError("a teller name cannot contain control characters.")
    if len(name) > MAX_NAME:
        raise StoreError(f"a teller name has at most {MAX_NAME} characters.")
    return name


def teller_id(conn: sqlite3.Connection, name: str) -> int:
    """The id of a teller, created if new."""
    row = conn.execute("SELECT id FROM tellers WHERE name = ?", (name,)).fetchone()
    if row:  # a name as the database holds it (picked from the list), whatever it contains
        return int(row[0])
    name = clean_name(name)
    row = conn.execute("SELECT id FROM tellers WHERE name = ?", (name,)).fetchone()
    if row:
        return int(row[0])
    with transaction(conn) as c:
        c.execute("INSERT OR IGNORE INTO tellers (name, created) VALUES (?, ?)", (name, now()))
        return int(c.execute("SELECT id FROM tellers WHERE name = ?", (name,)).fetchone()[0])


def find_teller(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM tellers WHERE name = ?", (name,)).fetchone()
    if row is None:  # a name as typed: trimmed as it was stored
        row = conn.execute("SELECT id FROM tellers WHERE name = ?", (clean_name(name),)).fetchone()
    return int(row[0]) if row else None


def tellers(conn: sqlite3.Connection) -> list[str]:
    """Known tellers, most recently active first."""
    rows = conn.execute(
        "SELECT t.name FROM tellers AS t LEFT JOIN attempts AS a ON a.teller_id = t.id"
        " GROUP BY t.id ORDER BY max(coalesce(a.started, t.created)) DESC, t.name"
    ).fetchall()
    return [r[0] for r in rows]
