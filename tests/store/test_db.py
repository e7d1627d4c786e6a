"""The database file: location, permissions, pragmas, migrations, refusals, damaged files."""

import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from coach.engine import Session
from coach.store import db as dbmod
from coach.store import queries
from coach.store.db import (SCHEMA_VERSION, BrokenDatabase, DatabasePathError, NewerSchema, connect,
                            default_path, move_aside)
from coach.store.recorder import Recorder


def _coach(*args, env_db=None, input=None):
    env = dict(os.environ)
    env.pop("COACH_DB", None)
    if env_db:
        env["COACH_DB"] = str(env_db)
    return subprocess.run([sys.executable, "-m", "coach", *map(str, args)], capture_output=True, text=True,
                          env=env, input=input, timeout=60)


def test_new_database_is_owner_only_wal_full_sync(db_path):
    conn = connect(db_path)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db_path.parent).st_mode) == 0o700
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert dbmod.schema_version(conn) == SCHEMA_VERSION
    Recorder(conn, "Li")  # a write creates the -wal file; it is owner-only too
    for side in ("-wal", "-shm"):
        p = db_path.with_name(db_path.name + side)
        if p.exists():
            assert stat.S_IMODE(os.stat(p).st_mode) & 0o077 == 0


def test_path_comes_from_flag_then_env_then_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("COACH_DB", str(tmp_path / "env.sqlite3"))
    assert default_path(tmp_path / "flag.sqlite3") == tmp_path / "flag.sqlite3"
    assert default_path(None) == tmp_path / "env.sqlite3"
    monkeypatch.delenv("COACH_DB")
    assert default_path(None).name == "history.sqlite3" and "coach" in str(default_path(None))


def _v1_database(path, loaded):
    """A database as coach with schema v1 wrote it, with one finished and one open attempt."""
    conn = sqlite3.connect(path, isolation_level=None)
    for s in dbmod._statements(dbmod.MIGRATIONS[0]):
        conn.execute(s)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO tellers (name, created) VALUES ('Li', '2026-01-01T00:00:00+00:00')")
    session = Session(loaded.scenario)
    session.play_best()
    card = session.scorecard().to_dict()
    conn.execute(
        "INSERT INTO attempts (teller_id, scenario_id, scenario_sha256, mode, lang, started, ended, status,"
        " scorecard, overall, outcome) VALUES (1, 'long-chain', ?, 'practice', 'en', '2026-01-01', '2026-01-01',"
        " 'finished', ?, ?, ?)", (loaded.sha256, json.dumps(card), card["overall"], card["outcome"]))
    conn.execute(
        "INSERT INTO attempts (teller_id, scenario_id, scenario_sha256, mode, lang, started) VALUES"
        " (1, 'long-chain', ?, 'practice', 'en', '2026-01-02')", (loaded.sha256,))
    conn.execute("INSERT INTO answers VALUES (2, 1, 's1', 0, 'prepare', '{}', 40, 37, 1.0, '2026-01-02', NULL)")
    conn.close()
    return card


def test_migration_from_an_empty_file(db_path):
    db_path.parent.mkdir()
    db_path.touch()
    conn = connect(db_path)
    assert dbmod.schema_version(conn) == SCHEMA_VERSION


def test_migration_from_v1_keeps_everything_and_backfills_principles(db_path, loaded_long):
    db_path.parent.mkdir()
    card = _v1_database(db_path, loaded_long)
    conn = connect(db_path)
    assert dbmod.schema_version(conn) == SCHEMA_VERSION
    tid = conn.execute("SELECT id FROM tellers WHERE name = 'Li'").fetchone()[0]
    assert queries.trend(conn, tid) == {p: [s] for p, s in card["principles"].items()}
    [open_] = queries.unfinished(conn, tid)
    assert open_.choices == [0] and open_.check_id is None
    assert conn.execute("SELECT count(*) FROM checks").fetchone()[0] == 0
    # and it is usable at v2
    rec = Recorder(conn, "Li")
    a = rec.start(loaded_long.scenario, loaded_long.sha256, "practice", "en")
    rec.answer(a, Session(loaded_long.scenario).choose(1), 2.0)


def test_each_migration_step_from_every_older_version(tmp_path):
    for start in range(SCHEMA_VERSION):
        path = tmp_path / f"v{start}.sqlite3"
        conn = sqlite3.connect(path, isolation_level=None)
        for script in dbmod.MIGRATIONS[:start]:
            for s in dbmod._statements(script):
                conn.execute(s)
        conn.execute(f"PRAGMA user_version = {start}")
        conn.close()
        c = connect(path)
        assert dbmod.schema_version(c) == SCHEMA_VERSION
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
        assert {"tellers", "attempts", "answers", "checks", "attempt_principles"} <= names


def test_newer_schema_is_refused(db_path):
    connect(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(NewerSchema, match="newer version of coach"):
        connect(db_path)
    out = _coach("history", "--db", db_path)
    assert out.returncode == 1 and "newer version of coach" in out.stderr and "Traceback" not in out.stderr


def test_a_foreign_sqlite_database_is_not_taken_over(db_path):
    db_path.parent.mkdir()
    raw = sqlite3.connect(db_path)
    raw.execute("CREATE TABLE other (x)")
    raw.commit()
    raw.close()
    with pytest.raises(dbmod.ForeignDatabase, match="another program"):  # never offered for moving aside
        connect(db_path)


GARBAGE = b"this is not a database\x00\xff" * 100


def test_garbage_file_raises_and_is_untouched(db_path):
    db_path.parent.mkdir()
    db_path.write_bytes(GARBAGE)
    with pytest.raises(BrokenDatabase):
        connect(db_path)
    assert db_path.read_bytes() == GARBAGE


def test_garbage_file_without_consent_is_left_alone(db_path):
    db_path.parent.mkdir()
    db_path.write_bytes(GARBAGE)
    out = _coach("history", "--db", db_path, input="")
    assert out.returncode == 1
    assert "not a readable coach history database" in out.stderr and "--yes" in out.stderr
    assert "Traceback" not in out.stderr
    assert db_path.read_bytes() == GARBAGE
    assert list(db_path.parent.iterdir()) == [db_path]


def test_garbage_file_moved_aside_with_yes_and_a_fresh_history_started(db_path):
    db_path.parent.mkdir()
    db_path.write_bytes(GARBAGE)
    out = _coach("history", "--db", db_path, "--yes")
    assert out.returncode == 0, out.stderr
    moved = [p for p in db_path.parent.iterdir() if ".broken-" in p.name]
    assert len(moved) == 1 and moved[0].name.startswith("history.sqlite3.broken-")
    assert moved[0].read_bytes() == GARBAGE
    assert "moved it to" in out.stderr
    assert dbmod.schema_version(connect(db_path)) == SCHEMA_VERSION


def test_move_aside_never_overwrites(db_path):
    db_path.parent.mkdir()
    first, second = b"first" * 10, b"second" * 10
    db_path.write_bytes(first)
    a = move_aside(db_path)
    db_path.write_bytes(second)
    b = move_aside(db_path)
    assert a != b and a.read_bytes() == first and b.read_bytes() == second


def test_truncated_database_is_broken(db_path):
    conn = connect(db_path)
    Recorder(conn, "Li")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = db_path.read_bytes()
    db_path.write_bytes(data[:100] + b"\x00" * 50 + data[150:])  # damage the header page
    with pytest.raises(BrokenDatabase):
        connect(db_path)


def test_directory_path_is_refused(tmp_path):
    with pytest.raises(DatabasePathError, match="is a folder"):
        connect(tmp_path)
    out = _coach("history", "--db", tmp_path)
    assert out.returncode == 1 and "is a folder" in out.stderr and "Traceback" not in out.stderr
    out = _coach("check", "--db", tmp_path, "--teller", "Li", "--auto", "best", "--dir",
                 os.path.join(os.path.dirname(__file__), "..", "fixtures", "store", "library"))
    assert out.returncode == 1 and "is a folder" in out.stderr


def test_path_below_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(DatabasePathError):
        connect(f / "sub" / "history.sqlite3")
    out = _coach("history", "--db", f / "history.sqlite3", env_db=None)
    assert out.returncode in (0, 1) and "Traceback" not in out.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_unwritable_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(DatabasePathError, match="permission denied"):
        connect(folder / "history.sqlite3")


def test_unwritable_folder_message_via_cli(tmp_path, monkeypatch):
    # works as root too: simulate the OS refusing to create the file
    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(dbmod.os, "open", refuse)
    with pytest.raises(DatabasePathError, match="permission denied"):
        connect(tmp_path / "history.sqlite3")


def test_headless_store_does_not_import_textual():
    code = ("import sys, coach.store, coach.store.queries, coach.store.resume, coach.check,"
            " coach.commands.history, coach.commands.check\n"
            "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def test_damage_found_while_reading_is_a_message(db_path, loaded_long):
    conn = connect(db_path)
    rec = Recorder(conn, "Li")
    for _ in range(60):
        a = rec.start(loaded_long.scenario, loaded_long.sha256, "practice", "en")
        s = Session(loaded_long.scenario)
        while not s.finished:
            rec.answer(a, s.choose(0), 1.0)
        rec.finish(a, s.scorecard())
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    for start in range(3 * page, len(data) - page, 2 * page):  # wreck every other page past the schema
        data[start:start + page] = b"\xa5" * page
    db_path.write_bytes(bytes(data))
    out = _coach("history", "--db", db_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "damaged" in out.stderr or "not a readable" in out.stderr
    out = _coach("history", "--db", db_path, "--yes")
    assert out.returncode == 0 and "moved it to" in out.stderr, out.stderr
    [moved] = [p for p in db_path.parent.iterdir() if ".broken-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert moved.read_bytes() == bytes(data)


def test_migration_gives_every_older_attempt_a_global_id_once(db_path, loaded_long):
    db_path.parent.mkdir()
    _v1_database(db_path, loaded_long)
    conn = connect(db_path)
    uids = [r[0] for r in conn.execute("SELECT uid FROM attempts ORDER BY id")]
    assert len(uids) == 2 and len(set(uids)) == 2
    assert all(len(u) == 36 and u[14] == "4" for u in uids)
    conn.close()
    again = connect(db_path)
    assert [r[0] for r in again.execute("SELECT uid FROM attempts ORDER BY id")] == uids


def test_a_new_attempt_gets_its_global_id_when_it_starts(db_path, loaded_long):
    conn = connect(db_path)
    rec = Recorder(conn, "Li")
    a = rec.start(loaded_long.scenario, loaded_long.sha256, "practice", "en")
    uid = conn.execute("SELECT uid FROM attempts WHERE id = ?", (a,)).fetchone()[0]
    assert uid and len(uid) == 36
    rec.finish(a, Session(loaded_long.scenario).scorecard())
    assert conn.execute("SELECT uid FROM attempts WHERE id = ?", (a,)).fetchone()[0] == uid


def test_an_attempt_finished_before_an_ending_is_stored_abandoned(db_path, loaded_long):
    conn = connect(db_path)
    rec = Recorder(conn, "Li")
    a = rec.start(loaded_long.scenario, loaded_long.sha256, "assessment", "en")
    session = Session(loaded_long.scenario)
    rec.answer(a, session.choose(0), 1.0)
    rec.finish(a, session.scorecard())  # e.g. the check's time ran out mid-scenario
    row = conn.execute("SELECT status, outcome, overall FROM attempts WHERE id = ?", (a,)).fetchone()
    assert tuple(row) == ("abandoned", None, None)
    assert conn.execute("SELECT count(*) FROM attempt_principles").fetchone()[0] == 0
