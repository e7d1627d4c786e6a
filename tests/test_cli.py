"""The command line: help, usage errors, and `coach play`."""

import json

import pytest

from coach.cli import COMMANDS, main


def test_help_lists_every_command_in_one_line_each(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["schema", "-o", "a\x00b"], ["validate", "x\x00.yaml"], ["history", "--db", "\x00"]])
def test_an_argument_holding_a_nul_character_is_a_usage_error_for_every_command(capsys, argv, tmp_path):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "NUL character" in err and "Traceback" not in err


ORDER = "tests/fixtures/engine/order.yaml"


def play(capsys, *args):
    code = main(["play", ORDER, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_play_best_prints_the_scorecard_as_json(capsys):
    code, out, _ = play(capsys, "--best", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert {"scenario", "overall", "principles", "phases", "outcome", "mood", "rules"} <= set(data)
    assert (data["scenario"], data["overall"], data["outcome"]) == ("order", 100, "retained")
    assert data["choices"] == [1, 1, 1, 1]


def test_play_json_lists_each_rule_that_fired_with_its_step(capsys):
    _, out, _ = play(capsys, "--choose", "1,2,1,1", "--format", "json")
    fired = {(r["rule"], r["step"], r["kept"]) for r in json.loads(out)["rules"]}
    assert ("soothe_first", "first", False) in fired
    assert ("type_fit", "first", False) in fired


def test_play_choose_gives_the_same_card_as_the_engine(capsys, order_scenario):
    from coach.engine import Session

    _, out, _ = play(capsys, "--choose", "2,1,2,2", "--format", "json")
    expected = Session.replay(order_scenario, [1, 0, 1, 1]).scorecard().to_dict()
    data = json.loads(out)
    assert data["overall"] == expected["overall"]
    assert data["principles"] == expected["principles"]


def test_play_worst_scores_below_best(capsys):
    _, best, _ = play(capsys, "--best", "--format", "json")
    _, worst, _ = play(capsys, "--worst", "--format", "json")
    assert json.loads(worst)["overall"] < json.loads(best)["overall"]


def test_play_text_output_in_chinese(capsys):
    code, out, _ = play(capsys, "--best", "--lang", "zh")
    assert code == 0
    assert "总分：100/100" in out


def test_play_choose_that_runs_out_is_a_clear_error(capsys):
    code, _, err = play(capsys, "--choose", "1,1")
    assert code == 2
    assert "ran out at step 'second'" in err


def test_play_choose_naming_no_such_choice_is_a_clear_error(capsys):
    code, _, err = play(capsys, "--choose", "1,9")
    assert code == 2
    assert "has 3 choices" in err


def test_play_choose_after_the_ending_is_a_clear_error(capsys):
    code, _, err = play(capsys, "--choose", "1,1,1,1,1")
    assert code == 2
    assert "ended after 4 choices" in err


@pytest.mark.parametrize("raw", ["a,b", "0,1", "-1", ""])
def test_play_choose_with_bad_numbers_is_a_usage_error(capsys, raw):
    code, _, err = play(capsys, "--choose", raw)
    assert code == 2
    assert "positive numbers" in err


def test_play_an_unknown_scenario_is_a_clear_error(capsys):
    assert main(["play", "no-such-scenario", "--best"]) == 2
    assert "no scenario file or bundled id" in capsys.readouterr().err


def test_play_a_broken_file_reports_its_errors(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: x\n", encoding="utf-8")
    assert main(["play", str(bad), "--best"]) == 1
    assert "bad.yaml:" in capsys.readouterr().err


def test_play_needs_a_way_to_choose(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["play", ORDER])
    assert exc.value.code == 2
