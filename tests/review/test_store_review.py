"""Review cards through the store: a miss becomes a card, FSRS moves its dates, a lapse comes back
sooner, a changed step retires it, and an existing v2 history migrates."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler

from coach import review as deck
from coach.engine import Session
from coach.store import db as dbmod
from coach.store import review as cards
from coach.store.db import SCHEMA_VERSION, connect
from coach.store.recorder import Recorder

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def miss_calm(conn, atm, name="Li"):
    """Play atm-card: best at 'prepare', the worst at 'calm' (a miss), stop there."""
    rec = Recorder(conn, name)
    attempt = rec.start(atm.scenario, atm.sha256, "practice", "en")
    session = Session(atm.scenario)
    rec.answer(attempt, session.choose(0), 3.0)
    rec.answer(attempt, session.choose(1), 4.0)
    return rec


def expected(ratings_at: list[tuple[Rating, datetime]], start: datetime) -> Card:
    """What FSRS itself says, with the scheduler coach uses (defaults, no fuzz)."""
    scheduler = Scheduler(enable_fuzzing=False)
    card = Card(card_id=0, due=start)
    for rating, at in ratings_at:
        card, _ = scheduler.review_card(card, rating, review_datetime=at)
    return card


def test_a_missed_decision_becomes_a_card_due_now_and_a_best_one_does_not(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    [card] = cards.due(conn, rec.teller_id)
    assert (card.scenario_id, card.step, card.choice) == ("atm-card", "calm", 1)
    assert (card.prev_step, card.prev_choice) == ("prepare", 0)  # the exchange before, for context
    assert {"calm_first", "respect"} <= set(card.principles)


def test_a_half_right_answer_is_a_miss_too():
    from coach.engine import Turn

    half = Turn("s", "calming", 1, "soothe", {"respect": 1}, {"respect": 2}, 0, 2, 50, 40, "n")
    assert cards.is_miss(half)
    assert cards.rating_for(1, 2, False, 3.0) == cards.HARD


def test_ratings_follow_the_answer():
    assert cards.rating_for(-2, 3, False, 1.0) == cards.AGAIN
    assert cards.rating_for(3, 3, True, 1.0) == cards.AGAIN  # critical, whatever its points
    assert cards.rating_for(3, 3, False, 30.0) == cards.GOOD
    assert cards.rating_for(3, 3, False, 5.0) == cards.EASY  # best and quick


def test_dates_move_as_fsrs_says(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    [card] = cards.due(conn, rec.teller_id)
    conn.execute("UPDATE review_cards SET card = ?, due = ? WHERE id = ?",
                 (Card(card_id=0, due=T0).to_json(), cards.iso(T0), card.id))
    plan = [(Rating.Good, T0), (Rating.Good, T0 + timedelta(minutes=15)), (Rating.Good, T0 + timedelta(days=3))]
    for i, (rating, at) in enumerate(plan, 1):
        after = cards.review(conn, card.id, int(rating), at=at)
        want = expected(plan[:i], T0)
        assert after.due == cards.iso(want.due)
        assert after.stability == want.stability
    assert datetime.fromisoformat(after.due) - plan[-1][1] > timedelta(days=3)  # spaced out


def test_a_lapse_comes_back_sooner(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    rec2 = miss_calm(conn, atm, "Wang")
    learnt = [(Rating.Good, T0), (Rating.Good, T0 + timedelta(minutes=15))]
    ids = []
    for r in (rec, rec2):
        [card] = cards.due(conn, r.teller_id)
        conn.execute("UPDATE review_cards SET card = ? WHERE id = ?", (Card(card_id=0, due=T0).to_json(), card.id))
        for rating, at in learnt:
            cards.review(conn, card.id, int(rating), at=at)
        ids.append(card.id)
    later = datetime.fromisoformat(cards.get(conn, ids[0]).due)
    lapsed = cards.review(conn, ids[0], cards.AGAIN, at=later)
    kept = cards.review(conn, ids[1], cards.GOOD, at=later)
    assert lapsed.due < kept.due
    assert lapsed.due == cards.iso(expected(learnt + [(Rating.Again, later)], T0).due)
    assert lapsed.lapses == 1 and kept.lapses == 0
    assert lapsed.stability < kept.stability


def test_reviews_are_logged(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    [card] = cards.due(conn, rec.teller_id)
    cards.review(conn, card.id, cards.HARD, how="typed", at=T0)
    assert conn.execute("SELECT rating, how FROM review_log").fetchall() == [(2, "typed")]


def test_a_changed_step_retires_its_card_and_an_unchanged_one_stays(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    same = deck.build(conn, rec.teller_id, [(atm.scenario, "another-sha")])
    assert [i.card.step for i in same.items] == ["calm"]  # only other steps changed
    steps = dict(atm.scenario.steps)
    steps["calm"] = steps["calm"].model_copy(update={"customer": {"zh": "又吞卡了!", "en": "Again?!"}})
    changed = atm.scenario.model_copy(update={"steps": steps})
    built = deck.build(conn, rec.teller_id, [(changed, "another-sha")])
    assert built.items == [] and len(built.retired) == 1
    assert cards.due(conn, rec.teller_id) == []


def test_a_removed_scenario_retires_its_cards(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    assert deck.build(conn, rec.teller_id, []).retired


def test_a_retired_step_missed_again_comes_back(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    [card] = cards.due(conn, rec.teller_id)
    cards.retire(conn, card.id)
    miss_calm(conn, atm)
    assert [c.id for c in cards.due(conn, rec.teller_id)] == [card.id]


def test_due_tomorrow_counts_cards_due_by_the_end_of_tomorrow(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    assert cards.count_due_tomorrow(conn, rec.teller_id) == 1
    [card] = cards.due(conn, rec.teller_id)
    conn.execute("UPDATE review_cards SET due = ? WHERE id = ?",
                 (cards.iso(datetime.now(timezone.utc) + timedelta(days=5)), card.id))
    assert cards.count_due_tomorrow(conn, rec.teller_id) == 0


def _v2_database(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for script in dbmod.MIGRATIONS[:2]:
        for s in dbmod._statements(script):
            conn.execute(s)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO tellers (id, name, created) VALUES (1, 'Li', '2026-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO attempts (id, teller_id, scenario_id, scenario_sha256, mode, lang, started, status)"
                 " VALUES (1, 1, 'atm-card', 'x', 'practice', 'en', '2026-01-01T00:00:00+00:00', 'open')")
    conn.execute("INSERT INTO answers (attempt_id, seq, step, choice, act, points, mood_before, mood_after, at)"
                 " VALUES (1, 1, 'prepare', 0, 'prepare', '{}', 85, 80, '2026-01-01T00:00:01+00:00')")
    conn.close()


def test_an_existing_v2_history_migrates_and_keeps_everything(db_path, atm):
    _v2_database(db_path)
    conn = connect(db_path)
    assert dbmod.schema_version(conn) == SCHEMA_VERSION
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"review_cards", "review_log", "replies"} <= names
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 1
    assert conn.execute("SELECT name FROM tellers").fetchall() == [("Li",)]
    rec = miss_calm(conn, atm)
    assert len(cards.due(conn, rec.teller_id)) == 1


def test_the_review_migration_is_pure_additions():
    """So it can be renumbered when merged with another branch's migration."""
    statements = dbmod._statements(dbmod.REVIEW)
    assert all(s.split()[0:2] in (["CREATE", "TABLE"], ["CREATE", "INDEX"]) for s in statements)


def test_replies_are_stored_and_listed_per_step(db_path, atm):
    conn = connect(db_path)
    rec = miss_calm(conn, atm)
    cards.save_reply(conn, rec.teller_id, "atm-card", "calm", "en", "Have a seat.", {"has": []}, 3, attempt_id=1)
    [row] = cards.replies(conn)
    assert (row["teller"], row["step"], row["text"], row["rating"]) == ("Li", "calm", "Have a seat.", "good")
