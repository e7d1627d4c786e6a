"""coach report URL and coach export --xapi URL: the same report and statements from the central
store as from the workstations' SQLite files, computed in PostgreSQL."""

from __future__ import annotations

import json
import random

from .conftest import coach, make_history

BRANCH_PLAYS = {
    "North": [("Ann", [0, 0, 0, 0]), ("Bob", [1, 1, 1, 1]), ("Ann", [0, 0, 0, 1]), ("Cy", [0, 0]),
              ("Dee", [1, 0, 1, 0]), ("Bob", [0, 1, 0, 1])],
    "South": [("Eve", [0, 1, 0, 0]), ("王芳", [1, 0, 1, 0]), ("Eve", [1, 1, 0, 0]), ("Fay", [0, 0, 1, 1])],
}


def _synced(central, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    rng = random.Random(7)
    for branch, plays in BRANCH_PLAYS.items():
        more = [(f"{branch[0]}{rng.randint(1, 4)}",
                 [rng.randint(0, 1), rng.randint(0, 2), rng.randint(0, 1), rng.randint(0, 1)]) for _ in range(12)]
        db = make_history(folder / f"{branch}.sqlite3", plays + more)
        out = coach("sync", "--db", db, "--to", central, "--branch", branch)
        assert out.returncode == 0, out.stderr
    return folder


def _json(*args) -> dict:
    out = coach("report", *args, "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    doc.pop("sources")
    return doc


def test_report_from_postgresql_equals_the_report_from_the_sqlite_files(central, tmp_path):
    files = _synced(central, tmp_path)
    discriminations = []
    for extra in ((), ("--all-attempts",), ("--scenario", "order"), ("--since", "2000-01-01")):
        from_files = _json(files, *extra)
        from_central = _json(central, *extra)
        assert from_files["attempts"] > 20
        assert from_central == from_files, extra
        discriminations += [i["discrimination"] for i in from_central["items"] if i["discrimination"] is not None]
    assert discriminations  # Pearson's r was computed in SQL, not only the easy cases


def test_report_of_one_branch_equals_that_branch_file(central, tmp_path):
    files = _synced(central, tmp_path)
    assert _json(central, "--branch", "South") == _json(files / "South.sqlite3")
    assert _json(central, "--teller", "Eve") == _json(files / "South.sqlite3", "--teller", "Eve")


def test_the_same_name_in_two_branches_is_two_tellers_in_the_central_report(central, tmp_path):
    a = make_history(tmp_path / "a.sqlite3", [("Ann", [0, 0, 0, 0])])
    b = make_history(tmp_path / "b.sqlite3", [("Ann", [1, 1, 1, 1])])
    assert coach("sync", "--db", a, "--to", central, "--branch", "North").returncode == 0
    assert coach("sync", "--db", b, "--to", central, "--branch", "South").returncode == 0
    names = [t["teller"] for t in _json(central)["tellers"]]
    assert names == ["Ann (North)", "Ann (South)"]


def test_report_formats_from_postgresql(central, tmp_path):
    _synced(central, tmp_path)
    table = coach("report", central)
    assert table.returncode == 0 and "Item analysis" in table.stdout
    html = tmp_path / "r.html"
    out = coach("report", central, "--html", html, "--format", "json", "--out", tmp_path / "r.json")
    assert out.returncode == 0 and "<svg" in html.read_text(encoding="utf-8")


def test_report_url_errors_are_plain(cluster, central, tmp_path):
    out = coach("report", central)
    assert out.returncode == 1 and "no finished attempts" in out.stderr
    _synced(central, tmp_path)
    out = coach("report", central, "--teller", "Nobody")
    assert out.returncode == 1 and "no teller named 'Nobody'" in out.stderr
    secret = "Wr0ng-Pass"
    bad = cluster.url(central.rsplit("/", 1)[1], user="coach_admin", password=secret)
    out = coach("report", bad)
    assert out.returncode == 1 and "refused the credentials" in out.stderr and secret not in out.stderr
    out = coach("report", tmp_path / "files" / "North.sqlite3", "--branch", "North")
    assert out.returncode == 2 and "--branch" in out.stderr


def test_xapi_export_from_postgresql_equals_the_export_from_the_files(central, tmp_path):
    files = _synced(central, tmp_path)
    from_files = coach("export", "--xapi", files)
    from_central = coach("export", "--xapi", central)
    assert from_files.returncode == 0 and from_central.returncode == 0, from_central.stderr
    lines = lambda out: sorted(out.stdout.splitlines())  # noqa: E731
    assert lines(from_central) == lines(from_files)
    assert len(lines(from_central)) > 100


def test_xapi_export_of_one_branch_with_filters(central, tmp_path):
    files = _synced(central, tmp_path)
    args = ("--since", "2000-01-01", "--scenario", "order")
    from_file = coach("export", "--xapi", files / "South.sqlite3", *args)
    from_central = coach("export", "--xapi", central, "--branch", "South", *args)
    assert from_central.returncode == 0, from_central.stderr
    assert sorted(from_central.stdout.splitlines()) == sorted(from_file.stdout.splitlines())
    none = coach("export", "--xapi", central, "--branch", "Nowhere")
    assert none.returncode == 1 and "no finished attempts" in none.stderr
