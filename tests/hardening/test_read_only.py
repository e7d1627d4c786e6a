"""Promises: `coach history`, `report` and `export` only read.

- They never migrate, lock for writing or create files beside the database: they work on read-only
  media, and an older database is read as it is (migrated in a private copy, never on disk).
- On a live database (another coach writing) they read a consistent snapshot (SQLite's backup API
  in one read transaction), never a half-copied file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .conftest import LONG, ORDER, coach, make_history, no_traceback

WRITER = Path(__file__).with_name("live_writer.py")


def _state(folder: Path) -> dict:
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns, stat.S_IMODE(p.stat().st_mode))
            for p in sorted(folder.iterdir())}


@pytest.fixture
def read_only_media():
    """A history file 0444 in a folder 0555 (as on a mounted read-only share), readable by anyone
    (the commands run unprivileged when the tests run as root)."""
    top = Path(tempfile.mkdtemp(prefix="coach-ro-"))
    os.chmod(top, 0o755)
    folder = top / "share"
    folder.mkdir()
    path = make_history(folder / "branch.sqlite3")
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    yield path
    os.chmod(folder, 0o755)
    shutil.rmtree(top)


@pytest.mark.unprivileged
@pytest.mark.parametrize("command", [
    ["history", "--db", "{db}"],
    ["history", "--db", "{db}", "--teller", "Ann", "--format", "json"],
    ["report", "{db}", "--format", "json"],
    ["export", "--xapi", "{db}"],
])
def test_read_only_commands_work_on_read_only_media_and_change_nothing(read_only_media, command):
    before = _state(read_only_media.parent)
    out = coach(*[a.format(db=read_only_media) for a in command], unprivileged=True)
    assert out.returncode == 0 and no_traceback(out), out.stderr
    assert "Ann" in out.stdout
    assert _state(read_only_media.parent) == before  # no -wal, no -shm, same bytes and times


def _v1(path: Path) -> Path:
    """A database as coach with schema v1 left it: one finished attempt."""
    from coach.engine import Session
    from coach.scenario.loader import load_scenario
    from coach.store import db as dbmod

    loaded = load_scenario(ORDER)
    conn = sqlite3.connect(path, isolation_level=None)
    for s in dbmod._statements(dbmod.MIGRATIONS[0]):
        conn.execute(s)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO tellers (name, created) VALUES ('Ann', '2026-01-01T00:00:00+00:00')")
    session = Session(loaded.scenario)
    session.play_best()
    card = session.scorecard()
    conn.execute("INSERT INTO attempts (teller_id, scenario_id, scenario_sha256, mode, lang, started, ended,"
                 " status, scorecard, overall, outcome) VALUES (1, ?, ?, 'practice', 'en',"
                 " '2026-01-02T00:00:00+00:00', '2026-01-02T00:05:00+00:00', 'finished', ?, ?, ?)",
                 (loaded.scenario.id, loaded.sha256, json.dumps(card.to_dict()), card.overall, card.outcome))
    for seq, turn in enumerate(session.turns, 1):
        conn.execute("INSERT INTO answers (attempt_id, seq, step, choice, act, points, mood_before, mood_after,"
                     " seconds, at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, 1.0, '2026-01-02T00:01:00+00:00')",
                     (seq, turn.step, turn.index, turn.act, json.dumps({"choice": dict(turn.points)}),
                      turn.mood_before, turn.mood_after))
    conn.close()
    return path


def test_history_reads_an_older_database_without_migrating_it(tmp_path):
    path = _v1(tmp_path / "old.sqlite3")
    before = _state(tmp_path)
    out = coach("history", "--db", path, "--teller", "Ann", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [a["overall"] for a in data["attempts"]] == [100] and data["weakest"]  # v2 rows, built in memory
    assert _state(tmp_path) == before
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1


def test_report_reads_an_older_database_without_migrating_it(tmp_path):
    path = _v1(tmp_path / "old.sqlite3")
    before = _state(tmp_path)
    out = coach("report", path, "--format", "json")
    assert out.returncode == 0 and json.loads(out.stdout)["attempts"] == 1
    assert _state(tmp_path) == before


def test_a_newer_database_gets_a_clear_message(tmp_path):
    path = make_history(tmp_path / "new.sqlite3")
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA user_version = 99")
    for command in (["history", "--db", path], ["report", path], ["export", "--xapi", path]):
        out = coach(*command)
        assert out.returncode == 1 and "newer" in out.stderr and no_traceback(out)


def test_history_of_a_locked_database_reads_without_waiting(tmp_path):
    """A writer holding the lock does not stop a reader (WAL): history answers at once."""
    path = make_history(tmp_path / "h.sqlite3")
    code = ("import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('PRAGMA journal_mode = WAL'); c.execute('BEGIN IMMEDIATE')\n"
            "c.execute(\"UPDATE tellers SET created = created\")\n"
            "print('locked', flush=True); time.sleep(30)\n")
    locker = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        started = time.monotonic()
        out = coach("history", "--db", path, "--format", "json")
        assert out.returncode == 0 and time.monotonic() - started < 10, out.stderr
    finally:
        locker.kill()
        locker.wait()


def test_report_on_a_live_database_always_reads_a_consistent_snapshot(tmp_path):
    """Before: copying the database and then its -wal was not atomic ('malformed', 2 in 209)."""
    from coach.reports.merge import ReportError, merge

    path = make_history(tmp_path / "live.sqlite3", plays=(("Ann", [0, 0, 0, 0]),))
    writer = subprocess.Popen([sys.executable, str(WRITER), str(path), str(LONG), "12"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        counts, failures = [], []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            try:
                data = merge([str(path)])
            except ReportError as exc:
                failures.append(str(exc))
                continue
            assert not getattr(data, "problems", []), data.problems[:3]
            assert all(len(a["answers"]) in (4, 12) for a in data.attempts)  # every attempt whole
            counts.append(len(data.attempts))
        assert writer.poll() is None, "the writer stopped early"
    finally:
        writer.kill()
        writer.wait()
    assert not failures, f"{len(failures)} of {len(failures) + len(counts)} reads failed: {failures[:2]}"
    assert len(counts) >= 20 and counts == sorted(counts) and counts[-1] > counts[0]
