"""Shared helpers for the hardening promises: a real history database, and coach run as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"
ORDER = FIXTURES / "engine" / "order.yaml"
LONG = FIXTURES / "store" / "long.yaml"


#: Run as an unprivileged user where the tests run as root (root ignores file permissions).
SETPRIV = shutil.which("setpriv") if os.geteuid() == 0 else None


def coach(*args, db=None, input=None, timeout=60, cwd=None, unprivileged=False) -> subprocess.CompletedProcess:
    """`python -m coach ARGS` in a clean environment (no COACH_DB unless `db`).

    `unprivileged`: as uid/gid 65534 when running as root, so read-only files are really read-only."""
    env = dict(os.environ)
    env.pop("COACH_DB", None)
    if db is not None:
        env["COACH_DB"] = str(db)
    prefix = [SETPRIV, "--reuid", "65534", "--regid", "65534", "--clear-groups"] if unprivileged and SETPRIV else []
    return subprocess.run([*prefix, sys.executable, "-m", "coach", *map(str, args)], capture_output=True,
                          text=True, env=env, input=input, timeout=timeout, cwd=cwd)


def make_history(path: Path, plays=(("Ann", [0, 0, 0, 0]), ("Bob", [1, 1, 1, 1]), ("Ann", [0, 1, 0, 0])),
                 scenario: Path = ORDER) -> Path:
    """A history database written by the store itself: each play is (teller, 0-based choices)."""
    import sqlite3

    from tests.reports.conftest import make_db

    make_db(path, list(plays), scenario)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one file on disk: tests copy and chmod it
    finally:
        conn.close()
    return path


@pytest.fixture
def history_db(tmp_path) -> Path:
    return make_history(tmp_path / "branch.sqlite3")


def no_traceback(out: subprocess.CompletedProcess) -> bool:
    return "Traceback" not in out.stderr and "Traceback" not in out.stdout
