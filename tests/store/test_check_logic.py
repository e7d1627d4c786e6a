"""coach.check: which scenarios a check plays, and the verdict (pure Python)."""

from coach import check
from coach.engine import Session
from coach.scenario.loader import load_scenario
from coach.store import connect
from coach.store.recorder import Recorder
from coach.store.resume import offers

from .conftest import LIBRARY, STORE_FIXTURES


def library():
    cands, skipped = check.load_library([LIBRARY])
    assert not skipped
    return {c.id: c for c in cands}


def test_new_teller_gets_a_spread_over_the_three_customer_types():
    lib = library()
    chosen = check.select(lib.values(), minutes=5)
    assert [c.type for c in chosen] == ["requesting", "confused", "agitated"]
    assert chosen[0].id == "fund-question"  # easiest first among equals


def test_new_teller_gets_a_spread_over_the_principles_rather_than_only_the_easiest():
    lib = library()
    chosen = check.select(lib.values(), minutes=5)
    covered = {p for c in chosen for p in c.focus}
    easiest = {p for cid in ("fund-question", "fee-confusion", "queue-anger") for p in lib[cid].focus}
    assert len(covered) > len(easiest)


def test_a_scenario_practised_recently_gives_way_to_another_training_the_same_weakness():
    lib = library()
    averages = {p: (95.0, 3) for p in check.PRINCIPLES}
    weak = set(lib["form-help"].focus)
    for p in weak:
        averages[p] = (30.0, 3)
    first = check.select(lib.values(), minutes=1, averages=averages)[0]
    assert first.id == "form-help"
    rivals = [c for c in lib.values() if set(c.focus) & weak and c.id != "form-help"]
    assert rivals, "the fixture library has another scenario training the same principles"
    again = check.select(lib.values(), minutes=1, averages=averages, last_practised={"form-help": "2026-01-02"})[0]
    assert again.id != "form-help"


def test_never_the_same_scenario_twice_and_at_least_one():
    lib = library()
    twice = list(lib.values()) * 3
    chosen = check.select(twice, minutes=120)
    assert sorted(c.id for c in chosen) == sorted(lib)
    assert len(check.select(lib.values(), minutes=1)) == 1
    assert check.select([], minutes=10) == []


def test_weakest_principles_come_first():
    lib = library()
    averages = {p: (95.0, 3) for p in ("understanding", "respect", "proactive", "calm_first", "root_cause",
                                       "options", "expectations", "verbal_nonverbal")}
    averages["preparation"] = (10.0, 3)
    averages["first_impression"] = (20.0, 3)
    chosen = check.select(lib.values(), minutes=3, averages=averages)
    assert chosen[0].id == "form-help"  # trains preparation and first_impression


def test_least_recent_practice_breaks_ties():
    lib = library()
    averages = {p: (50.0, 1) for p in check.PRINCIPLES}
    last = {cid: f"2026-01-0{i + 1}" for i, cid in enumerate(sorted(lib))}
    del last["loan-offer"]  # never played: first among equals
    chosen = check.select(lib.values(), minutes=120, averages=averages, last_practised=last)
    assert chosen[0].id == "loan-offer"
    assert len({c.id for c in chosen}) == len(chosen)


def _card(cand, best=True):
    s = Session(cand.scenario)
    if best:
        s.play_best()
    else:
        while not s.finished:
            step = s.step
            s.choose(min(range(len(step.choices)), key=lambda i: (step.choices[i].total, i)))
    return (cand.id, s.scorecard(), s.finished)


def test_verdict_ready():
    lib = library()
    v = check.verdict([_card(lib["fund-question"]), _card(lib["queue-anger"])], 80, lib.values())
    assert v.ready and v.label == "ready" and v.review == [] and v.overall == 100
    assert v.to_dict()["verdict"] == "ready"
    assert "Verdict: ready" in v.lines("en") and "结论：可以上岗" in v.lines("zh")


def test_verdict_review_names_up_to_three_principles_with_sentences_and_scenarios():
    lib = library()
    v = check.verdict([_card(lib["atm-card"], best=False), _card(lib["fee-confusion"])], 80, lib.values())
    assert not v.ready and 1 <= len(v.review) <= 3
    assert v.label == "review: " + ", ".join(v.review)
    for p in v.review:
        assert v.principles[p] < 80
        assert all(p in lib[s].focus for s in v.suggestions[p])
    text = "\n".join(v.lines("en"))
    assert check.PRINCIPLES[v.review[0]].quote_zh in text


def test_verdict_pass_mark_is_respected_and_empty_check_is_review():
    lib = library()
    cards = [_card(lib["atm-card"], best=False)]
    assert check.verdict(cards, 0, lib.values()).ready
    assert not check.verdict([], 80, lib.values()).ready


def test_resume_refuses_a_changed_scenario(tmp_path):
    src = (STORE_FIXTURES / "long.yaml").read_text()
    path = tmp_path / "long.yaml"
    path.write_text(src)
    loaded = load_scenario(path)
    conn = connect(tmp_path / "h.sqlite3")
    rec = Recorder(conn, "Li")
    a = rec.start(loaded.scenario, loaded.sha256, "practice", "en")
    s = Session(loaded.scenario)
    for _ in range(3):
        rec.answer(a, s.choose(1), 1.0)
    [offer] = offers(conn, rec.teller_id, lambda sid: path)
    assert offer.status == "ok" and offer.session.step_id == "s4"
    assert offer.session.scorecard().to_dict() == s.scorecard().to_dict()
    path.write_text(src.replace("Question 2.", "Question two."))
    [offer] = offers(conn, rec.teller_id, lambda sid: path)
    assert offer.status == "changed" and offer.session is None
    assert "has changed since you started it" in offer.message("en")
    assert "被修改过" in offer.message("zh")
    rec.abandon(a)
    assert offers(conn, rec.teller_id, lambda sid: path) == []
    b = rec.start(loaded.scenario, loaded.sha256, "practice", "en")
    [offer] = offers(conn, rec.teller_id, lambda sid: None)
    assert offer.status == "missing" and offer.attempt.id == b


def test_undo_is_kept_but_not_replayed(tmp_path, loaded_long):
    conn = connect(tmp_path / "h.sqlite3")
    rec = Recorder(conn, "Li")
    a = rec.start(loaded_long.scenario, loaded_long.sha256, "practice", "en")
    s = Session(loaded_long.scenario)
    rec.answer(a, s.choose(2), 1.0)
    rec.answer(a, s.choose(2), 1.0)
    s.undo()
    rec.undo(a)
    rec.answer(a, s.choose(0), 1.0)
    assert rec.choices(a) == [2, 0] == s.choices_made
    assert conn.execute("SELECT count(*) FROM answers WHERE attempt_id = ?", (a,)).fetchone()[0] == 3


def test_daily_checks_draw_from_the_whole_bundled_library_and_still_favour_the_weak_spots():
    """A teller weak in three principles, checked every morning for twelve days: the checks meet at
    least half the library, no scenario comes back more than three times, and the weak principles
    are still trained most."""
    from collections import Counter
    from pathlib import Path

    bundled, skipped = check.load_library([Path(__file__).resolve().parents[2] / "scenarios"])
    assert not skipped and len(bundled) >= 48
    weak = {"calm_first", "expectations", "root_cause"}
    averages = {p: ((60.0 if p in weak else 90.0), 10) for p in check.PRINCIPLES}
    last: dict[str, str] = {}
    seen: Counter = Counter()
    trained: Counter = Counter()
    for day in range(1, 13):
        for c in check.select(bundled, 10, averages, last):
            seen[c.id] += 1
            trained.update(c.focus)
            last[c.id] = f"2026-03-{day:02d}"
    assert len(seen) >= len(bundled) // 2, f"{len(seen)} distinct scenarios in twelve checks"
    assert max(seen.values()) <= 3, seen.most_common(3)
    assert {p for p, _ in trained.most_common(3)} == weak, trained.most_common(5)
