"""Item analysis on the hand-made data set, against figures worked out by hand.

s1 first attempts (ann's second attempt is not a first attempt):
    teller  q1 (choice, points)  q2 (choice, points)  total
    ann     1 → 3                1 → 2                5
    bob     2 → 0                1 → 2                2
    cy      1 → 3                2 → 1                4
    dee     3 → -1               2 → 1                0
q1: mean 5/4 = 1.25; best 3, worst -1 → facility (1.25 + 1) / (3 + 1) = 0.5625.
    rest = q2 points [2, 2, 1, 1]; deviations x: 1.75 -1.25 1.75 -2.25, y: .5 .5 -.5 -.5;
    Sxy = 0.5, Sxx = 12.75, Syy = 1 → r = 0.5 / √12.75 = 0.1400 → discriminates badly.
    Wrong picks: #2 once, #3 once → #2 (the first on a tie).
q2: mean 1.5; best 2, worst 1 (x_min = 0) → facility 1.5 / 2 = 0.75; rest = q1 points → r = 0.1400.
    Wrong picks: #2 twice.
s2: everyone picks #1 at `easy` (2 of 2) → facility 1.0, too easy, no discrimination (no variance);
    everyone picks #2 (0 points) at `hard` whose best is worth 3 → facility 0, too hard.
"""

from __future__ import annotations

from math import sqrt

import pytest

from coach.reports.items import first_attempts, item_analysis, pearson
from coach.scenario.model import Scenario


def s2_scenario() -> Scenario:
    def choice(text, pts, nxt):
        return {"text": text, "act": "explain", "scores": {"options": pts} if pts else {}, "feedback": "f", "next": nxt}
    return Scenario.model_validate({
        "id": "s2", "title": "S2", "languages": ["en"], "customer": {"name": "n", "type": "confused"},
        "start": "easy",
        "steps": {
            "easy": {"phase": "explanation", "choices": [choice("Plain words", 2, "hard"), choice("Jargon", 0, "hard")]},
            "hard": {"phase": "follow_up", "choices": [choice("Follow up", 3, "end"), choice("Close", 0, "end")]},
            "end": {"ending": "retained"},
        },
    })


def by_step(rows):
    return {(r["scenario"], r["step"]): r for r in rows}


def test_first_attempts_keeps_each_tellers_earliest(small):
    firsts = first_attempts(small)
    assert len(firsts) == 7
    assert not any(a["teller"] == "ann" and a["scenario"] == "s1" and a["attempt"] == 3 for a in firsts)


def test_pearson_by_hand():
    assert pearson([3, 0, 3, -1], [2, 2, 1, 1]) == pytest.approx(0.5 / sqrt(12.75))
    assert pearson([1, 1], [0, 5]) is None
    assert pearson([1], [1]) is None


def test_item_analysis_matches_the_hand_computation(small):
    rows = item_analysis(small, scenario_for=lambda sid, sha: s2_scenario() if sid == "s2" else None)
    items = by_step(rows)
    assert list(items) == [("s1", "q1"), ("s1", "q2"), ("s2", "easy"), ("s2", "hard")]

    q1 = items[("s1", "q1")]
    assert q1["attempts"] == 4
    assert q1["mean"] == pytest.approx(1.25)
    assert (q1["max"], q1["min"]) == (3, -1)
    assert q1["facility"] == pytest.approx(0.5625, abs=1e-3)
    assert q1["discrimination"] == pytest.approx(0.5 / sqrt(12.75), abs=1e-3)
    assert q1["flags"] == ["poor_discrimination"]
    assert [c["count"] for c in q1["choices"]] == [2, 1, 1]
    assert [c["best"] for c in q1["choices"]] == [True, False, False]
    assert q1["most_picked_wrong"]["choice"] == 2 and q1["most_picked_wrong"]["count"] == 1
    assert q1["estimated"] is True  # no file for s1: best and worst from the choices seen

    q2 = items[("s1", "q2")]
    assert q2["facility"] == pytest.approx(0.75)
    assert q2["discrimination"] == pytest.approx(0.5 / sqrt(12.75), abs=1e-3)
    assert q2["most_picked_wrong"]["choice"] == 2 and q2["most_picked_wrong"]["count"] == 2
    assert [c["share"] for c in q2["choices"]] == [0.5, 0.5]

    easy = items[("s2", "easy")]
    assert easy["facility"] == 1.0 and easy["discrimination"] is None
    assert easy["flags"] == ["too_easy"] and easy["most_picked_wrong"] is None
    assert easy["estimated"] is False and easy["phase"] == "explanation"

    hard = items[("s2", "hard")]
    assert hard["facility"] == 0.0 and hard["flags"] == ["too_hard"]
    assert hard["most_picked_wrong"] == {"choice": 2, "text": "Close", "count": 3, "share": 1.0, "points": 0, "best": False}
    assert hard["choices"][0]["count"] == 0 and hard["choices"][0]["text"] == "Follow up"


def test_without_the_file_an_unseen_best_choice_leaves_facility_unknown(small):
    hard = by_step(item_analysis(small))[("s2", "hard")]
    assert hard["facility"] is None and hard["estimated"]


def test_a_file_of_another_version_is_not_used(small):
    calls = []

    def finder(sid, sha):
        calls.append((sid, sha))
        return None

    item_analysis(small, scenario_for=finder)
    assert ("s1", "aaa") in calls and ("s2", "bbb") in calls


def test_all_attempts_includes_second_tries(small):
    q1 = by_step(item_analysis(small, first_only=False))[("s1", "q1")]
    # scores [3, 0, 3, -1, 0]: mean 1.0 → facility (1 + 1) / 4
    assert q1["attempts"] == 5
    assert q1["facility"] == pytest.approx(0.5)


def test_versions_are_analysed_apart(small):
    extra = dict(small[1], teller="eve", sha256="ccc", key="x", attempt=9)
    rows = item_analysis(small + [extra])
    versions = {(r["scenario"], r["version"]) for r in rows if r["scenario"] == "s1"}
    assert versions == {("s1", "aaa"[:8]), ("s1", "ccc")}
