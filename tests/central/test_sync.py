"""coach sync against a real PostgreSQL server: idempotent, resumable, concurrent, and it loses
nothing locally when the server is away or refuses."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from coach.store import connect

from .conftest import ROOT, coach, make_history, rows, workstation_url

PLAYS = [("Ann", [0, 0, 0, 0]), ("Bob", [1, 1, 1, 1]), ("Ann", [0, 0, 0, 1]), ("Cy", [0, 0])]


def counts(url: str) -> tuple[int, int, int, int]:
    return rows(url, "SELECT (SELECT count(*) FROM coach.attempts), (SELECT count(*) FROM coach.answers),"
                     " (SELECT count(*) FROM coach.tellers), (SELECT count(*) FROM coach.attempt_principles)")[0]


def test_sync_pushes_closed_attempts_and_a_second_sync_adds_nothing(central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS)
    first = coach("sync", "--db", db, "--to", central, "--branch", "B001")
    assert first.returncode == 0, first.stderr
    assert "3 attempts" in first.stdout and "0 waiting" in first.stdout
    before = counts(central)
    assert before[:3] == (3, 12, 2)  # Cy's attempt is still open: not pushed
    second = coach("sync", "--db", db, "--to", central)  # the branch is kept in the history
    assert second.returncode == 0, second.stderr
    assert "0 attempts" in second.stdout and counts(central) == before
    assert rows(central, "SELECT DISTINCT branch FROM coach.attempts") == [("B001",)]


def test_sync_reads_the_url_from_coach_central(central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS[:1])
    out = coach("sync", "--db", db, "--branch", "B1", env={"COACH_CENTRAL": central})
    assert out.returncode == 0, out.stderr
    assert counts(central)[0] == 1


def test_same_teller_name_in_two_branches_is_two_tellers_joined_by_staff_id(central, tmp_path):
    a = make_history(tmp_path / "a.sqlite3", [("Ann", [0, 0, 0, 0])])
    b = make_history(tmp_path / "b.sqlite3", [("Ann", [1, 1, 1, 1])])
    assert coach("sync", "--db", a, "--to", central, "--branch", "North").returncode == 0
    assert coach("sync", "--db", b, "--to", central, "--branch", "South", "--staff-id", "Ann=E7").returncode == 0
    assert rows(central, "SELECT branch, name, staff_id FROM coach.tellers ORDER BY branch") == [
        ("North", "Ann", None), ("South", "Ann", "E7")]


def test_a_history_without_a_branch_id_is_told_to_give_one(central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS[:1])
    out = coach("sync", "--db", db, "--to", central)
    assert out.returncode == 2 and "--branch" in out.stderr and "Traceback" not in out.stderr
    assert counts(central)[0] == 0


def test_a_synced_history_keeps_its_branch(central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS[:1])
    assert coach("sync", "--db", db, "--to", central, "--branch", "B1").returncode == 0
    out = coach("sync", "--db", db, "--to", central, "--branch", "B2")
    assert out.returncode == 2 and "already synced as branch 'B1'" in out.stderr


def test_wrong_password_is_a_clear_message_without_the_password(cluster, central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS[:1])
    secret = "Sup3r-Secret-pw"
    bad = cluster.url(central.rsplit("/", 1)[1], user="coach_admin", password=secret)
    out = coach("sync", "--db", db, "--to", bad, "--branch", "B1")
    assert out.returncode == 1
    assert "refused the credentials" in out.stderr and "nothing was lost" in out.stderr
    assert secret not in out.stderr + out.stdout and "Traceback" not in out.stderr
    # the same with the password from PGPASSWORD, as libpq reads it
    no_pw = cluster.url(central.rsplit("/", 1)[1], user="coach_admin", password="")
    out = coach("sync", "--db", db, "--to", no_pw, env={"PGPASSWORD": secret})
    assert out.returncode == 1 and secret not in out.stderr + out.stdout
    # and the status the library screen shows keeps no password either
    conn = connect(db)
    status = conn.execute("SELECT target, error, waiting FROM sync_status").fetchall()
    assert status and all(secret not in str(r) for r in status) and status[0][2] == 1


def test_password_from_pgpassword_and_pgpass_work(cluster, central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS[:1])
    dbname = central.rsplit("/", 1)[1]
    no_pw = cluster.url(dbname, user="coach_admin", password="")
    out = coach("sync", "--db", db, "--to", no_pw, "--branch", "B1", env={"PGPASSWORD": cluster.password})
    assert out.returncode == 0, out.stderr
    assert cluster.password not in out.stdout + out.stderr
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{cluster.port}:{dbname}:coach_admin:{cluster.password}\n")
    pgpass.chmod(0o600)
    db2 = make_history(tmp_path / "h2.sqlite3", PLAYS[:1])
    out = coach("sync", "--db", db2, "--to", no_pw, "--branch", "B2", env={"PGPASSFILE": str(pgpass)})
    assert out.returncode == 0, out.stderr
    assert counts(central)[0] == 2


def test_server_down_loses_nothing_and_the_next_sync_catches_up(cluster, central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", PLAYS)
    dead = f"postgresql://coach_admin:{cluster.password}@127.0.0.1:1/x"
    out = coach("sync", "--db", db, "--to", dead, "--branch", "B1")
    assert out.returncode == 1 and "cannot reach" in out.stderr and "3 attempts waiting" in out.stderr
    assert cluster.password not in out.stderr
    assert coach("sync", "--db", db, "--to", central).returncode == 0
    assert counts(central)[0] == 3


def _spawn_sync(db, url, branch="B1", batch=1):
    code = ("import sys; from coach.store import connect; from coach.central.sync import sync;"
            "c = connect(sys.argv[1]);"
            "sync(c, sys.argv[2], sys.argv[3], batch=int(sys.argv[4]), progress=lambda n: print(n, flush=True))")
    return subprocess.Popen([sys.executable, "-c", code, str(db), url, branch, str(batch)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _many_plays(n: int, seed: int) -> list[tuple[str, list[int]]]:
    rng = random.Random(seed)
    return [(f"T{rng.randint(1, 5)}", [rng.randint(0, 1) for _ in range(4)]) for _ in range(n)]


def test_sync_killed_at_random_points_20_times_loses_nothing_and_doubles_nothing(central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", _many_plays(120, 1))
    local = connect(db)
    expected_answers = local.execute(
        "SELECT count(*) FROM answers JOIN attempts ON attempts.id = answers.attempt_id"
        " WHERE status = 'finished'").fetchone()[0]
    rng = random.Random(20261129)
    for run in range(20):
        proc = _spawn_sync(db, central, batch=1)
        for _ in range(rng.randint(0, 4)):  # some batches in, then a kill anywhere in the next one
            proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.02))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
        # whatever the moment, the store never has an attempt twice nor one without its answers
        per = rows(central, "SELECT a.answers_n, count(x.seq) FROM coach.attempts a"
                            " LEFT JOIN coach.answers x ON x.attempt_uid = a.uid GROUP BY a.uid")
        assert all(n == m for n, m in per), f"run {run}"
        # and nothing is marked synced locally that the store does not have
        marked = {r[0] for r in local.execute("SELECT uid FROM synced WHERE kind = 'attempt'")}
        assert marked <= {str(r[0]) for r in rows(central, "SELECT uid FROM coach.attempts")}, f"run {run}"
    assert coach("sync", "--db", db, "--to", central).returncode == 0
    assert counts(central)[:2] == (120, expected_answers)
    assert rows(central, "SELECT count(DISTINCT uid) FROM coach.attempts") == [(120,)]
    assert local.execute("SELECT count(*) FROM synced WHERE kind = 'attempt'").fetchone()[0] == 120


def test_ten_concurrent_syncs_store_each_attempt_once(central, tmp_path):
    dbs = [make_history(tmp_path / f"w{i}.sqlite3", _many_plays(6, i)) for i in range(5)]
    # two syncs per history at once, ten in all
    procs = [_spawn_sync(db, central, branch=f"B{i}", batch=2) for i, db in enumerate(dbs) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert counts(central)[0] == 30
    assert rows(central, "SELECT count(*) FROM coach.attempts GROUP BY branch") == [(6,)] * 5


def test_server_stopped_mid_sync_loses_nothing(cluster, central, tmp_path):
    db = make_history(tmp_path / "h.sqlite3", _many_plays(60, 3))
    proc = _spawn_sync(db, central, batch=1)
    proc.stdout.readline()  # at least one batch is in
    cluster.halt("immediate")
    try:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode != 0 and "cannot reach the central database" in err
        assert cluster.password not in err
    finally:
        cluster.resume()
    out = coach("sync", "--db", db, "--to", central)
    assert out.returncode == 0, out.stderr
    assert counts(central)[0] == 60
