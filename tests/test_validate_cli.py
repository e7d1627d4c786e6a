"""`coach validate` and `coach schema`, run in-process through coach.cli.main."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coach.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"


def test_valid_file_exits_0_with_a_summary(capsys):
    assert main(["validate", str(GOOD / "minimal.yaml")]) == 0
    out = capsys.readouterr().out
    assert out == "1 file: 1 valid, 0 with errors; 0 errors, 0 warnings\n"


def test_file_with_errors_exits_1_and_prints_file_line_col(capsys):
    assert main(["validate", str(BAD / "typo-key.yaml")]) == 1
    out = capsys.readouterr().out
    assert f"{BAD / 'typo-key.yaml'}:17:9: error: unknown key 'nxt'" in out
    assert out.splitlines()[-1] == "1 file: 0 valid, 1 with errors; 2 errors, 0 warnings"


def test_warnings_alone_exit_0(capsys):
    assert main(["validate", str(BAD / "lint-todo.yaml")]) == 0
    assert "warning:" in capsys.readouterr().out


def test_strict_makes_warnings_fail(capsys):
    assert main(["validate", "--strict", str(BAD / "lint-todo.yaml")]) == 1
    assert "[todo]" in capsys.readouterr().out


def test_missing_path_exits_2_with_a_clear_message(capsys, tmp_path):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_no_path_at_all_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2


def test_folder_without_scenarios_exits_2(capsys, tmp_path):
    assert main(["validate", str(tmp_path)]) == 2
    assert "no scenario files" in capsys.readouterr().err


def test_folder_is_searched_recursively_and_sorted(capsys, tmp_path):
    (tmp_path / "sub").mkdir()
    shutil.copy(GOOD / "minimal.yaml", tmp_path / "sub" / "b.yml")
    shutil.copy(BAD / "typo-key.yaml", tmp_path / "a.yaml")
    (tmp_path / "notes.txt").write_text("not a scenario")
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "2 files: 1 valid, 1 with errors; 2 errors, 0 warnings"


def test_two_files_with_the_same_id_is_an_error(capsys, tmp_path):
    shutil.copy(GOOD / "minimal.yaml", tmp_path / "one.yaml")
    shutil.copy(GOOD / "minimal.yaml", tmp_path / "two.yaml")
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'two.yaml'}:1:1: error: scenario id 'minimal' is already declared in" in out
    assert "[duplicate-id]" in out


def test_json_format(capsys):
    code = main(["validate", "--format", "json", str(GOOD / "bilingual.yaml"), str(BAD / "lint-todo.yaml"), str(BAD / "typo-key.yaml")])
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    files = {Path(f["path"]).name: f for f in doc["files"]}
    assert files["bilingual.yaml"]["valid"] is True
    assert files["lint-todo.yaml"] == {**files["lint-todo.yaml"], "valid": True, "errors": 0, "warnings": 1}
    typo = files["typo-key.yaml"]
    assert typo["valid"] is False and typo["errors"] == 2
    assert {"path", "line", "col", "severity", "message", "code"} <= set(typo["diagnostics"][0])
    assert doc["summary"] == {"files": 3, "valid": 2, "with_errors": 1, "errors": 2, "warnings": 1, "ok": False}


def test_schema_is_json_with_the_scenario_properties(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "steps" in schema["properties"]
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"]
