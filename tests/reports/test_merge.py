"""Merging several history databases, read-only; every bad input is a plain ReportError."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest

from coach.reports.merge import Filters, ReportError, db_files, merge, parse_since, read_database


def snapshot(folder):
    """Every file in the folder with its bytes' hash and mtime: what 'nothing written' means."""
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir())}


def test_a_folder_means_every_database_in_it(two_dbs):
    (two_dbs / "notes.txt").write_text("not a database")
    assert [p.name for p in db_files([str(two_dbs)])] == ["branch-a.sqlite3", "branch-b.sqlite3"]


def test_merge_makes_one_teller_of_the_same_name(two_dbs):
    data = merge([str(two_dbs)])
    # Cy's attempt is unfinished (two answers only): reports count finished attempts
    assert data.tellers == ["Ann", "Bob", "王芳"]
    assert len(data.attempts) == 5
    assert sum(1 for a in data.attempts if a["teller"] == "Ann") == 3
    assert {a["source"] for a in data.attempts if a["teller"] == "Ann"} == {
        str(two_dbs / "branch-a.sqlite3"), str(two_dbs / "branch-b.sqlite3")}
    assert data.answer_count == 20
    a = data.attempts[0]
    assert a["scenario"] == "order" and len(a["sha256"]) == 64 and a["principles"]
    assert [x["seq"] for x in a["answers"]] == [1, 2, 3, 4]
    assert {s["path"].rsplit("/", 1)[-1]: s["attempts"] for s in data.sources} == {
        "branch-a.sqlite3": 3, "branch-b.sqlite3": 2}


def test_answer_points_and_rules_are_read(two_dbs):
    data = merge([str(two_dbs / "branch-a.sqlite3")], Filters(teller="Bob"))
    (bob,) = data.attempts
    # Bob: skipped preparation (-1), explained to a furious customer (+2, rule -2), soothed (+2), closed (+1)
    assert [x["points"] for x in bob["answers"]] == [-1, 2, 2, 1]
    assert [x["choice"] for x in bob["answers"]] == [1, 1, 1, 1]
    assert bob["answers"][1]["rule_points"] < 0


def test_nothing_is_written_to_the_inputs(two_dbs):
    before = snapshot(two_dbs)
    merge([str(two_dbs)])
    assert snapshot(two_dbs) == before  # no -wal, no -shm, same bytes, same times


def test_a_live_database_with_its_wal_is_read_and_left_alone(tmp_path, make_db):
    path = make_db(tmp_path / "live.sqlite3", [("Ann", [0, 0, 0, 0])])
    from coach.store import connect

    writer = connect(path)  # keeps the -wal and -shm open, as a running coach would
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    make_db(path, [("Bob", [1, 1, 1, 1])])
    assert (tmp_path / "live.sqlite3-wal").stat().st_size > 0
    before = snapshot(tmp_path)
    data = merge([str(path)])
    assert data.tellers == ["Ann", "Bob"]
    # A consistent read of a live database takes a read lock through SQLite's shared-memory index
    # (-shm: lock bytes and read marks, no data); the database and its log are untouched.
    after = snapshot(tmp_path)
    assert set(after) == set(before)
    assert {k: v for k, v in after.items() if not k.endswith("-shm")} == \
        {k: v for k, v in before.items() if not k.endswith("-shm")}
    writer.close()


def test_the_same_attempt_in_two_files_counts_once(two_dbs, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes((two_dbs / "branch-a.sqlite3").read_bytes())
    data = merge([str(two_dbs), str(copy)])
    assert len(data.attempts) == 5 and data.duplicates == 3


def test_the_same_file_twice_is_read_once(two_dbs):
    path = str(two_dbs / "branch-a.sqlite3")
    assert len(db_files([path, path, str(two_dbs)])) == 2


def test_filters(two_dbs):
    assert len(merge([str(two_dbs)], Filters(teller="Ann")).attempts) == 3
    assert len(merge([str(two_dbs)], Filters(scenario="order")).attempts) == 5
    assert merge([str(two_dbs)], Filters(scenario="other")).attempts == []
    assert merge([str(two_dbs)], Filters(since=parse_since("2999-01-01"))).attempts == []
    assert len(merge([str(two_dbs)], Filters(since=parse_since("2000-01-01T08:30"))).attempts) == 5


def test_parse_since():
    assert parse_since("2026-11-01T00:00:00+08:00") == "2026-10-31T16:00:00.000000+00:00"
    for bad in ("yesterday", "2026-13-01", "01/11/2026", ""):
        with pytest.raises(ReportError, match="--since"):
            parse_since(bad)


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"),
    (b"name,score\nann,3\n" * 10, "not a SQLite database"),
])
def test_a_file_that_is_not_a_database(tmp_path, content, message):
    path = tmp_path / "x.sqlite3"
    path.write_bytes(content)
    with pytest.raises(ReportError, match=message):
        merge([str(path)])


def test_a_sqlite_database_that_is_not_coachs(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ReportError, match="not a coach history database"):
        merge([str(path)])


def test_a_newer_database_is_refused(tmp_path, make_db):
    path = make_db(tmp_path / "new.sqlite3", [("Ann", [0, 0, 0, 0])])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ReportError, match="newer coach"):
        merge([str(path)])


def test_a_damaged_database(tmp_path, make_db):
    path = make_db(tmp_path / "bad.sqlite3", [("Ann", [0, 0, 0, 0])])
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(ReportError):
        merge([str(path)])


def test_missing_inputs(tmp_path):
    with pytest.raises(ReportError, match="no such file"):
        merge([str(tmp_path / "nope.sqlite3")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="no history databases"):
        merge([str(tmp_path / "empty")])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(tmp_path, make_db):
    path = make_db(tmp_path / "locked.sqlite3", [("Ann", [0, 0, 0, 0])])
    path.chmod(0)
    with pytest.raises(ReportError, match="cannot read"):
        read_database(path)
