"""Opening the history database from a command: `--db`, `--yes`, and every failure as a message.

A file that is not a database (or is damaged) is left alone unless the teller agrees — `--yes`, or
"y" at the prompt on a terminal — and then it is moved aside to `<name>.broken-<timestamp>` (its
bytes kept) and a fresh history is started. Only real damage (a bad header, a failed quick_check) is
offered that way: a locked, read-only, full or failing disk, another program's database or anything
but a regular file gets its own message and is never moved (`coach.store.db.classify`).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from coach.store.db import (BrokenDatabase, StoreError, classify, connect, default_path, move_aside,
                            read_snapshot, text_or_bytes)


def add_db_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH",
                   help="history database file (default: $COACH_DB, else history.sqlite3 in your data folder)")
    p.add_argument("--yes", action="store_true",
                   help="if the history file is damaged, move it aside and start a fresh one without asking")


def _agree(prompt: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        return input(prompt).strip().lower() in ("y", "yes", "是", "好")
    except (EOFError, KeyboardInterrupt):
        return False


def open_db(args: argparse.Namespace, prog: str, *, create: bool = True,
            read_only: bool = False) -> tuple[sqlite3.Connection | None, int]:
    """(connection, 0), or (None, exit code) after printing a plain message.

    `read_only`: a consistent in-memory snapshot (`read_snapshot`): the file is neither written nor
    migrated, so it works on read-only media and beside a live writer.
    """
    path: Path = default_path(getattr(args, "db", None))
    try:
        if read_only:
            if getattr(args, "yes", False):  # --yes: check the pages too, so real damage is found now
                _quick_check_read_only(path)
            return _tolerant(read_snapshot(path)), 0
        return connect(path, create=create, verify=bool(getattr(args, "yes", False))), 0
    except BrokenDatabase as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        if getattr(args, "yes", False) or _agree(
            "Move it aside (it is kept, renamed) and start a fresh history? [y/N] "
        ):
            try:
                moved = move_aside(path)
                print(f"{prog}: moved it to {moved}; starting a fresh history.", file=sys.stderr)
                conn = connect(path, create=True)
                if read_only:
                    conn.close()
                    return _tolerant(read_snapshot(path)), 0
                return conn, 0
            except (StoreError, OSError) as again:
                print(f"{prog}: {again}", file=sys.stderr)
                return None, 1
        print(f"{prog}: nothing was changed. Run again with --yes to move it aside and start a fresh "
              f"history, or use another file with --db.", file=sys.stderr)
        return None, 1
    except StoreError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None, 1


def _tolerant(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Invalid UTF-8 in a text column comes back as bytes, so the row check reports that row."""
    conn.text_factory = text_or_bytes
    return conn


def _quick_check_read_only(path: Path) -> None:
    conn = read_snapshot(path, upgrade=False)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.Error as exc:
        raise classify(exc, path) from None
    finally:
        conn.close()
    if problems != ["ok"]:
        raise BrokenDatabase(path, "damaged: " + "; ".join(map(str, problems)))


def damaged(prog: str, path, exc: Exception) -> int:
    """An SQLite error met while reading or writing: what it was and what to do, never a traceback.

    Only real damage suggests --yes; a locked database, a full disk or an I/O error says so."""
    problem = classify(exc, path)
    if isinstance(problem, BrokenDatabase):
        print(f"{prog}: {problem} Nothing more was written. Run again with --yes to move it aside and "
              f"start a fresh history, or use another file with --db.", file=sys.stderr)
    else:
        print(f"{prog}: {problem}", file=sys.stderr)
    return 1
