"""`coach report`: formats (table, CSV with BOM, JSON, HTML) and a clear message for every bad input."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from html.parser import HTMLParser

import pytest

from coach.cli import main

ORDER_DIR = "tests/fixtures/engine"


def run(capsysbinary, *argv):
    code = main(["report", *map(str, argv)])
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def test_table(two_dbs, capsysbinary):
    code, out, err = run(capsysbinary, two_dbs, "--scenarios", ORDER_DIR)
    text = out.decode("utf-8")
    assert code == 0, err
    assert "2 databases, 5 finished attempts, 20 answers; item analysis on first attempts" in text
    for heading in ("Tellers", "Principles across tellers", "Scenarios", "Item analysis"):
        assert heading in text
    assert "王芳" in text and "Skip it" in text  # choice texts from the scenario file


def test_csv_has_a_bom_and_chinese_intact(two_dbs, tmp_path, capsysbinary):
    target = tmp_path / "report.csv"
    code, out, err = run(capsysbinary, two_dbs, "--format", "csv", "--view", "tellers", "--lang", "zh", "--out", target)
    assert code == 0, err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["柜员", "次数", "平均"]
    names = [r[0] for r in rows[1:]]
    assert names == ["Ann", "Bob", "王芳"]
    ann = rows[1]
    assert ann[1] == "3"


def test_csv_of_every_view_on_stdout_asks_for_one_view(two_dbs, capsysbinary):
    code, out, err = run(capsysbinary, two_dbs, "--format", "csv")
    assert code == 2 and out == b""
    assert "--view" in err and "one file per view" in err


def test_csv_of_every_view_writes_one_file_per_view(two_dbs, tmp_path, capsysbinary):
    code, _, err = run(capsysbinary, two_dbs, "--format", "csv", "--out", tmp_path / "report.csv")
    assert code == 0, err
    for view in ("tellers", "principles", "scenarios", "items"):
        raw = (tmp_path / f"report-{view}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert len({len(r) for r in rows}) == 1, view  # one rectangular table per file


def test_csv_numbers_are_plain_and_undefined_cells_empty(two_dbs, capsysbinary):
    code, out, _ = run(capsysbinary, two_dbs, "--format", "csv", "--view", "items", "--all-attempts")
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))
    assert code == 0 and rows
    for row in rows:
        assert "—" not in row.values()
        float(row["facility"])  # a number a spreadsheet sums
        assert row["discrimination"] == "" or -1 <= float(row["discrimination"]) <= 1
        # one column per choice, not "#1:1 #2:8"
        assert int(row["choice_1_count"]) + int(row["choice_2_count"]) == int(row["attempts"])
        assert not any(":" in v and "#" in v for v in row.values())


def test_csv_texts_are_not_truncated(two_dbs, capsysbinary):
    code, out, _ = run(capsysbinary, two_dbs, "--format", "csv", "--view", "items", "--scenarios", ORDER_DIR)
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))
    texts = {r["most_picked_wrong_text"] for r in rows} - {""}
    assert texts and not any(t.endswith("…") for t in texts)


def test_csv_tellers_weakest_principles_are_columns(two_dbs, capsysbinary):
    code, out, _ = run(capsysbinary, two_dbs, "--format", "csv", "--view", "tellers")
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))
    assert code == 0 and "weakest_1" in rows[0] and "weakest_1_average" in rows[0]
    assert all(";" not in v for r in rows for v in r.values())


def test_csv_cells_never_run_as_formulas(tmp_path, make_db, capsysbinary):
    db = make_db(tmp_path / "x.sqlite3", [("=HYPERLINK(1)", [0, 0, 0, 0])])
    code, out, _ = run(capsysbinary, db, "--format", "csv", "--view", "tellers")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_json(two_dbs, capsysbinary):
    code, out, _ = run(capsysbinary, two_dbs, "--format", "json", "--all-attempts", "--scenarios", ORDER_DIR)
    doc = json.loads(out)
    assert code == 0
    assert doc["attempts"] == 5 and doc["answers"] == 20 and doc["item_analysis_on"] == "all attempts"
    assert {t["teller"] for t in doc["tellers"]} == {"Ann", "Bob", "王芳"}
    assert [i["step"] for i in doc["items"]] == ["prepare", "first", "second", "wrap"]
    prepare = doc["items"][0]
    assert prepare["attempts"] == 5 and prepare["estimated"] is False
    # prepare: Bob and 王芳 skipped it (-1 of 2, worst -1): facility ((3*2 - 2)/5 + 1) / 3
    assert prepare["facility"] == pytest.approx(((3 * 2 - 2) / 5 + 1) / 3, abs=1e-3)
    assert doc["scenarios"][0]["outcomes"] == {"retained": 3, "at_risk": 2, "lost": 0}


def test_first_attempts_by_default(two_dbs, capsysbinary):
    _, out, _ = run(capsysbinary, two_dbs, "--format", "json", "--view", "items")
    doc = json.loads(out)
    assert doc["items"][0]["attempts"] == 3  # Ann, Bob, 王芳: Ann's later attempts left out
    assert "tellers" not in doc


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_page_is_self_contained_with_the_figures(tmp_path, make_db, capsysbinary):
    db = make_db(tmp_path / "x.sqlite3", [("<script>alert(1)</script>", [0, 0, 0, 0]), ("王芳", [1, 1, 1, 1])])
    page = tmp_path / "report.html"
    code, _, err = run(capsysbinary, db, "--html", page, "--scenarios", ORDER_DIR)
    assert code == 0 and "Wrote" in err
    html = page.read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "Content-Security-Policy" in html
    assert html.count("<svg") >= 3  # principles, tellers, item analysis (+ one per item)
    text = "".join(parser.text)
    # the figures: each teller's average and each principle's average appear
    doc_code, out, _ = run(capsysbinary, db, "--format", "json")
    doc = json.loads(out)
    for t in doc["tellers"]:
        assert f"{t['average']:g}" in text
    for p in doc["principles"]:
        assert f"{p['average']:g}" in text
    for item in doc["items"]:
        if item["facility"] is not None:
            assert f"{item['facility']:.2f}" in text
    assert "王芳" in text and "Facility" in text


def test_html_cannot_be_written(two_dbs, tmp_path, capsysbinary):
    code, _, err = run(capsysbinary, two_dbs, "--html", tmp_path / "no" / "dir" / "r.html")
    assert code == 1 and "cannot write" in err


def test_filters_on_the_command_line(two_dbs, capsysbinary):
    _, out, _ = run(capsysbinary, two_dbs, "--format", "json", "--teller", "Ann", "--since", "2000-01-01")
    doc = json.loads(out)
    assert [t["teller"] for t in doc["tellers"]] == ["Ann"] and doc["attempts"] == 3
    assert doc["filters"]["teller"] == "Ann"


@pytest.mark.parametrize("argv, code, message", [
    (["--since", "last week"], 2, "--since takes a date"),
    (["--since", "2026-02-30"], 2, "--since takes a date"),
    (["--teller", "Nobody"], 1, "no teller named 'Nobody'"),
    (["--scenario", "no-such"], 1, "no attempts of scenario 'no-such'"),
    (["--since", "2999-01-01"], 1, "no finished attempts in these databases for these filters"),
])
def test_bad_filters(two_dbs, capsysbinary, argv, code, message):
    got, out, err = run(capsysbinary, two_dbs, *argv)
    assert got == code and message in err and "Traceback" not in err and out == b""


def test_missing_database(tmp_path, capsysbinary):
    code, _, err = run(capsysbinary, tmp_path / "nope.sqlite3")
    assert code == 1 and "no such file or folder" in err


def test_not_a_database(tmp_path, capsysbinary):
    bad = tmp_path / "notes.db"
    bad.write_text("just some notes\n" * 5)
    code, _, err = run(capsysbinary, bad)
    assert code == 1 and "not a coach history database" in err


def test_not_coachs_database(tmp_path, capsysbinary):
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.close()
    code, _, err = run(capsysbinary, other)
    assert code == 1 and "not a coach history database" in err


def test_empty_database(tmp_path, make_db, capsysbinary):
    db = make_db(tmp_path / "empty.sqlite3", [])
    code, _, err = run(capsysbinary, db)
    assert code == 1 and "no finished attempts" in err


def test_out_cannot_be_written(two_dbs, tmp_path, capsysbinary):
    code, _, err = run(capsysbinary, two_dbs, "--out", tmp_path / "missing" / "r.txt")
    assert code == 1 and "cannot write" in err
