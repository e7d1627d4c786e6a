"""The roll-ups coach sync keeps in the central store (coach.fold, central format 2) give exactly
the report a scan of every answer gives, however attempts arrive: late, twice, concurrently."""

from __future__ import annotations

import subprocess
import sys

import uuid

import pytest

from .conftest import ROOT, coach, make_history, psycopg, rows, workstation_url

ROLLUP_TABLES = ("folded", "teller_sums", "teller_principles", "first_attempts", "item_sums")


def _reports(url: str, rollups: bool) -> list[dict]:
    from coach.central import report
    from coach.reports.merge import Filters

    with psycopg.connect(url) as pg:
        return [report.build(pg, url, Filters(), first_only=first, rollups=rollups) for first in (True, False)]


def _assert_rollups_exact(url: str) -> None:
    rolled, scanned = _reports(url, True), _reports(url, False)
    assert rolled[0]["attempts"] > 0
    assert rolled == scanned


def _used_rollups(url: str) -> bool:
    """True when the unfiltered report takes its numbers from the roll-ups (they cover every attempt)."""
    return rows(url, "SELECT count(*) FROM coach.folded") == rows(
        url, "SELECT count(*) FROM coach.attempts WHERE status = 'finished'")


def _snapshot(url: str) -> dict[str, list]:
    return {t: sorted(rows(url, f"SELECT * FROM coach.{t}"), key=repr) for t in ROLLUP_TABLES}


def test_rollups_give_the_same_report_as_scanning_every_answer(central, tmp_path):
    for branch, seed in (("North", 1), ("South", 2)):
        db = make_history(tmp_path / f"{branch}.sqlite3", _plays(14, seed))
        assert coach("sync", "--db", db, "--to", central, "--branch", branch).returncode == 0
    assert _used_rollups(central)
    _assert_rollups_exact(central)


def test_an_earlier_attempt_synced_later_becomes_the_teller_first_attempt(central, tmp_path):
    # the same teller (one staff id) at two workstations; the one with the earlier attempts syncs last
    early = make_history(tmp_path / "early.sqlite3", [("Ann", [1, 1, 1, 1]), ("Ann", [0, 1, 0, 1])])
    late = make_history(tmp_path / "late.sqlite3", [("Ann", [0, 0, 0, 0]), ("Bob", [1, 0, 1, 0])])
    assert coach("sync", "--db", late, "--to", central, "--branch", "South", "--staff-id", "Ann=E7").returncode == 0
    before = _reports(central, True)[0]
    _assert_rollups_exact(central)
    assert coach("sync", "--db", early, "--to", central, "--branch", "North", "--staff-id", "Ann=E7").returncode == 0
    after = _reports(central, True)[0]
    assert after["items"] != before["items"]  # Ann's first attempt is now the early one
    firsts = rows(central, "SELECT a.branch FROM coach.first_attempts f JOIN coach.attempts a ON a.uid = f.uid"
                           " WHERE f.tk = 'sE7'")
    assert firsts == [("North",)]
    _assert_rollups_exact(central)


def test_a_second_sync_changes_no_rollup(central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", _plays(8, 3))
    assert coach("sync", "--db", db, "--to", central, "--branch", "B1").returncode == 0
    once = _snapshot(central)
    # the history forgets it synced: every attempt goes again, and the store folds none twice
    from coach.store import connect

    local = connect(db)
    local.execute("DELETE FROM synced")
    local.commit()
    local.close()
    assert coach("sync", "--db", db, "--to", central, "--branch", "B1").returncode == 0
    assert _snapshot(central) == once


def test_concurrent_syncs_of_one_teller_at_many_workstations_keep_the_rollups_exact(central, tmp_path):
    # T1 and T2 play at every workstation, so their first attempts arrive in any order
    dbs = [make_history(tmp_path / f"w{i}.sqlite3", [("T1", [i % 2, 1, 0, 1]), ("T2", [1, i % 3, 1, 0]),
                                                     *_plays(3, 10 + i)]) for i in range(5)]
    procs = [subprocess.Popen([sys.executable, "-m", "coach", "sync", "--db", str(db), "--to", central,
                               "--branch", f"B{i}", "--staff-id", "T1=E1", "--staff-id", "T2=E2"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, db in enumerate(dbs) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert rows(central, "SELECT count(*) FROM coach.attempts") == [(25,)]
    assert _used_rollups(central)
    _assert_rollups_exact(central)


def test_migrating_a_store_that_already_has_results_builds_its_rollups(central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", _plays(10, 4))
    assert coach("sync", "--db", db, "--to", central, "--branch", "B1").returncode == 0
    expected = _snapshot(central)
    with psycopg.connect(central, autocommit=True) as pg:  # back to central format 1
        for table in ROLLUP_TABLES:
            pg.execute(f"DROP TABLE coach.{table}")
        pg.execute("DROP FUNCTION coach.fold(uuid[])")
        pg.execute("DROP INDEX coach.attempts_tk")
        pg.execute("UPDATE coach.schema_version SET version = 1")
    out = coach("central", "init", central)
    assert out.returncode == 0, out.stderr
    assert _snapshot(central) == expected
    _assert_rollups_exact(central)


def test_rows_written_around_fold_make_the_report_scan_instead(central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", _plays(6, 5))
    assert coach("sync", "--db", db, "--to", central, "--branch", "B1").returncode == 0
    with psycopg.connect(central, autocommit=True) as pg:
        pg.execute("DELETE FROM coach.folded WHERE uid = (SELECT min(uid::text)::uuid FROM coach.folded)")
    assert not _used_rollups(central)
    _assert_rollups_exact(central)


def test_a_workstation_folds_through_the_function_but_cannot_read_or_write_the_rollups(cluster, central, tmp_path):
    north = workstation_url(cluster, central, "ws_n_" + uuid.uuid4().hex[:6], "North")
    db = make_history(tmp_path / "h.sqlite3", _plays(4, 6))
    assert coach("sync", "--db", db, "--to", north, "--branch", "North").returncode == 0
    assert rows(central, "SELECT count(*) FROM coach.folded") == [(4,)]
    with psycopg.connect(north) as conn:
        for table in ROLLUP_TABLES:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM coach.{table}")
            conn.rollback()
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"DELETE FROM coach.{table}")
            conn.rollback()


def _plays(n: int, seed: int) -> list[tuple[str, list[int]]]:
    import random

    rng = random.Random(seed)
    return [(f"T{rng.randint(1, 3)}", [rng.randint(0, 1), rng.randint(0, 2), rng.randint(0, 1), rng.randint(0, 1)])
            for _ in range(n)]
