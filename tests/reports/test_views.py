"""The per-teller, per-principle and per-scenario views on the hand-made data set."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.reports.views import principle_view, scenario_view, slope, teller_view


def test_slope():
    assert slope([100, 50, 40]) == pytest.approx(-30.0)
    assert slope([40, 40]) == 0
    assert slope([10]) is None


def _slope_by_the_definition(values):
    from statistics import fmean

    n = len(values)
    mx, my = (n - 1) / 2, fmean(values)
    return round(sum((i - mx) * (v - my) for i, v in enumerate(values)) / sum((i - mx) ** 2 for i in range(n)), 2)


@given(st.lists(st.integers(0, 100), min_size=2, max_size=400))
@settings(max_examples=300, deadline=None)
def test_slope_is_exactly_the_least_squares_sums_written_out(values):
    from statistics import fmean

    assert slope(values) == _slope_by_the_definition(values)
    assert slope(values, fmean(values)) == _slope_by_the_definition(values)


def test_teller_view(small):
    rows = {r["teller"]: r for r in teller_view(small)}
    assert list(rows) == ["ann", "bob", "cy", "dee"]
    ann = rows["ann"]
    assert ann["attempts"] == 3 and ann["scenarios"] == 2
    assert ann["trend"] == [100, 50, 40]
    assert ann["average"] == pytest.approx(63.3)
    assert (ann["best"], ann["last"], ann["passed"]) == (100, 40, 1)
    assert ann["trend_slope"] == pytest.approx(-30.0)
    assert [w["principle"] for w in ann["weakest"]] == ["options", "understanding", "respect"]
    assert [w["average"] for w in ann["weakest"]] == [40, 65, 75]
    # a tie is broken by the article's order of principles: respect comes before options
    assert [w["principle"] for w in rows["bob"]["weakest"]] == ["respect", "options", "understanding"]
    # 80 is the pass mark: cy's respect (80) is not weak
    assert [w["principle"] for w in rows["cy"]["weakest"]] == ["options", "understanding"]
    assert rows["dee"]["trend_slope"] is None


def test_principle_view(small):
    rows = principle_view(small)
    assert [r["principle"] for r in rows] == ["understanding", "respect", "options"]
    u, r, o = rows
    assert (u["average"], u["attempts"], u["tellers"], u["tellers_below"]) == (56.0, 5, 4, 4)
    assert (u["lowest_teller"], u["lowest_average"]) == ("dee", 20)
    assert (r["average"], r["tellers_below"], r["lowest_teller"]) == (54.0, 3, "dee")
    assert (o["average"], o["attempts"], o["tellers"], o["lowest_teller"]) == (40.0, 3, 3, "ann")


def test_scenario_view(small):
    rows = {r["scenario"]: r for r in scenario_view(small)}
    s1 = rows["s1"]
    assert (s1["attempts"], s1["tellers"], s1["average"], s1["passed"]) == (5, 4, 56.0, 2)
    assert s1["outcomes"] == {"retained": 2, "at_risk": 2, "lost": 1}
    assert rows["s2"]["outcomes"] == {"retained": 0, "at_risk": 3, "lost": 0}
    assert rows["s2"]["average"] == 40.0


def test_empty_views():
    assert teller_view([]) == [] and principle_view([]) == [] and scenario_view([]) == []
