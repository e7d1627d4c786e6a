"""Promises: a history database edited by hand (or by an attacker) never breaks history, report or export.

SQLite stores whatever a column is given. Every row is checked as it is read; a row that coach could
not have written is skipped and named on stderr with its table and id; everything else is shown.
Never a traceback, never a blow-up (`choice = 1000000` once took 4 minutes and 1.5 GB).
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ORDER, make_history

COMMANDS = (
    ("history", "--format", "json"),
    ("history", "--format", "csv"),
    ("history", "--teller", "Ann"),
    ("report", "--format", "table"),
    ("report", "--format", "json"),
    ("report", "--format", "csv", "--view", "items", "--all-attempts"),
    ("export", "--xapi"),
)


def run_cli(*args) -> tuple[int, str, str]:
    """coach's main() in this process: (exit code, stdout, stderr). Any exception fails the test."""
    from coach.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def run_all(db: Path, scenarios: Path | None = None) -> list[tuple[int, str, str]]:
    results = []
    for command in COMMANDS:
        args = [*command]
        if command[0] == "history":
            args += ["--db", db]
        else:
            args += [db] + (["--scenarios", scenarios] if scenarios else [])
        code, out, err = run_cli(*args)
        assert code in (0, 1), (args, code, err)
        assert "Traceback" not in err
        results.append((code, out, err))
    return results


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tampered")
    path = make_history(folder / "template.sqlite3", plays=(
        ("Ann", [0, 0, 0, 0]), ("Bob", [1, 1, 1, 1]), ("Ann", [0, 1, 0, 0]), ("Cy", [0, 0])))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO checks (teller_id, started, ended, minutes, pass_mark, verdict, review, numbers)"
                 " VALUES (1, '2026-11-01T08:00:00+00:00', '2026-11-01T08:10:00+00:00', 10, 80, 'ready', '[]', '{}')")
    conn.close()
    return path


def tamper(path: Path, sql: str, *params) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute(sql, params)
    conn.close()


@pytest.fixture
def db(template, tmp_path) -> Path:
    copy = tmp_path / "branch.sqlite3"
    shutil.copyfile(template, copy)
    return copy


# ---- the cases seen, one each -------------------------------------------------------------------

@pytest.mark.parametrize("sql, table", [
    ("UPDATE attempts SET overall = 'eighty' WHERE id = 1", "attempts"),
    ("UPDATE attempts SET overall = NULL WHERE id = 1", "attempts"),
    ("UPDATE attempts SET overall = 1e308 WHERE id = 1", "attempts"),
    ("UPDATE attempts SET started = 'yesterday' WHERE id = 1", "attempts"),
    ("UPDATE attempts SET scenario_id = x'00ff' WHERE id = 1", "attempts"),
    ("UPDATE tellers SET name = x'deadbeef' WHERE id = 1", "attempts"),
    ("UPDATE tellers SET name = CAST(x'41ff' AS TEXT) WHERE id = 1", "attempts"),
    ("UPDATE answers SET choice = 1000000 WHERE attempt_id = 1 AND seq = 1", "answers"),
    ("UPDATE answers SET choice = 'two' WHERE attempt_id = 1 AND seq = 1", "answers"),
    ("UPDATE answers SET points = 'not json' WHERE attempt_id = 1 AND seq = 2", "answers"),
    ("UPDATE answers SET points = '[1, 2]' WHERE attempt_id = 1 AND seq = 2", "answers"),
    ("UPDATE answers SET seconds = 1e308 WHERE attempt_id = 1 AND seq = 1", "answers"),
    ("UPDATE answers SET seconds = 'slow' WHERE attempt_id = 1 AND seq = 1", "answers"),
    ("UPDATE answers SET seq = -5 WHERE attempt_id = 1 AND seq = 3", "answers"),
    ("UPDATE answers SET seq = 9223372036854775807 WHERE attempt_id = 1 AND seq = 3", "answers"),
    ("UPDATE answers SET mood_after = 'calm' WHERE attempt_id = 1 AND seq = 3", "answers"),
    ("UPDATE attempt_principles SET score = 'high' WHERE attempt_id = 1", "attempt_principles"),
    ("UPDATE attempt_principles SET score = 1e308 WHERE attempt_id = 1", "attempt_principles"),
])
def test_a_bad_row_is_named_and_skipped(db, sql, table):
    tamper(db, sql)
    results = run_all(db, ORDER.parent)
    report_err = results[3][2]
    assert f"skipped {table} row" in report_err and "could not have written" in report_err
    code, out, _ = results[4]
    assert code == 0 and '"attempts"' in out  # the other attempts are still reported


def test_choice_one_million_is_skipped_quickly(db):
    tamper(db, "UPDATE answers SET choice = 1000000")
    started = time.perf_counter()
    code, _, err = run_cli("report", db, "--format", "json", "--all-attempts")
    assert time.perf_counter() - started < 10 and "choice 1000000 is out of range" in err


def test_non_json_in_check_columns_is_skipped_by_history(db):
    tamper(db, "UPDATE checks SET numbers = '{broken', review = x'00'")
    code, out, err = run_cli("history", "--db", db, "--teller", "Ann", "--format", "json")
    assert code == 0 and "skipped checks row 1" in err and '"checks": []' in out


def test_a_check_without_a_verdict_reads_as_unfinished_or_abandoned(db):
    tamper(db, "UPDATE checks SET verdict = NULL")
    code, out, _ = run_cli("history", "--db", db, "--teller", "Ann", "--format", "json")
    assert code == 0 and '"verdict": "abandoned"' in out
    tamper(db, "UPDATE checks SET ended = NULL")
    code, out, _ = run_cli("history", "--db", db, "--teller", "Ann", "--format", "json")
    assert '"verdict": "unfinished"' in out


def test_a_blob_teller_name_does_not_break_the_unknown_teller_message(db):
    tamper(db, "UPDATE tellers SET name = x'ff00' WHERE id = 2")
    code, _, err = run_cli("history", "--db", db, "--teller", "Nobody")
    assert code == 1 and "no teller named 'Nobody'" in err


# ---- any junk, anywhere -----------------------------------------------------------------------

COLUMNS = {
    "tellers": ("id", ["name", "created"]),
    "attempts": ("id", ["teller_id", "scenario_id", "scenario_sha256", "mode", "lang", "started", "ended",
                        "status", "scorecard", "overall", "outcome", "check_id"]),
    "answers": ("attempt_id, seq", ["attempt_id", "seq", "step", "choice", "act", "points", "mood_before",
                          "mood_after", "seconds", "at", "undone"]),
    "attempt_principles": ("attempt_id, principle", ["attempt_id", "principle", "score"]),
    "checks": ("id", ["teller_id", "started", "ended", "minutes", "pass_mark", "verdict", "review", "numbers"]),
}

JUNK = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, -1, 1, 100, 101, 1_000_000, 2**62]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 0.5]),
    st.text(max_size=30),
    st.sampled_from(["not json", "{", "[]", '{"principles": {"P1": "x"}}', '{"choice": {"P1": 1e999}}',
                     "9999-12-31T23:59:59", "0001-01-01", "", "[/]", "=HYPERLINK(\"x\")"]),
    st.binary(max_size=20),
)


@st.composite
def edits(draw):
    out = []
    for _ in range(draw(st.integers(1, 3))):
        table = draw(st.sampled_from(sorted(COLUMNS)))
        key, columns = COLUMNS[table]
        column = draw(st.sampled_from(columns))
        value = draw(JUNK)
        invalid_utf8 = isinstance(value, bytes) and draw(st.booleans())  # text whose bytes are not UTF-8
        row = draw(st.integers(0, 12))  # the n-th row in key order
        out.append((table, key, column, value, invalid_utf8, row))
    return out


#: The number of random tamperings tried in CI (each runs all seven commands).
EXAMPLES = 200


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(changes=edits())
def test_random_junk_in_any_column_never_raises(template, tmp_path_factory, changes):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "branch.sqlite3"
    shutil.copyfile(template, path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for table, key, column, value, invalid_utf8, row in changes:
        expr = "CAST(? AS TEXT)" if invalid_utf8 else "?"
        try:
            conn.execute(f"UPDATE {table} SET {column} = {expr} WHERE ({key}) IN"
                         f" (SELECT {key} FROM {table} ORDER BY {key} LIMIT 1 OFFSET ?)", (value, row))
        except sqlite3.IntegrityError:
            pass  # NOT NULL / primary key: SQLite itself refuses this edit
    conn.close()
    run_all(path, ORDER.parent)
