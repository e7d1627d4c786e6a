"""The engine: a Session walks the graph, the article's rules apply, the Scorecard adds up."""

import pytest

from coach.engine import Session, SessionOver

# 0-based choices in tests/fixtures/engine/order.yaml
PREP, SKIP = 0, 1
SOOTHE_FIRST, EXPLAIN_FIRST, DEFLECT = 0, 1, 2
EXPLAIN_SECOND, SOOTHE_SECOND = 0, 1
FOLLOW_UP, CLOSE = 0, 1


def card_for(scenario, *choices):
    return Session.replay(scenario, choices).scorecard()


def test_best_path_scores_full_marks_and_is_retained(order_scenario):
    session = Session(order_scenario)
    session.play_best()
    card = session.scorecard()
    assert card.overall == 100
    assert card.outcome == "retained"
    assert card.principles["calm_first"].score == 100
    assert card.principles["type_fit"].score == 100


def test_same_choices_give_the_same_scorecard(order_scenario):
    picks = (SKIP, EXPLAIN_FIRST, SOOTHE_SECOND, CLOSE)
    assert card_for(order_scenario, *picks).to_dict() == card_for(order_scenario, *picks).to_dict()


def test_explaining_before_soothing_costs_calm_first(order_scenario):
    right = card_for(order_scenario, PREP, SOOTHE_FIRST, EXPLAIN_SECOND, FOLLOW_UP)
    wrong = card_for(order_scenario, PREP, EXPLAIN_FIRST, SOOTHE_SECOND, FOLLOW_UP)
    assert wrong.principles["calm_first"].score < right.principles["calm_first"].score
    assert wrong.overall < right.overall
    assert any(ev.rule == "soothe_first" and not ev.kept for ev in wrong.rules)


def test_explaining_to_an_upset_customer_raises_the_mood(order_scenario):
    session = Session.replay(order_scenario, [PREP])
    turn = session.choose(EXPLAIN_FIRST)
    assert turn.mood_after == turn.mood_before + 10


def test_a_complaint_ending_without_follow_up_loses_root_cause_and_proactive(order_scenario):
    followed = card_for(order_scenario, PREP, SOOTHE_FIRST, EXPLAIN_SECOND, FOLLOW_UP)
    stopped = card_for(order_scenario, PREP, SOOTHE_FIRST, EXPLAIN_SECOND, CLOSE)
    assert stopped.principles["root_cause"].score == 0
    assert stopped.principles["proactive"].score < followed.principles["proactive"].score
    assert any(ev.rule == "follow_through" and not ev.kept for ev in stopped.rules)


def test_a_deflection_costs_options_and_respect_and_raises_the_mood(order_scenario):
    session = Session.replay(order_scenario, [PREP])
    turn = session.choose(DEFLECT)
    assert turn.mood_after == turn.mood_before + 10
    session.choose(EXPLAIN_SECOND)
    session.choose(FOLLOW_UP)
    card = session.scorecard()
    assert card.principles["options"].score == 0
    assert card.principles["respect"].earned < 0


def test_an_agitated_customer_met_first_with_an_explanation_breaks_type_fit(order_scenario):
    served = card_for(order_scenario, PREP, SOOTHE_FIRST, EXPLAIN_SECOND, FOLLOW_UP)
    missed = card_for(order_scenario, PREP, EXPLAIN_FIRST, SOOTHE_SECOND, FOLLOW_UP)
    assert served.principles["type_fit"].score == 100
    assert missed.principles["type_fit"].score == 0


def test_points_are_scored_against_the_best_possible_at_each_step(order_scenario):
    card = card_for(order_scenario, SKIP, SOOTHE_FIRST, EXPLAIN_SECOND, FOLLOW_UP)
    prep = card.principles["preparation"]
    assert (prep.earned, prep.possible, prep.score) == (-1, 2, 0)
    assert card.phases["preparation"].score == 0
    assert card.phases["calming"].score == 100


def test_mood_trail_starts_with_the_customers_mood_and_records_each_move(order_scenario):
    card = card_for(order_scenario, PREP, SOOTHE_FIRST, SOOTHE_SECOND, FOLLOW_UP)
    assert card.mood == [80, 80, 60, 40, 40]


def test_mood_never_leaves_zero_to_one_hundred(order_scenario):
    session = Session.replay(order_scenario, [PREP, SOOTHE_FIRST, SOOTHE_SECOND])
    session.mood = 5
    turn = session.choose(FOLLOW_UP)
    assert 0 <= turn.mood_after <= 100
    calm = Session.replay(order_scenario, [PREP, SOOTHE_FIRST])
    assert calm.choose(SOOTHE_SECOND).mood_after >= 0


def test_undo_returns_to_the_state_before_the_last_choice(order_scenario):
    session = Session.replay(order_scenario, [PREP, EXPLAIN_FIRST])
    undone = session.undo()
    assert undone.index == EXPLAIN_FIRST
    assert session.step_id == "first"
    assert session.mood == 80
    session.choose(SOOTHE_FIRST)
    session.choose(EXPLAIN_SECOND)
    session.choose(FOLLOW_UP)
    assert session.scorecard().to_dict() == card_for(
        order_scenario, PREP, SOOTHE_FIRST, EXPLAIN_SECOND, FOLLOW_UP).to_dict()


def test_undo_at_the_start_does_nothing(order_scenario):
    session = Session(order_scenario)
    assert session.undo() is None
    assert session.step_id == "prepare"


def test_choosing_after_the_ending_is_refused(order_scenario):
    session = Session(order_scenario)
    session.play_best()
    with pytest.raises(SessionOver):
        session.choose(0)


def test_choosing_a_missing_choice_is_refused(order_scenario):
    with pytest.raises(IndexError):
        Session(order_scenario).choose(7)


def test_scorecard_json_has_the_documented_keys(order_scenario):
    data = card_for(order_scenario, PREP, SOOTHE_FIRST, EXPLAIN_SECOND, FOLLOW_UP).to_dict()
    assert {"scenario", "overall", "principles", "phases", "outcome", "mood", "rules", "narrative"} <= set(data)
    assert data["narrative"], "a retained outcome is told with the article's figures"
    assert any("98%" in line for line in data["narrative"])
