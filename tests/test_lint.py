"""The linter: one test per check, each pointing at the offending key."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.scenario.lint import lint
from coach.scenario.loader import load_scenario, load_scenario_text

FIXTURES = Path(__file__).parent / "fixtures"


def findings(name: str, folder: str = "bad") -> list:
    result = load_scenario(FIXTURES / folder / f"{name}.yaml", lint=False)
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return lint(result.scenario, result.positions, result.path)


def one(name: str, code: str):
    found = [d for d in findings(name) if d.code == code]
    assert len(found) == 1, [d.format() for d in findings(name)]
    return found[0]


@pytest.mark.parametrize("name", ["minimal", "bilingual", "atm-card-retained"])
def test_good_scenarios_have_no_findings(name):
    assert findings(name, "good") == []


def test_next_naming_a_missing_step_is_an_error():
    d = one("lint-unknown-next", "unknown-step")
    assert d.severity == "error" and "'nowhere'" in d.message
    assert (d.line, d.col) == (17, 9)


def test_missing_start_step_is_an_error():
    d = one("lint-missing-start", "unknown-start")
    assert d.severity == "error" and (d.line, d.col) == (7, 1)


def test_unreachable_step_is_a_warning():
    d = one("lint-unreachable", "unreachable")
    assert d.severity == "warning" and "'orphan'" in d.message
    assert (d.line, d.col) == (26, 3)


def test_non_ending_step_without_choices_is_an_error():
    d = one("lint-no-choices", "no-choices")
    assert d.severity == "error" and "'stuck'" in d.message


def test_cycle_with_no_way_to_an_ending_is_an_error():
    d = one("lint-trap-cycle", "trap-cycle")
    assert d.severity == "error"
    assert "loop-a → loop-b → loop-a" in d.message


def test_no_reachable_ending_is_an_error():
    d = one("lint-no-ending", "no-ending")
    assert d.severity == "error"


def test_text_missing_a_declared_language_is_an_error():
    d = one("lint-missing-language", "missing-language")
    assert d.severity == "error" and "en" in d.message
    assert (d.line, d.col) == (21, 9)


def test_plain_string_in_bilingual_scenario_is_a_warning():
    d = one("lint-plain-text", "plain-text")
    assert d.severity == "warning"
    assert "plain string in a bilingual scenario" in d.message


def test_plain_string_in_single_language_scenario_is_fine():
    assert not [d for d in findings("minimal", "good") if d.code == "plain-text"]


def test_tie_for_best_choice_is_a_warning():
    d = one("lint-no-clear-best", "no-clear-best")
    assert d.severity == "warning"


def test_choice_without_feedback_is_a_warning():
    d = one("lint-no-feedback", "no-feedback")
    assert d.severity == "warning" and (d.line, d.col) == (18, 9)


def test_agitated_customer_without_calming_step_is_a_warning():
    d = one("lint-no-calming", "no-calming")
    assert d.severity == "warning"


def test_step_whose_choices_have_no_scores_is_a_warning():
    d = one("lint-unscored", "unscored")
    assert d.severity == "warning"
    assert not [x for x in findings("lint-unscored") if x.code == "no-clear-best"]


def test_todo_in_text_is_a_warning():
    d = one("lint-todo", "todo")
    assert d.severity == "warning" and d.line == 25


def test_best_choice_always_in_the_same_position_is_a_warning():
    d = one("lint-best-always-same", "best-always-same")
    assert d.severity == "warning" and (d.line, d.col) == (8, 1)
    assert "always number 1" in d.message and "vary the order" in d.message
    assert [x.code for x in findings("lint-best-always-same")] == ["best-always-same"]


def test_best_choice_position_varying_or_too_few_steps_is_fine():
    text = (FIXTURES / "bad" / "lint-best-always-same.yaml").read_text(encoding="utf-8")
    # Move the best choice of the last step to second place: the order now varies.
    head, rest = text.split("      - text: Tell him when")
    best, rest = rest.split("      - text: Say goodbye.")
    poor, tail = rest.split("  end:")
    varied = head + "      - text: Say goodbye." + poor + "      - text: Tell him when" + best + "  end:" + tail
    result = load_scenario_text(varied.encode("utf-8"), "varied.yaml", lint=False)
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    assert result.scenario.steps["follow"].best_index() == 1
    assert not [d for d in lint(result.scenario, result.positions, result.path) if d.code == "best-always-same"]
    # One decision step (fewer than three) is too few to call it a pattern.
    assert not [d for d in findings("minimal", "good") if d.code == "best-always-same"]


def test_loader_runs_lint_by_default():
    result = load_scenario(FIXTURES / "bad" / "lint-unknown-next.yaml")
    assert not result.ok
    assert result.scenario is not None
    assert [d.code for d in result.errors] == ["unknown-step"]


def _two_routes(second_next: str) -> list:
    text = (FIXTURES / "bad" / "lint-no-clear-best.yaml").read_text(encoding="utf-8")
    text = text.replace("        feedback: A leaflet is not an answer.\n        next: end",
                        f"        feedback: A leaflet is not an answer.\n        next: {second_next}")
    text += "  other:\n    ending: retained\n    text: Ms Li reads the leaflet and is content.\n"
    result = load_scenario_text(text.encode("utf-8"), "routes.yaml", lint=False)
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return lint(result.scenario, result.positions, result.path)


def test_two_good_routes_to_different_steps_are_not_a_warning():
    assert not [d for d in _two_routes("other") if d.code == "no-clear-best"]


def test_tied_best_choices_to_the_same_step_still_warn():
    found = [d for d in _two_routes("end") if d.code == "no-clear-best"]
    assert len(found) == 1 and "lead to the same step" in found[0].message


def test_every_top_total_choice_counts_as_best_in_a_session():
    from coach.engine import Session

    result = load_scenario(FIXTURES / "bad" / "lint-no-clear-best.yaml")
    assert Session(result.scenario).choose(1).was_best
    assert Session(result.scenario).choose(0).was_best


def test_all_or_nothing_scoring_over_three_steps_is_a_warning():
    text = (FIXTURES / "good" / "atm-card-retained.yaml").read_text(encoding="utf-8")
    text = text.replace("scores: {root_cause: 1}", "scores: {root_cause: -1}")  # the only half-right one
    result = load_scenario_text(text.encode("utf-8"), "all-or-nothing.yaml", lint=False)
    codes = [d.code for d in lint(result.scenario, result.positions, result.path)]
    assert codes == ["no-partial-credit"]


def test_one_half_right_choice_is_enough_to_silence_no_partial_credit():
    assert not [d for d in findings("atm-card-retained", "good") if d.code == "no-partial-credit"]
