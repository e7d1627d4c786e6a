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

#: uid/gid 65534 with one capability, CAP_DAC_READ_SEARCH: it may read any file and search any
#: folder, but write only where 65534 may. A checkout in a private folder (root's home, a mktemp -d
#: folder: mode 0700) and the interpreter under root's home stay readable, so `python -m coach`
#: starts wherever the project was cloned, while the read-only media under test stay read-only:
#: writing is what the promises are about, and the kernel still refuses every write to them.
UNPRIVILEGED = ["--reuid", "65534", "--regid", "65534", "--clear-groups",
                "--inh-caps", "+dac_read_search", "--ambient-caps", "+dac_read_search"]

#: Node ids of the collected tests marked `unprivileged`: a test that drops privileges must carry the
#: mark, so tests/hardening/test_private_clone.py runs it from a clone in a 0700 folder.
MARKED_UNPRIVILEGED: set[str] = set()


def pytest_collection_modifyitems(config, items):
    MARKED_UNPRIVILEGED.update(item.nodeid for item in items if item.get_closest_marker("unprivileged"))


def coach(*args, db=None, input=None, timeout=60, cwd=None, unprivileged=False) -> subprocess.CompletedProcess:
    """`python -m coach ARGS` in a clean environment (no COACH_DB unless `db`).

    `unprivileged`: as uid/gid 65534 when running as root (UNPRIVILEGED), so read-only files are
    really read-only; the calling test must be marked `@pytest.mark.unprivileged`."""
    env = dict(os.environ)
    env.pop("COACH_DB", None)
    if db is not None:
        env["COACH_DB"] = str(db)
    if unprivileged:
        current = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
        assert current in MARKED_UNPRIVILEGED, (
            f"{current}: a test that drops privileges needs @pytest.mark.unprivileged "
            "(tests/hardening/test_private_clone.py runs those from a private folder)")
    prefix = [SETPRIV, *UNPRIVILEGED] if unprivileged and SETPRIV else []
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
