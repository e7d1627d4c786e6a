"""`coach review` for scripts: --list and --auto in JSON, and every bad input as a message and an
exit code (never a traceback)."""

from __future__ import annotations

import json
from datetime import datetime

from fsrs import Card, Rating, Scheduler

from coach.cli import main
from coach.store import connect
from coach.store import review as cards
from tests.review.conftest import LIBRARY


def check_worst(db, capsys):
    code = main(["check", "--teller", "Li", "--db", str(db), "--dir", str(LIBRARY), "--auto", "worst",
                 "--scenarios", "atm-card", "--format", "json"])
    assert code == 3
    capsys.readouterr()


def review(db, capsys, *args):
    code = main(["review", "--db", str(db), "--dir", str(LIBRARY), "--lang", "en", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_shows_the_due_items_of_a_check_in_json(db_path, capsys):
    check_worst(db_path, capsys)
    code, out, _ = review(db_path, capsys, "--teller", "Li", "--list", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["teller"] == "Li"
    steps = [(d["scenario"], d["step"]) for d in data["due"]]
    assert steps == [("atm-card", "prepare"), ("atm-card", "calm")]  # the worst path: two misses, then lost
    assert all(d["stability"] is None and d["state"] == "learning" and d["due"] for d in data["due"])


def test_auto_best_answers_every_due_item_and_fsrs_schedules_it(db_path, capsys):
    check_worst(db_path, capsys)
    code, out, _ = review(db_path, capsys, "--teller", "Li", "--auto", "best", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [d["rating"] for d in data["reviewed"]] == ["good", "good"]
    first = data["reviewed"][0]
    conn = connect(db_path)
    log_at = conn.execute("SELECT at FROM review_log WHERE card_id = ?", (first["card"],)).fetchone()[0]
    want, _ = Scheduler(enable_fuzzing=False).review_card(Card(card_id=0), Rating.Good,
                                                          review_datetime=datetime.fromisoformat(log_at))
    assert first["due"] == cards.iso(want.due) and first["stability"] == want.stability
    assert data["due_tomorrow"] == 2  # back in ten minutes: still today
    code, out, _ = review(db_path, capsys, "--teller", "Li", "--list", "--format", "json")
    assert json.loads(out)["due"] == []  # not due again yet


def test_auto_worst_rates_again(db_path, capsys):
    check_worst(db_path, capsys)
    code, out, _ = review(db_path, capsys, "--teller", "Li", "--auto", "worst", "--format", "json")
    assert code == 0 and {d["rating"] for d in json.loads(out)["reviewed"]} == {"again"}


def test_the_only_teller_is_taken_without_teller(db_path, capsys):
    check_worst(db_path, capsys)
    code, out, _ = review(db_path, capsys, "--list")
    assert code == 0 and "atm-card @ calm" in out and "Due by tomorrow: 2" in out


def test_an_unknown_teller_is_a_message_and_exit_2(db_path, capsys):
    check_worst(db_path, capsys)
    code, _, err = review(db_path, capsys, "--teller", "Bob", "--list")
    assert code == 2 and "no teller named 'Bob'" in err and "Li" in err


def test_no_teller_in_a_fresh_history_is_a_message(db_path, capsys):
    code, _, err = review(db_path, capsys, "--list")
    assert code == 2 and "--teller" in err


def test_a_bad_teller_name_is_a_message(db_path, capsys):
    code, _, err = review(db_path, capsys, "--teller", " ", "--list")
    assert code == 2 and "--teller" in err


def test_list_and_auto_together_are_refused(db_path, capsys):
    try:
        main(["review", "--db", str(db_path), "--list", "--auto", "best"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "not allowed" in capsys.readouterr().err


def test_a_damaged_history_is_a_message_and_exit_1(tmp_path, capsys):
    bad = tmp_path / "h.sqlite3"
    bad.write_bytes(b"not a database at all" * 10)
    code, _, err = review(bad, capsys, "--teller", "Li", "--list")
    assert code == 1 and "not a SQLite database" in err and "Traceback" not in err
    assert bad.read_bytes() == b"not a database at all" * 10


def test_a_missing_dir_is_a_message(db_path, capsys):
    code = main(["review", "--db", str(db_path), "--dir", str(db_path.parent / "nope"), "--list"])
    assert code == 2 and "not a folder" in capsys.readouterr().err


def test_interactive_without_a_terminal_is_a_message(db_path, capsys):
    check_worst(db_path, capsys)
    code, _, err = review(db_path, capsys, "--teller", "Li")
    assert code == 2 and "needs a terminal" in err


def test_a_changed_scenario_retires_items_when_listing(db_path, capsys, tmp_path):
    check_worst(db_path, capsys)
    changed = tmp_path / "lib"
    changed.mkdir()
    text = (LIBRARY / "atm-card.yaml").read_text(encoding="utf-8")
    (changed / "atm-card.yaml").write_text(text.replace("我的卡怎么又被吞了", "卡又被吞了"), encoding="utf-8")
    code = main(["review", "--db", str(db_path), "--dir", str(changed), "--teller", "Li", "--list", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and [d["step"] for d in data["due"]] == ["prepare"] and len(data["retired"]) == 1


def test_report_lists_typed_replies_per_step(db_path, capsys, atm):
    from coach.scenario.markers import check_reply

    check_worst(db_path, capsys)
    conn = connect(db_path)
    tid = conn.execute("SELECT id FROM tellers WHERE name = 'Li'").fetchone()[0]
    step = atm.scenario.steps["calm"]
    reply = "Please have a seat, I'll see to it."
    cards.save_reply(conn, tid, "atm-card", "calm", "en", reply, check_reply(step, reply, "en").to_dict(), 3)
    conn.close()
    assert main(["report", str(db_path), "--replies", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["replies"]
    assert (row["teller"], row["scenario"], row["step"], row["text"], row["rating"]) == (
        "Li", "atm-card", "calm", reply, "good")
    assert main(["report", str(db_path), "--replies"]) == 0
    out = capsys.readouterr().out
    assert "atm-card @ calm" in out and reply in out


def test_report_replies_on_a_broken_file_is_a_message(tmp_path, capsys):
    bad = tmp_path / "x.sqlite3"
    bad.write_bytes(b"garbage" * 20)
    assert main(["report", str(bad), "--replies"]) == 1
    assert "not a SQLite database" in capsys.readouterr().err


def test_a_check_in_review_names_the_due_moments_of_its_weakest_principles(db_path, capsys):
    code = main(["check", "--teller", "Li", "--db", str(db_path), "--dir", str(LIBRARY), "--auto", "worst",
                 "--scenarios", "atm-card", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 3 and data["review_items"]
    weak = {r["principle"] for r in data["review"]}
    assert all(weak & set(item["principles"]) for item in data["review_items"])
    code = main(["check", "--teller", "Li", "--db", str(db_path), "--dir", str(LIBRARY), "--auto", "best",
                 "--scenarios", "atm-card", "--format", "json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["review_items"] == []
