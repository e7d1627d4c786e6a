"""Promises: odd but possible command-line inputs give results or a clear message, never a traceback.

- `--since` from 0001-01-01 to 9999-12-31 in any time zone gives results; 10000-01-01 and garbage a
  message (exit 2).
- `--scenarios DIR` (report, export) finds a scenario by the `id:` inside any file, not only `<id>.yaml`.
- `coach new ID --out missing/dir/` makes the folder and writes `dir/ID.yaml`.
- `coach play fifo.yaml` says it is not a regular file (not "no scenario file"), without blocking.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ORDER, coach, make_history, no_traceback


@pytest.mark.parametrize("tz", ["UTC", "Asia/Shanghai", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"])
@pytest.mark.parametrize("since, expected", [("0001-01-01", 3), ("0001-01-01T00:00", 3), ("9999-12-31", 0),
                                             ("9999-12-31T23:59:59", 0)])
def test_since_at_the_ends_of_the_calendar_gives_results(history_db, tz, since, expected):
    env = {**os.environ, "TZ": tz}
    env.pop("COACH_DB", None)
    out = subprocess.run([sys.executable, "-m", "coach", "report", str(history_db), "--since", since,
                          "--format", "json"], capture_output=True, text=True, env=env, timeout=60)
    assert no_traceback(out), out.stderr
    if expected:
        assert out.returncode == 0 and json.loads(out.stdout)["attempts"] == expected
    else:
        assert out.returncode == 1 and "no finished attempts" in out.stderr


@pytest.mark.parametrize("since", ["10000-01-01", "0000-01-01", "9999-99-99", "garbage", "", "2026-11-01T25:00"])
@pytest.mark.parametrize("command", ["report", "export"])
def test_since_outside_the_calendar_is_a_clear_message(history_db, command, since):
    args = [command, *(["--xapi"] if command == "export" else []), history_db, "--since", since]
    out = coach(*args)
    assert out.returncode == 2 and "--since takes a date" in out.stderr and no_traceback(out)


def test_export_since_the_first_day_of_the_calendar(history_db):
    out = coach("export", "--xapi", history_db, "--since", "0001-01-01")
    assert out.returncode == 0 and out.stdout.count("\n") > 3


def _renamed_scenario_folder(tmp_path):
    folder = tmp_path / "trainer"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "complaint-v2.yaml").write_bytes(ORDER.read_bytes())  # id: order, another name
    return folder


def test_report_finds_a_scenario_by_the_id_inside_any_file(history_db, tmp_path, monkeypatch):
    import coach.library

    monkeypatch.setattr(coach.library, "bundled_dir", lambda: tmp_path / "none")  # order.yaml is not bundled
    monkeypatch.setattr(coach.library, "user_dir", lambda: tmp_path / "none")
    from coach.reports import scenario_finder
    from coach.scenario.loader import load_scenario

    folder = _renamed_scenario_folder(tmp_path)
    sha = load_scenario(ORDER).sha256
    assert scenario_finder(())("order", sha) is None
    found = scenario_finder((folder,))("order", sha)
    assert found is not None and found.id == "order"
    assert scenario_finder((folder,))("order", "another version") is None


def test_report_and_export_use_a_renamed_scenario_file(history_db, tmp_path):
    folder = _renamed_scenario_folder(tmp_path)
    out = coach("report", history_db, "--scenarios", folder, "--format", "json", "--view", "items")
    assert out.returncode == 0, out.stderr
    assert all(not row["estimated"] for row in json.loads(out.stdout)["items"])
    out = coach("export", "--xapi", history_db, "--scenarios", folder)
    assert out.returncode == 0 and "no scenario file" not in out.stderr
    assert "correctResponsesPattern" in out.stdout


def test_new_out_a_missing_folder_makes_it(tmp_path):
    out = coach("new", "walk-in", "--out", f"{tmp_path}/missing/dir/")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "missing" / "dir" / "walk-in.yaml").is_file()
    assert not (tmp_path / "missing" / "dir").is_file()


def test_new_out_a_folder_name_without_slash_is_a_folder_too(tmp_path):
    out = coach("new", "walk-in", "--out", tmp_path / "drafts")
    assert out.returncode == 0 and (tmp_path / "drafts" / "walk-in.yaml").is_file()


def test_new_out_an_existing_plain_file_is_refused(tmp_path):
    (tmp_path / "notes").write_text("mine")
    out = coach("new", "walk-in", "--out", tmp_path / "notes")
    assert out.returncode == 1 and "is a file, not a folder" in out.stderr
    assert (tmp_path / "notes").read_text() == "mine"


def test_new_out_a_yaml_file_is_still_that_file(tmp_path):
    out = coach("new", "walk-in", "--out", tmp_path / "x" / "mine.yaml")
    assert out.returncode == 0 and (tmp_path / "x" / "mine.yaml").is_file()


def test_play_a_fifo_says_it_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    out = coach("play", fifo, "--best", timeout=30)
    assert out.returncode == 1 and "not a regular file" in out.stderr and "no scenario file" not in out.stderr


def test_run_a_fifo_says_it_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    out = coach("run", fifo, "--db", tmp_path / "h.sqlite3", timeout=30)
    assert out.returncode == 2 and "not a regular file" in out.stderr and no_traceback(out)


def test_history_with_a_missing_database_is_a_note(tmp_path):
    out = coach("history", "--db", tmp_path / "none.sqlite3")
    assert out.returncode == 0 and "No history yet" in out.stdout and not (tmp_path / "none.sqlite3").exists()
