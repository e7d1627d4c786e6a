"""The worked example in scenarios/README.md is valid and scores what the README says it scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.engine import Session
from coach.scenario.loader import load_scenario_text

README = Path(__file__).resolve().parent.parent / "scenarios" / "README.md"


def _example():
    text = README.read_text(encoding="utf-8")
    start = text.index("# yaml-language-server: $schema=./coach-scenario.schema.json\nid: card-pin-reset")
    result = load_scenario_text(text[start:text.index("```", start)].encode("utf-8"), "card-pin-reset.yaml")
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return result


def test_the_worked_example_is_clean_under_strict_validation():
    assert _example().diagnostics == []


@pytest.mark.parametrize("picks,overall,ready,outcome", [
    ([2, 1, 1], 100, True, "retained"),
    ([2, 1, 2], 89, True, "retained"),
    ([1, 2], 0, False, "lost"),
])
def test_the_worked_example_scores_as_the_readme_says(picks, overall, ready, outcome):
    card = Session.replay(_example().scenario, [p - 1 for p in picks]).scorecard()
    assert (card.overall, card.ready, card.outcome) == (overall, ready, outcome)
