"""`coach sync`: push this workstation's results to the central PostgreSQL store.

Exit status: 0 synced (or nothing to do), 1 the store could not be reached or refused (nothing is
lost locally: run it again later), 2 usage (no URL, a bad --branch or --staff-id).
"""

from __future__ import annotations

import argparse
import sys

from coach.store.cli_support import add_db_arguments

PROG = "coach sync"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", metavar="URL", help="the central store, a PostgreSQL connection string "
                   "(default: $COACH_CENTRAL); the password from the URL, PGPASSWORD or ~/.pgpass")
    p.add_argument("--branch", metavar="ID", help="this workstation's branch id (kept in the history; "
                   "default: $COACH_BRANCH, else the one kept)")
    p.add_argument("--staff-id", metavar="NAME=ID", action="append", default=[],
                   help="join a teller across workstations by staff id (repeatable); an empty ID clears it")
    add_db_arguments(p)


def run(args: argparse.Namespace) -> int:
    import os

    from coach.central.target import CentralError, from_env, mask
    from coach.store.cli_support import open_db
    from coach.store.db import StoreError
    from coach.store.outbox import BRANCH_ENV, set_staff_id

    url = from_env(args.to)
    if not url:
        print(f"{PROG}: no central store given: --to URL or COACH_CENTRAL "
              "(e.g. postgresql://branch042@training-db/coach)", file=sys.stderr)
        return 2
    staff = []
    for item in args.staff_id:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            print(f"{PROG}: --staff-id takes NAME=ID, not '{item}'", file=sys.stderr)
            return 2
        staff.append((name, value))
    conn, code = open_db(args, PROG)
    if conn is None:
        return code
    try:
        from coach.central.sync import sync

        for name, value in staff:
            set_staff_id(conn, name, value)
        result = sync(conn, url, args.branch or os.environ.get(BRANCH_ENV) or None,
                      progress=lambda n: print(f"{PROG}: {n} attempts sent…", file=sys.stderr))
    except StoreError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except CentralError as exc:
        from coach.store.outbox import waiting

        try:
            left = waiting(conn, None)
        except Exception:  # noqa: BLE001 - the count is a courtesy
            left = None
        print(f"{PROG}: {exc}", file=sys.stderr)
        print(f"{PROG}: nothing was lost: the results stay in this history"
              + (f" ({left} attempts waiting)" if left is not None else "") + "; run coach sync again later.",
              file=sys.stderr)
        return 1
    finally:
        conn.close()
    print(f"{PROG}: branch {result.branch} -> {mask(result.target)}: {result.attempts} attempts and "
          f"{result.checks} checks sent, {result.waiting} waiting.")
    return 0
