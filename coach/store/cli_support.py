"""Opening the history database from a command: `--db`, `--yes`, and every failure as a message.

A file that is not a database (or is damaged) is left alone unless the teller agrees — `--yes`, or
"y" at the prompt on a terminal — and then it is moved aside to `<name>.broken-<timestamp>` (its
bytes kept) and a fresh history is started.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from coach.store.db import BrokenDatabase, StoreError, connect, default_path, move_aside


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


def open_db(args: argparse.Namespace, prog: str, *, create: bool = True) -> tuple[sqlite3.Connection | None, int]:
    """(connection, 0), or (None, exit code) after printing a plain message."""
    path: Path = default_path(getattr(args, "db", None))
    try:
        return connect(path, create=create, verify=bool(getattr(args, "yes", False))), 0
    except BrokenDatabase as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        if getattr(args, "yes", False) or _agree(
            "Move it aside (it is kept, renamed) and start a fresh history? [y/N] "
        ):
            try:
                moved = move_aside(path)
                print(f"{prog}: moved it to {moved}; starting a fresh history.", file=sys.stderr)
                return connect(path, create=True), 0
            except (StoreError, OSError) as again:
                print(f"{prog}: {again}", file=sys.stderr)
                return None, 1
        print(f"{prog}: nothing was changed. Run again with --yes to move it aside and start a fresh "
              f"history, or use another file with --db.", file=sys.stderr)
        return None, 1
    except StoreError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None, 1


def damaged(prog: str, path, exc: Exception) -> int:
    """A damaged page met while reading or writing: a message instead of a traceback."""
    print(f"{prog}: {path} is damaged ({exc}). Nothing more was written. Run again with --yes to move "
          f"it aside and start a fresh history, or use another file with --db.", file=sys.stderr)
    return 1
