"""The Recorder (CLI) and the Outbox (terminal UI) store the same rows for the same session.

Both write through coach/store/writes.py; these tests play one day of practice through each into
a fresh history and compare every table, so a write that drifts in either (a column, a status, a
review card, a check's numbers) fails here. Only what must differ is left out: global uids and
times (kept as "set" or "not set")."""

from __future__ import annotations

import json
import sqlite3
import threading

from coach import check
from coach.engine import Session
from coach.scenario.loader import load_scenario
from coach.store.db import connect
from coach.store.recorder import Recorder
from coach.store.write_queue import Outbox

from .conftest import LIBRARY

#: Columns holding a time: they differ between two runs, so only whether one is set is compared.
TIMES = {"created", "started", "ended", "at", "undone", "due", "tried", "ok", "retired"}
#: Random global ids (the central store's keys): each must be set and unique, never compared.
UIDS = {"uid"}


def _load(name: str):
    result = load_scenario(LIBRARY / name)
    assert result.scenario is not None
    return result


def play_a_day(open_writer, path) -> None:
    """Everything a teller's day stores, through whichever writer `open_writer(path)` makes.

    A writer is closed and a new one opened where coach restarts (a resumed attempt)."""
    atm, queue = _load("atm-card.yaml"), _load("queue-anger.yaml")
    w = open_writer(path)

    # practice: a miss (a review card), taken back, a best answer, another miss, to the end
    aid = w.start(atm.scenario, atm.sha256, "practice", "en")
    session = Session(atm.scenario)
    w.answer(aid, session.choose(1), 2.0)  # deflect at 'prepare': a miss
    w.undo(aid)
    session.undo()
    w.answer(aid, session.choose(0), 3.5)
    w.answer(aid, session.choose(0), None)
    w.answer(aid, session.choose(1), 30.0)  # 'explain': a miss
    while not session.finished:
        w.answer(aid, session.choose(0), 1.0)
    w.finish(aid, session.scorecard())

    # started and abandoned (the teller chose not to resume)
    w.abandon(w.start(queue.scenario, queue.sha256, "assessment", "zh"))

    # no ending reached: finish() stores it stopped, with its partial scorecard
    short = w.start(atm.scenario, atm.sha256, "assessment", "en")
    partial = Session(atm.scenario)
    w.answer(short, partial.choose(0), 4.0)
    w.finish(short, partial.scorecard())

    # a check with a verdict: its attempts carry its id, their misses become cards
    check_id = w.start_check(10, 80)
    cards = []
    for loaded in (atm, queue):
        attempt = w.start(loaded.scenario, loaded.sha256, "assessment", "en")
        played = Session(loaded.scenario)
        while not played.finished:
            w.answer(attempt, played.choose(len(played.turns) % 2), 5.0)
        card = played.scorecard()
        card.pass_mark = 80
        w.finish(attempt, card)
        cards.append((loaded.scenario.id, card, True))
    w.finish_check(check_id, check.verdict(cards, 80, [check.Candidate(atm.scenario, atm.path, atm.sha256)]))

    # a check the teller ended early: no verdict; one attempt stopped (as `coach check --answers`
    # stops a short answer list), the one in play abandoned
    early = w.start_check(5, 90)
    attempt = w.start(atm.scenario, atm.sha256, "assessment", "en")
    cut = Session(atm.scenario)
    w.answer(attempt, cut.choose(0), 3.0)
    w.stop(attempt, cut.scorecard())
    attempt = w.start(queue.scenario, queue.sha256, "assessment", "en")
    w.answer(attempt, Session(queue.scenario).choose(1), 2.0)
    w.abandon(attempt)
    w.abandon_check(early)

    # a check that never got its verdict (the terminal closed), and an attempt left open
    w.start_check(10, 80)
    w.check_id = None  # coach restarts: later practice belongs to no check
    resumed = w.start(atm.scenario, atm.sha256, "practice", "en")
    again = Session(atm.scenario)
    w.answer(resumed, again.choose(0), 1.5)
    close(w)

    # the next start: open checks are closed, the open attempt resumed (its answers read back)
    w = open_writer(path)
    w.close_open_checks()
    [(resumed,)] = _read(path, "SELECT id FROM attempts WHERE status = 'open'")  # as the resume offer finds it
    assert w.choices(resumed) == [0]
    w.answer(resumed, again.choose(0), 2.5)
    w.answer(resumed, again.choose(0), 2.5)
    w.answer(resumed, again.choose(1), 9.0)  # 'follow': a miss, in an attempt this run never saw start
    w.undo(resumed)
    again.undo()
    w.answer(resumed, again.choose(0), 3.0)
    assert again.finished
    w.finish(resumed, again.scorecard())
    close(w)


def _read(path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def close(w) -> None:
    if isinstance(w, Outbox):
        assert w.close() == 0, w.problem  # everything written
    else:
        w.conn.close()


def recorder(path):
    return Recorder(connect(path), "Li")


def outbox(path):
    connect(path).close()  # as `coach run` does: the history exists (migrated) before the Outbox opens it
    return Outbox(path, "Li", retry_seconds=0.05)


def snapshot(path) -> dict[str, list[tuple]]:
    """Every table's rows, in order, with times reduced to set/not set and uids left out."""
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    out = {}
    for table in tables:
        cur = conn.execute(f"SELECT * FROM {table}")
        cols = [d[0] for d in cur.description]
        order = ", ".join(str(i + 1) for i in range(len(cols)))
        rows = conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        out[table] = [tuple(_plain(table, col, v) for col, v in zip(cols, row) if col not in UIDS) for row in rows]
        for col in UIDS & set(cols):  # a global id is set and unique, whichever writer gave it
            uids = [r[0] for r in conn.execute(f"SELECT {col} FROM {table}")]
            assert all(uids) and len(set(uids)) == len(uids), (table, uids)
    conn.close()
    return out


def _plain(table: str, col: str, value):
    if col in TIMES:
        return value is not None
    if table == "review_cards" and col == "card":  # FSRS state: its due date is a time too
        state = json.loads(value)
        return sorted((k, v) for k, v in state.items() if k not in ("due", "last_review"))
    return value


def test_the_recorder_and_the_outbox_store_the_same_rows_for_the_same_day(tmp_path):
    play_a_day(recorder, tmp_path / "recorder.sqlite3")
    play_a_day(outbox, tmp_path / "outbox.sqlite3")
    by_recorder, by_outbox = snapshot(tmp_path / "recorder.sqlite3"), snapshot(tmp_path / "outbox.sqlite3")
    for table in by_recorder:
        assert by_outbox[table] == by_recorder[table], table
    assert by_outbox.keys() == by_recorder.keys()


def test_the_day_played_covers_every_kind_of_write(tmp_path):
    """The comparison above means something only if the day stores each kind of row."""
    play_a_day(recorder, tmp_path / "h.sqlite3")
    conn = sqlite3.connect(tmp_path / "h.sqlite3")
    statuses = sorted(r[0] for r in conn.execute("SELECT status FROM attempts"))
    assert statuses == ["abandoned"] * 4 + ["finished"] * 4
    assert conn.execute("SELECT count(*) FROM attempts WHERE status = 'abandoned' AND scorecard IS NOT NULL"
                        ).fetchone()[0] == 2  # the stopped ones
    assert conn.execute("SELECT count(*) FROM answers WHERE undone IS NOT NULL").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM attempt_principles").fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM attempts WHERE check_id IS NOT NULL").fetchone()[0] == 4
    checks = conn.execute("SELECT verdict IS NOT NULL, numbers, ended IS NOT NULL FROM checks ORDER BY id").fetchall()
    assert [(has, json.loads(n) if n else None, ended) for has, n, ended in checks][1:] == [
        (0, {"abandoned": True}, 1), (0, None, 1)]
    assert checks[0][0] == 1
    steps = {(s, prev) for s, prev in conn.execute("SELECT step, prev_step FROM review_cards")}
    assert ("prepare", None) in steps and ("explain", "calm") in steps
    # the resumed attempt's miss: its step's fingerprint is unknown to a writer that did not start it
    assert conn.execute("SELECT step_sha FROM review_cards WHERE step = 'follow'").fetchone() == (None,)


def test_an_outbox_that_waited_behind_a_lock_stores_the_same_rows_as_the_recorder(tmp_path):
    """Provisional ids, queued answers and retries change when the rows are written, never what."""
    path = tmp_path / "outbox.sqlite3"
    connect(path).close()
    locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")
    locker.execute("UPDATE settings SET value = value")
    waited = {}

    def locked_outbox(p):
        box = Outbox(p, "Li", wait_ms=20, retry_seconds=0.05)
        if not waited:  # the first run of the day plays entirely while another program holds the lock
            waited["box"] = box
            threading.Timer(1.0, _release, (locker, box, waited)).start()
        return box

    play_a_day(locked_outbox, path)
    assert waited.get("queued", 0) > 10  # the answers really were queued, not written at once
    play_a_day(recorder, tmp_path / "recorder.sqlite3")
    assert snapshot(path) == snapshot(tmp_path / "recorder.sqlite3")


def _release(locker, box, waited) -> None:
    waited["queued"] = box.pending
    locker.execute("ROLLBACK")
    locker.close()
