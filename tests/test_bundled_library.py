"""The bundled scenario library (scenarios/*.yaml): every scenario loads cleanly, plays well on its
best path and badly on a path of typical mistakes, and the library as a whole covers the article.

Each scenario has a plan in tests/scenario_plans/<id>.yaml:

    mistakes: [2, 1, 3]   # 1-based choice positions, in file order, at each decision step

The best path is the engine's (the choice with the highest total at every step).
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from coach.engine import Session
from coach.principles import ACTS, PRINCIPLES
from coach.scenario.loader import load_scenario
from coach.scenario.model import Scenario

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "scenarios"
PLANS = Path(__file__).resolve().parent / "scenario_plans"
FILES = sorted(LIBRARY.glob("*.yaml"))

BEST_AT_LEAST = 85
MISTAKES_BELOW = 50


@lru_cache(maxsize=None)
def _load(path: Path):
    return load_scenario(path)


def _scenario(path: Path) -> Scenario:
    result = _load(path)
    assert result.scenario is not None, "\n".join(d.format() for d in result.diagnostics)
    return result.scenario


def _plan(scenario_id: str) -> dict:
    return yaml.safe_load((PLANS / f"{scenario_id}.yaml").read_text(encoding="utf-8"))


def _reachable(scenario: Scenario) -> set[str]:
    seen = {scenario.start}
    todo = [scenario.start]
    while todo:
        for choice in scenario.steps[todo.pop()].choices:
            if choice.next not in seen:
                seen.add(choice.next)
                todo.append(choice.next)
    return seen


def _all() -> list[Scenario]:
    return [_scenario(p) for p in FILES]


ids = [p.stem for p in FILES]


# -- each scenario ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_loads_without_errors_or_warnings(path: Path) -> None:
    result = _load(path)
    assert result.scenario is not None
    assert result.diagnostics == [], "\n".join(d.format() for d in result.diagnostics)


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_id_is_the_file_name_and_bilingual(path: Path) -> None:
    scenario = _scenario(path)
    assert scenario.id == path.stem
    assert set(scenario.languages) == {"zh", "en"}


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_has_a_plan(path: Path) -> None:
    plan_file = PLANS / f"{path.stem}.yaml"
    assert plan_file.is_file(), f"write {plan_file.relative_to(ROOT)} with 'mistakes: [...]'"
    plan = _plan(path.stem)
    assert isinstance(plan, dict) and isinstance(plan.get("mistakes"), list) and plan["mistakes"]
    assert all(isinstance(n, int) and n >= 1 for n in plan["mistakes"])


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_best_path_scores_high_and_retains_the_customer(path: Path) -> None:
    session = Session(_scenario(path))
    session.play_best()
    card = session.scorecard()
    assert card.outcome == "retained", f"best path {[t.index + 1 for t in session.turns]} ends {card.outcome}"
    assert card.overall >= BEST_AT_LEAST, f"best path scores {card.overall}"


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_mistakes_path_scores_low(path: Path) -> None:
    scenario = _scenario(path)
    picks = _plan(scenario.id)["mistakes"]
    session = Session(scenario)
    for n, pick in enumerate(picks, 1):
        assert not session.finished, f"the scenario ended after {n - 1} choices; the plan gives {len(picks)}"
        assert pick <= len(session.step.choices), f"choice {n} is {pick}; step '{session.step_id}' has fewer"
        session.choose(pick - 1)
    assert session.finished, f"the plan stops at step '{session.step_id}' before an ending"
    card = session.scorecard()
    assert card.overall < MISTAKES_BELOW, f"mistakes path scores {card.overall}"


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_three_or_four_choices_per_decision_and_two_endings_reachable(path: Path) -> None:
    scenario = _scenario(path)
    reached = _reachable(scenario)
    for sid in reached:
        step = scenario.steps[sid]
        if not step.is_ending:
            assert 3 <= len(step.choices) <= 4, f"step '{sid}' has {len(step.choices)} choices"
    endings = {scenario.steps[sid].ending for sid in reached if scenario.steps[sid].is_ending}
    assert len(endings) >= 2, f"only {endings} reachable"


@pytest.mark.parametrize("path", FILES, ids=ids)
def test_focus_is_declared(path: Path) -> None:
    scenario = _scenario(path)
    assert 2 <= len(scenario.focus) <= 3


def test_best_path_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    """The same verdict the engine gives, through `coach play --best --format json`."""
    from coach.cli import main

    path = FILES[0]
    code = main(["play", str(path), "--best", "--format", "json"])
    assert code in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "retained"
    assert data["overall"] >= BEST_AT_LEAST


# -- the library as a whole -----------------------------------------------------------------


def test_library_size_and_unique_ids() -> None:
    scenarios = _all()
    assert len(scenarios) >= 15
    assert len({s.id for s in scenarios}) == len(scenarios)


def test_every_customer_type_has_four_scenarios() -> None:
    counts = Counter(s.customer.type for s in _all())
    for kind in ("requesting", "confused", "agitated"):
        assert counts[kind] >= 4, f"{kind}: {counts[kind]}"


def test_four_complaint_scenarios() -> None:
    complaints = [s.id for s in _all() if "complaint" in s.tags]
    assert len(complaints) >= 4, complaints
    # At least one complaint comes from a customer who is not agitated (a cold, formal complaint).
    assert any(s.customer.type != "agitated" for s in _all() if "complaint" in s.tags)


def test_every_principle_is_the_focus_of_two_scenarios() -> None:
    counts = Counter(pid for s in _all() for pid in s.focus_principles())
    missing = {pid: counts[pid] for pid in PRINCIPLES if counts[pid] < 2}
    assert not missing, f"principles in focus fewer than twice: {missing}"


def test_every_act_is_used() -> None:
    used = {c.act for s in _all() for step in s.steps.values() for c in step.choices}
    assert set(ACTS) <= used, f"unused acts: {set(ACTS) - used}"


def test_every_difficulty_is_used() -> None:
    assert {s.difficulty for s in _all()} >= {1, 2, 3}
