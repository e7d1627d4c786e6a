"""coach history and coach check from the command line."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from coach.store import connect

from .conftest import LIBRARY


def coach(*args, input=None):
    env = dict(os.environ)
    env.pop("COACH_DB", None)
    return subprocess.run([sys.executable, "-m", "coach", *map(str, args)], capture_output=True, text=True,
                          env=env, input=input, timeout=60)


def check(db, *args):
    return coach("check", "--db", db, "--dir", LIBRARY, *args)


@pytest.fixture
def filled(db_path):
    assert check(db_path, "--teller", "Li", "--auto", "best", "--format", "json").returncode == 0
    assert check(db_path, "--teller", "Li", "--auto", "worst", "--format", "json").returncode == 3
    assert check(db_path, "--teller", "Wu", "--auto", "best", "--scenarios", "atm-card").returncode == 0
    return db_path


def test_history_text(filled):
    out = coach("history", "--db", filled)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["Teller", "Date", "Scenario"]
    n = connect(filled).execute("SELECT count(*) FROM attempts").fetchone()[0]
    assert n == 6 + 6 + 1 and len(lines) == 1 + n  # the whole fixture library twice for Li, one for Wu
    assert lines[1].split()[0] == "Wu" and "atm-card" in lines[1]
    out = coach("history", "--db", filled, "--teller", "Li", "--lang", "zh")
    assert "最弱的原则" in out.stdout and "Wu" not in out.stdout


def test_history_json(filled):
    out = coach("history", "--db", filled, "--teller", "Li", "--format", "json")
    data = json.loads(out.stdout)
    assert data["teller"] == "Li" and len(data["attempts"]) == 12
    assert {a["overall"] for a in data["attempts"]} >= {0, 100}
    assert len(data["weakest"]) == 3 and all(1 <= len(v) <= 12 for v in data["trend"].values())
    assert data["trend"]["proactive"][:6] == [100] * 6
    assert data["best_last"]["fund-question"] == {"best": 100, "last": 0}
    assert [c["verdict"] for c in data["checks"]] == ["review", "ready"]


def test_history_csv(filled):
    out = coach("history", "--db", filled, "--format", "csv", "--limit", "3")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 3 and rows[0]["teller"] == "Wu" and rows[0]["status"] == "finished"
    assert rows[0]["answers"] == "4"


def test_history_without_a_database_creates_nothing(db_path):
    out = coach("history", "--db", db_path)
    assert out.returncode == 0 and "No history yet" in out.stdout and not db_path.exists()
    out = coach("history", "--db", db_path, "--format", "json")
    assert json.loads(out.stdout)["attempts"] == []


@pytest.mark.parametrize("args, message", [
    (("--limit", "0"), "must be 1 or more"),
    (("--limit", "x"), "not a whole number"),
    (("--format", "xml"), "invalid choice"),
    (("--teller", "Nobody"), "no teller named 'Nobody'"),
    (("--teller", " "), "cannot be empty"),
])
def test_history_bad_input(filled, args, message):
    out = coach("history", "--db", filled, *args)
    assert out.returncode in (1, 2) and message in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("args, message", [
    (("--minutes", "0"), "--minutes must be from 1 to 120"),
    (("--minutes", "ten"), "not a whole number"),
    (("--pass-mark", "101"), "--pass-mark must be from 0 to 100"),
    (("--auto", "middle"), "invalid choice"),
    (("--scenarios", "nope"), "no valid scenario 'nope'"),
    (("--answers", "/does/not/exist"), "cannot read --answers"),
    (("--teller", "a\x07b"), "control characters"),
])
def test_check_bad_input(db_path, args, message):
    base = ["--teller", "Li", "--auto", "best"] if "--teller" not in args else ["--auto", "best"]
    out = check(db_path, *base, *args)
    assert out.returncode in (1, 2) and message in out.stderr and "Traceback" not in out.stderr


def test_check_bad_answers(db_path, tmp_path):
    bad = tmp_path / "a.json"
    for text, message in [
        ("{nope", "is not JSON"),
        ('{"atm-card": [0]}', "1-based choices"),
        ('{"atm-card": [1, 9]}', "choice 2 is 9, but step 'calm' has 2 choices"),
        ('{"atm-card": [1, 2, 1]}', "ended after 2 choices"),
        ('{"atm-card": [1]}', "no choices for"),
    ]:
        bad.write_text(text)
        out = check(db_path, "--teller", "Li", "--answers", bad, "--scenarios", "atm-card,fee-confusion")
        assert out.returncode == 2 and message in out.stderr, (text, out.stderr)
    assert not db_path.exists() or connect(db_path).execute("SELECT count(*) FROM answers").fetchone()[0] == 0


def test_check_other_bad_input(tmp_path, db_path):
    out = coach("check", "--db", db_path, "--dir", tmp_path / "missing", "--teller", "Li", "--auto", "best")
    assert out.returncode == 2 and "is not a folder" in out.stderr
    out = coach("check", "--db", db_path, "--dir", tmp_path, "--teller", "Li", "--auto", "best")
    assert out.returncode == 1 and "no valid scenarios" in out.stderr
    out = check(db_path, "--auto", "best")  # no teller, none known
    assert out.returncode == 2 and "--teller NAME" in out.stderr


def test_check_help_documents_scripting():
    out = coach("check", "--help")
    assert out.returncode == 0
    for word in ("--auto best|worst", "--answers FILE", "--scenarios", "--plan", "Exit status"):
        assert word in out.stdout


def test_check_ready_json_is_stored(db_path):
    out = check(db_path, "--teller", "Li", "--auto", "best", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["verdict"] == "ready" and data["label"] == "ready" and data["review"] == []
    assert data["overall"] >= 80 and data["minutes"] == 10
    ids = [s["id"] for s in data["scenarios"]]
    assert len(ids) == len(set(ids)) >= 3
    conn = connect(db_path)
    verdict, numbers = conn.execute("SELECT verdict, numbers FROM checks WHERE id = ?", (data["check_id"],)).fetchone()
    assert verdict == "ready" and json.loads(numbers)["overall"] == data["overall"]
    modes = {r[0] for r in conn.execute("SELECT mode FROM attempts WHERE check_id = ?", (data["check_id"],))}
    assert modes == {"assessment"}


def test_check_review_json_names_principles_sentences_and_scenarios(db_path):
    out = check(db_path, "--teller", "Li", "--auto", "worst", "--format", "json", "--lang", "zh")
    assert out.returncode == 3
    data = json.loads(out.stdout)
    assert data["verdict"] == "review" and data["label"].startswith("review: ")
    assert 1 <= len(data["review"]) <= 3
    for item in data["review"]:
        assert item["article"] and item["gloss"] and item["scenarios"]
        assert item["principle"] in data["label"]
    stored = connect(db_path).execute("SELECT verdict, review FROM checks").fetchone()
    assert stored[0] == "review" and json.loads(stored[1]) == [i["principle"] for i in data["review"]]


def test_check_answers_file_and_text_output(db_path, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"atm-card": [1, 1, 1, 1], "queue-anger": [2, 2]}))
    out = check(db_path, "--teller", "Li", "--answers", answers, "--scenarios", "atm-card,queue-anger")
    assert out.returncode == 3
    assert "Verdict: review" in out.stdout and "一定要先安抚用户的情绪" in out.stdout
    out = check(db_path, "--teller", "Li", "--answers", "-", "--scenarios", "atm-card",
                "--pass-mark", "50", "--lang", "zh")
    # stdin is empty: not JSON
    assert out.returncode == 2
    out = coach("check", "--db", db_path, "--dir", LIBRARY, "--teller", "Li", "--answers", "-",
                "--scenarios", "atm-card", input='{"atm-card": [1,1,1,1]}', )
    assert out.returncode == 0 and "Verdict: ready" in out.stdout


def test_check_minutes_bound_the_selection(db_path):
    short = json.loads(check(db_path, "--teller", "Li", "--plan", "--format", "json", "--minutes", "1").stdout)
    long = json.loads(check(db_path, "--teller", "Li", "--plan", "--format", "json", "--minutes", "60").stdout)
    assert len(short["scenarios"]) == 1
    assert len(long["scenarios"]) == 6  # the whole library, once each


def test_interactive_check_without_a_terminal_says_so(db_path):
    out = check(db_path, "--teller", "Li")
    assert out.returncode == 2 and "needs a terminal" in out.stderr and "Traceback" not in out.stderr


def test_coach_run_store_flags_bad_input(tmp_path, db_path):
    out = coach("run", "--db", tmp_path)
    assert out.returncode == 1 and "is a folder" in out.stderr and "Traceback" not in out.stderr
    out = coach("run", "--teller", " ", "--db", db_path)
    assert out.returncode == 2 and "cannot be empty" in out.stderr
    db_path.parent.mkdir()
    db_path.write_bytes(b"garbage" * 50)
    out = coach("run", "--db", db_path, input="")
    assert out.returncode == 1 and "--yes" in out.stderr and "Traceback" not in out.stderr
    assert db_path.read_bytes() == b"garbage" * 50


def test_check_stopped_before_an_ending_is_stored_abandoned_not_finished(db_path, tmp_path):
    answers = tmp_path / "short.json"
    answers.write_text(json.dumps({"atm-card": [1]}))
    out = check(db_path, "--teller", "Li", "--answers", answers, "--scenarios", "atm-card", "--format", "json")
    assert out.returncode in (0, 3), out.stderr
    status, outcome, overall = connect(db_path).execute("SELECT status, outcome, overall FROM attempts").fetchone()
    assert (status, outcome, overall) == ("abandoned", None, None)
    # so neither the report nor the xAPI export count it as completed
    report = coach("report", db_path, "--format", "json")
    assert report.returncode == 1 and "no finished attempts" in report.stderr
    export = coach("export", "--xapi", db_path)
    assert export.returncode == 1 and "completed" not in export.stdout
