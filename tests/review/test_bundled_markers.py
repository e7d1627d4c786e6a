"""The bundled library's markers: at least 8 scenarios have them at every decision, in both
languages; the matcher finds a good marker in every best choice and none in the worst."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.scenario.loader import load_scenario
from coach.scenario.markers import check_reply
from coach.scenario.model import localize

LIBRARY = Path(__file__).parent.parent.parent / "scenarios"
SCENARIOS = [load_scenario(p).scenario for p in sorted(LIBRARY.glob("*.yaml"))]
MARKED = [s for s in SCENARIOS if any(st.markers for st in s.steps.values())]


def test_at_least_eight_scenarios_have_markers_at_every_decision():
    assert len(MARKED) >= 8
    for s in MARKED:
        assert all(st.markers for st in s.steps.values() if not st.is_ending), s.id


def test_every_marker_has_both_languages():
    for s in MARKED:
        for st in s.steps.values():
            for m in st.markers:
                assert set(m.phrases) == {"zh", "en"}, (s.id, m)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_best_choice_has_a_good_marker_and_no_hurting_one(lang):
    for s in MARKED:
        for sid, st in s.steps.items():
            if not st.markers:
                continue
            top = max(c.total for c in st.choices)
            for c in st.choices:
                if c.total == top:
                    found = check_reply(st, localize(c.text, lang), lang)
                    assert found.has and not found.hurts, (s.id, sid, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_worst_choice_has_no_good_marker(lang):
    for s in MARKED:
        for sid, st in s.steps.items():
            if not st.markers:
                continue
            low = min(c.total for c in st.choices)
            for c in st.choices:
                if c.total == low:
                    assert not check_reply(st, localize(c.text, lang), lang).has, (s.id, sid, lang)
