"""coach central init and its roles: workstations insert their own branch only and read nothing;
reporters read everything and write nothing."""

from __future__ import annotations

import uuid

import pytest

from coach.central import schema

from .conftest import coach, make_history, psycopg, rows, workstation_url

PLAYS = [("Ann", [0, 0, 0, 0]), ("Bob", [1, 1, 1, 1])]


def test_init_twice_is_a_no_op_and_says_so(central):
    out = coach("central", "init", central)
    assert out.returncode == 0, out.stderr
    assert "already up to date" in out.stdout and "coach_workstation" in out.stdout
    assert rows(central, "SELECT version FROM coach.schema_version") == [(schema.SCHEMA_VERSION,)]


def test_init_of_a_fresh_database_creates_it(cluster):
    name = "t_" + uuid.uuid4().hex[:10]
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    out = coach("central", "init", cluster.url(name))
    assert out.returncode == 0, out.stderr
    assert "created" in out.stdout and cluster.password not in out.stdout + out.stderr


def test_a_workstation_login_syncs_its_branch(cluster, central, tmp_path):
    url = workstation_url(cluster, central, "ws_north_" + uuid.uuid4().hex[:6], "North")
    db = make_history(tmp_path / "h.sqlite3", PLAYS)
    out = coach("sync", "--db", db, "--to", url, "--branch", "North")
    assert out.returncode == 0, out.stderr
    assert rows(central, "SELECT count(*) FROM coach.attempts WHERE branch = 'North'") == [(2,)]
    # a second sync as the workstation (its rows conflict and are skipped) needs no reading either
    db2 = make_history(tmp_path / "h2.sqlite3", PLAYS)
    assert coach("sync", "--db", db2, "--to", url, "--branch", "North").returncode == 0


def test_the_workstation_role_cannot_read_any_branch(cluster, central, tmp_path):
    north = workstation_url(cluster, central, "ws_n_" + uuid.uuid4().hex[:6], "North")
    db = make_history(tmp_path / "south.sqlite3", PLAYS)
    assert coach("sync", "--db", db, "--to", central, "--branch", "South").returncode == 0
    with psycopg.connect(north) as conn:
        for table in ("attempts", "answers", "tellers", "attempt_principles", "checks"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM coach.{table}")
            conn.rollback()


def test_the_workstation_role_cannot_write_another_branch(cluster, central, tmp_path):
    north = workstation_url(cluster, central, "ws_n_" + uuid.uuid4().hex[:6], "North")
    db = make_history(tmp_path / "h.sqlite3", PLAYS)
    out = coach("sync", "--db", db, "--to", north, "--branch", "South")
    assert out.returncode == 1 and "permission denied" in out.stderr and "nothing was lost" in out.stderr
    assert rows(central, "SELECT count(*) FROM coach.attempts") == [(0,)]


def test_the_reporting_role_reads_and_cannot_write(cluster, central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS)
    assert coach("sync", "--db", db, "--to", central, "--branch", "South").returncode == 0
    login = "rep_" + uuid.uuid4().hex[:6]
    out = coach("central", "add-reporter", central, login, "--password-env", "REP_PW", env={"REP_PW": "r-Secret-9"})
    assert out.returncode == 0, out.stderr
    assert "r-Secret-9" not in out.stdout + out.stderr
    url = cluster.url(central.rsplit("/", 1)[1], user=login, password="r-Secret-9")
    assert rows(url, "SELECT count(*) FROM coach.attempts") == [(2,)]
    with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM coach.attempts")
    # and a reporter cannot sync
    other = make_history(tmp_path / "other.sqlite3", PLAYS)
    out = coach("sync", "--db", other, "--to", url, "--branch", "South")
    assert out.returncode == 1 and "permission denied" in out.stderr


def test_sync_to_a_database_without_the_schema_says_to_init(cluster, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS)
    out = coach("sync", "--db", db, "--to", cluster.url("postgres"), "--branch", "B1")
    assert out.returncode == 1 and "coach central init" in out.stderr
