"""Critical mistakes: a choice breaking a rule that protects the customer or the bank is never ready."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from coach.cli import main
from coach.engine import Session
from coach.scenario.lint import lint
from coach.scenario.loader import load_scenario, load_scenario_text

CRITICAL = Path(__file__).parent / "fixtures" / "engine" / "critical.yaml"
REASON_EN = "A transfer to a suspected fraud account; his signature does not waive the risk."
REASON_ZH = "向涉嫌诈骗的账户转账，客户签字也不能免除风险。"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(CRITICAL).scenario


def test_the_turn_records_the_critical_reason(scenario):
    turn = Session(scenario).choose(1)
    assert turn.critical == {"zh": REASON_ZH, "en": REASON_EN}
    assert Session(scenario).choose(0).critical is None


def test_a_critical_mistake_is_not_ready_whatever_the_score(scenario):
    card = Session.replay(scenario, [1, 0]).scorecard()
    assert card.overall >= card.pass_mark  # its communication is fine…
    assert [c.step for c in card.critical] == ["ask"]
    assert card.ready is False  # …but it is not ready


def test_a_play_without_critical_mistakes_is_ready_at_the_pass_mark(scenario):
    card = Session.replay(scenario, [0, 0]).scorecard()
    assert card.critical == [] and card.ready is True


def test_scorecard_to_dict_gives_the_reason_in_the_language_asked(scenario):
    card = Session.replay(scenario, [1, 0]).scorecard()
    assert card.to_dict("zh")["critical"] == [{"step": "ask", "reason": REASON_ZH}]
    assert card.to_dict("en")["critical"] == [{"step": "ask", "reason": REASON_EN}]
    assert card.to_dict("en")["ready"] is False


def test_play_json_has_critical_and_ready(capsys):
    assert main(["play", str(CRITICAL), "--choose", "2,1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["critical"] == [{"step": "ask", "reason": REASON_EN}]
    assert data["ready"] is False


def test_play_json_has_an_empty_critical_list_when_none(capsys):
    assert main(["play", str(CRITICAL), "--best", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["critical"] == [] and data["ready"] is True


@pytest.mark.parametrize("lang,word", [("en", "Critical mistake"), ("zh", "严重错误")])
def test_play_text_shows_the_critical_mistake_before_the_score(capsys, lang, word):
    assert main(["play", str(CRITICAL), "--choose", "2,1", "--lang", lang]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith(word) and (REASON_EN if lang == "en" else REASON_ZH) in lines[1]
    assert "review" in lines[2] or "需要复习" in lines[2]


def _check(capsys, tmp_path, answers: str, *extra: str) -> tuple[int, dict]:
    code = main(["check", "--db", str(tmp_path / "h.sqlite3"), "--teller", "Li", "--dir", str(CRITICAL.parent),
                 "--scenarios", "critical", "--answers", str(answers), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_check_gives_review_naming_the_critical_mistake(capsys, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text('{"critical": [2, 1]}', encoding="utf-8")
    code, data = _check(capsys, tmp_path, answers)
    assert code == 3
    assert data["verdict"] == "review"
    assert data["critical"] == [{"scenario": "critical", "step": "ask", "reason": REASON_EN}]
    assert "critical mistake in critical" in data["label"]


def test_check_text_names_the_critical_mistake_first(capsys, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text('{"critical": [2, 1]}', encoding="utf-8")
    code = main(["check", "--db", str(tmp_path / "h.sqlite3"), "--teller", "Li", "--dir", str(CRITICAL.parent),
                 "--scenarios", "critical", "--answers", str(answers), "--lang", "zh"])
    out = capsys.readouterr().out.splitlines()
    assert code == 3
    assert out[1].startswith("结论：需要复习") and "严重错误" in out[1]
    assert REASON_ZH in out[3]


def _db_with(tmp_path: Path, plays: list[tuple[str, list[int]]]) -> Path:
    from tests.reports.conftest import make_db

    return make_db(tmp_path / "h.sqlite3", plays, scenario=CRITICAL)


def test_report_counts_critical_mistakes_per_scenario_and_teller(capsys, tmp_path):
    db = _db_with(tmp_path, [("ann", [1, 0]), ("ann", [0, 0]), ("bob", [1, 0]), ("bob", [1, 0])])
    assert main(["report", str(db), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    tellers = {r["teller"]: r for r in data["tellers"]}
    assert (tellers["ann"]["critical"], tellers["bob"]["critical"]) == (1, 2)
    assert (tellers["ann"]["passed"], tellers["bob"]["passed"]) == (1, 0)  # critical is never passed
    assert data["scenarios"][0]["critical"] == 3


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_report_table_and_csv_have_a_critical_column(capsys, tmp_path, fmt):
    db = _db_with(tmp_path, [("ann", [1, 0])])
    assert main(["report", str(db), "--format", fmt, "--view", "scenarios"]) == 0
    assert "critical" in capsys.readouterr().out


def test_report_html_has_a_critical_column(capsys, tmp_path):
    db = _db_with(tmp_path, [("ann", [1, 0])])
    page = tmp_path / "r.html"
    assert main(["report", str(db), "--html", str(page), "--out", str(tmp_path / "r.txt")]) == 0
    assert "<th>critical</th>" in page.read_text(encoding="utf-8")


def test_report_counts_older_rows_without_the_key_as_zero(capsys, tmp_path):
    db = _db_with(tmp_path, [("ann", [1, 0])])
    conn = sqlite3.connect(db)
    conn.execute("UPDATE attempts SET scorecard = json_remove(scorecard, '$.critical')")
    conn.commit()
    conn.close()
    assert main(["report", str(db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["tellers"][0]["critical"] == 0


def _lint(text: str) -> list:
    result = load_scenario_text(text.encode("utf-8"), "c.yaml", lint=False)
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return lint(result.scenario, result.positions, result.path)


def test_lint_checks_critical_text_like_any_other():
    text = CRITICAL.read_text(encoding="utf-8").replace(
        f"critical: {{zh: {REASON_ZH}, en: \"{REASON_EN}\"}}", "critical: {en: TODO say why}")
    codes = {(d.code, d.severity) for d in _lint(text)}
    assert ("missing-language", "error") in codes and ("todo", "warning") in codes


def test_lint_refuses_a_critical_choice_that_is_the_best():
    text = CRITICAL.read_text(encoding="utf-8").replace(
        "scores: {understanding: 1, attitude: 1}", "scores: {understanding: 2, attitude: 2}")
    found = [d for d in _lint(text) if d.code == "critical-best"]
    assert len(found) == 1 and found[0].severity == "error"


def test_lint_refuses_a_critical_choice_tied_for_best():
    text = CRITICAL.read_text(encoding="utf-8").replace(
        "scores: {understanding: 1, attitude: 1}", "scores: {understanding: 2, attitude: 1}")
    assert [d.code for d in _lint(text) if d.is_error] == ["critical-best"]


def test_the_fixture_is_clean():
    assert _lint(CRITICAL.read_text(encoding="utf-8")) == []


def test_xapi_export_says_failed_for_a_critical_mistake_whatever_the_score(capsys, tmp_path):
    db = _db_with(tmp_path, [("ann", [1, 0])])
    assert main(["export", "--xapi", str(db)]) == 0
    verbs = [json.loads(line)["verb"]["id"].rsplit("/", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert verbs[-1] == "failed"
