"""`coach central …`: set up the central PostgreSQL store and its logins (administrators).

    coach central init URL                               schema, migrations, the two roles
    coach central add-workstation URL LOGIN --branch ID  a login that may insert for one branch
    coach central add-reporter URL LOGIN                 a read-only login for trainers

Passwords for new logins come from an environment variable (--password-env VAR), never from the
command line. Exit status: 0 done, 1 the server refused or could not be reached, 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys

PROG = "coach central"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    init = sub.add_parser("init", help="create or migrate the central schema and its roles")
    init.add_argument("url", metavar="URL", nargs="?", help="PostgreSQL connection string (default: $COACH_CENTRAL)")
    ws = sub.add_parser("add-workstation", help="a login for the workstations of one branch (insert only)")
    ws.add_argument("url", metavar="URL", help="PostgreSQL connection string of an administrator")
    ws.add_argument("login", metavar="LOGIN")
    ws.add_argument("--branch", metavar="ID", required=True, help="the branch this login may write")
    ws.add_argument("--password-env", metavar="VAR", help="set the login's password from this environment variable")
    rep = sub.add_parser("add-reporter", help="a read-only login for reports")
    rep.add_argument("url", metavar="URL", help="PostgreSQL connection string of an administrator")
    rep.add_argument("login", metavar="LOGIN")
    rep.add_argument("--password-env", metavar="VAR", help="set the login's password from this environment variable")


def _fail(message: str, code: int = 1) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    if not getattr(args, "action", None):
        return _fail("choose an action: init, add-workstation or add-reporter", 2)
    from coach.central import schema
    from coach.central.target import CentralError, classify, connect, describe, from_env

    url = from_env(getattr(args, "url", None))
    if not url:
        return _fail("give the central store's URL (or set COACH_CENTRAL)", 2)
    password = None
    if getattr(args, "password_env", None):
        password = os.environ.get(args.password_env)
        if not password:
            return _fail(f"--password-env {args.password_env}: that environment variable is empty or unset", 2)
    try:
        pg = connect(url, application="coach central")
    except CentralError as exc:
        return _fail(str(exc))
    import psycopg  # present: connect() succeeded
    try:
        if args.action == "init":
            before, after = schema.init(pg)
            what = "created" if before == 0 else ("already up to date" if before == after else "migrated")
            print(f"{PROG}: {describe(url)}: central store {what} (format {after}); roles "
                  f"{schema.WORKSTATION} (insert own branch) and {schema.REPORTING} (read only).")
            return 0
        schema.require(pg)
        pg.commit()
        if args.action == "add-workstation":
            from coach.store.db import StoreError
            from coach.store.outbox import clean_branch

            try:
                branch = clean_branch(args.branch)
            except StoreError as exc:
                return _fail(f"--branch: {exc}", 2)
            created = schema.add_workstation(pg, args.login, branch, password)
            print(f"{PROG}: login {args.login} {'created, ' if created else ''}writes branch {branch} only.")
        else:
            created = schema.add_reporter(pg, args.login, password)
            print(f"{PROG}: login {args.login} {'created, ' if created else ''}reads every branch, writes nothing.")
        if created and password is None:
            print(f"{PROG}: it has no password yet: ALTER ROLE … PASSWORD, or run again with --password-env VAR.",
                  file=sys.stderr)
        return 0
    except (schema.NotInitialised, schema.NewerCentral) as exc:
        return _fail(f"{describe(url)}: {exc}")
    except psycopg.Error as exc:
        return _fail(classify(exc, url))
    finally:
        pg.close()
