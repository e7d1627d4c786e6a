"""Promises about a terminal that goes away (issue 19): coach ends, soon, with every answer kept.

A teller closes the terminal window, an SSH session drops, or the server behind a browser tab is
killed, at any moment: on the library, the briefing, mid-conversation, the debrief, a review, the
pre-shift check, while coach is writing a screenful to a terminal that no longer reads, or while an
answer waits for a locked history. Each time, within 3 seconds of the hang-up, no process of the
session is left, the history passes `PRAGMA integrity_check`, and every answer given is in it.

The hang-up is the real one: the pty's master side closes (the kernel hangs the terminal up and
sends SIGHUP and SIGCONT to the session leader), with coach as the session leader (SIGHUP
delivered), started under nohup (SIGHUP ignored), with SIGHUP blocked, or behind a shell that is the
session leader (no signal reaches coach at all): the last three can only learn it from the terminal
(end of input, EIO). Two more run coach on the web driver's pipes, as `coach serve` does, and close
them (or only stdout: EPIPE).

The 22 hang-ups run four at a time (one fixture), and each is its own test.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from coach.tui import hangup
from tests.hardening.hangups import ROOT, Term, Web, answers, clean_env, integrity, wait_rows

ORDER = ROOT / "tests" / "fixtures" / "engine" / "order.yaml"
ENGINE = ORDER.parent
ANSWERS = "SELECT seq FROM answers"
#: The order fixture played with choice 1 at each decision: (step, 0-based choice, what comes next).
PLAY = [("prepare", "What is going on?!"), ("first", "And then?"), ("second", "Fine."), ("wrap", "Debrief")]
LIMIT = 3.0  # seconds from the hang-up until nothing of the session is left
WORKERS = 4


@dataclass
class Want:
    """What must be in the history after the hang-up."""
    answers: list[tuple[int, str, int]] = field(default_factory=list)
    finished: bool = False
    reviewed: int = 0
    after: Callable[[], None] | None = None  # runs right after the hang-up (a lock released)


def given(n: int) -> list[tuple[int, str, int]]:
    return [(i + 1, PLAY[i][0], 0) for i in range(n)]


def play(t, db: Path, n: int, start: int = 0) -> None:
    """Answer decisions start+1..n with choice 1 and go on to the next, as a teller does."""
    for i in range(start, n):
        t.press(b"1")
        wait_rows(db, ANSWERS, i + 1)
        t.wait_for("Enter/Space continue")
        t.press(b"\r")
        t.wait_for(PLAY[i][1])


def begin(t) -> None:
    t.wait_for("Briefing")
    t.press(b"\r")
    t.wait_for("The customer walks up.")


# ---- the moments ------------------------------------------------------------------------------

def on_library(t, db):
    t.wait_for("Order")
    return Want()


def on_briefing(t, db):
    t.wait_for("Briefing")
    return Want()


def mid_conversation(n):
    def flow(t, db):
        begin(t)
        play(t, db, n)
        return Want(given(n))
    return flow


def while_feedback_is_drawn(t, db):
    begin(t)
    t.press(b"1")
    wait_rows(db, ANSWERS, 1)  # stored; the feedback is being drawn right now
    return Want(given(1))


def on_debrief(t, db):
    begin(t)
    play(t, db, 4)
    t.wait_for("Verdict")
    return Want(given(4), finished=True)


def in_review(t, db):
    t.wait_for("item 1 of 2")
    t.press(b"\r")
    t.wait_for("1–9 choose")  # the review shuffles the choices
    t.press(b"1")
    wait_rows(db, "SELECT card_id FROM review_log", 1)
    return Want(ANSWERS_BEFORE_REVIEW, reviewed=1)


def in_check(t, db):
    t.wait_for("Pre-shift check")
    t.wait_for("1. ")
    first = 1 if "1. Skip it" in t.screen.text() else 0  # the check shuffles the choices
    t.press(b"1")
    wait_rows(db, ANSWERS, 1)
    t.wait_for("What is going on?!")
    return Want([(1, "prepare", first)])


def while_output_is_blocked(t, db):
    """The terminal stops reading, coach fills it with redraws, then the terminal closes."""
    begin(t)
    play(t, db, 1)
    for i in range(16):  # every resize is a full redraw; nobody reads them
        t.resize(100 - (i % 2) * 30, 30 - (i % 2) * 8)
        time.sleep(0.02)
    time.sleep(0.3)
    return Want(given(1))


def while_a_store_write_waits(t, db):
    """The history is locked by another program when the teller answers: the answer waits in the
    Outbox; the terminal closes; the lock goes 0.5 s later; the answer must still be stored."""
    begin(t)
    play(t, db, 1)
    lock = sqlite3.connect(db, isolation_level=None, timeout=5)
    lock.execute("BEGIN IMMEDIATE")
    t.press(b"1")
    t.wait_for("You: Soothe")  # coach took the answer; its write waits for the lock

    def release():
        time.sleep(0.5)
        lock.execute("ROLLBACK")
        lock.close()

    return Want(given(2), after=release)


ANSWERS_BEFORE_REVIEW = [(1, "prepare", 1), (2, "first", 2), (3, "second", 1), (4, "wrap", 1)]


def seed_review(db: Path) -> None:
    from tests.reports.conftest import make_db

    make_db(db, [("Li", [1, 2, 1, 1])], ORDER)  # two missed decisions: two review items due


@dataclass
class Case:
    id: str
    argv: list[str]
    flow: Callable
    way: str = "leader"  # Term.WAYS, or "web" / "web-stdout"
    seed: Callable[[Path], None] | None = None


RUN_LIBRARY = ["run", "--scenarios", str(ENGINE)]
RUN_ORDER = ["run", str(ORDER)]
REVIEW = ["review", "--dir", str(ENGINE)]
CHECK = ["check", "--dir", str(ENGINE), "--scenarios", "order"]

CASES = [
    Case("library-sighup", RUN_LIBRARY, on_library),
    Case("library-nohup", RUN_LIBRARY, on_library, "nohup"),
    Case("library-behind-a-shell", RUN_LIBRARY, on_library, "shell"),
    Case("briefing-sighup", RUN_ORDER, on_briefing),
    Case("briefing-sighup-blocked", RUN_ORDER, on_briefing, "blocked"),
    Case("conversation-1-sighup", RUN_ORDER, mid_conversation(1)),
    Case("conversation-2-nohup", RUN_ORDER, mid_conversation(2), "nohup"),
    Case("conversation-3-sighup-blocked", RUN_ORDER, mid_conversation(3), "blocked"),
    Case("conversation-2-behind-a-shell", RUN_ORDER, mid_conversation(2), "shell"),
    Case("feedback-being-drawn-sighup", RUN_ORDER, while_feedback_is_drawn),
    Case("debrief-sighup", RUN_ORDER, on_debrief),
    Case("debrief-sighup-blocked", RUN_ORDER, on_debrief, "blocked"),
    Case("review-sighup", REVIEW, in_review, seed=seed_review),
    Case("review-behind-a-shell", REVIEW, in_review, "shell", seed=seed_review),
    Case("check-sighup", CHECK, in_check),
    Case("check-nohup", CHECK, in_check, "nohup"),
    Case("output-blocked-sighup", RUN_ORDER, while_output_is_blocked),
    Case("output-blocked-sighup-blocked", RUN_ORDER, while_output_is_blocked, "blocked"),
    Case("store-write-waiting-sighup", RUN_ORDER, while_a_store_write_waits),
    Case("store-write-waiting-sighup-blocked", RUN_ORDER, while_a_store_write_waits, "blocked"),
    Case("web-server-gone", RUN_ORDER, mid_conversation(2), "web"),
    Case("web-stdout-closed-epipe", RUN_ORDER, mid_conversation(1), "web-stdout"),
]
BY_ID = {c.id: c for c in CASES}


@dataclass
class Outcome:
    error: str | None  # the flow could not reach its moment (the test fails with this)
    took: float | None  # seconds until nothing of the session was left; None: something was
    code: int | None
    answers: list
    integrity: str
    status: list
    reviewed: int
    stderr: str
    want: Want


def hang_up(case: Case, base: Path) -> Outcome:
    tmp = base / case.id
    tmp.mkdir()
    db = tmp / "h.sqlite3"
    if case.seed:
        case.seed(db)
    argv = [*case.argv, "--db", str(db), "--teller", "Li", "--lang", "en"]
    env = clean_env(base / "xdg")
    err = tmp / "stderr.txt"
    term = Web(argv, env, err) if case.way.startswith("web") else Term(argv, env, case.way)
    took, error, want = None, None, Want()
    try:
        want = case.flow(term, db)
        if isinstance(term, Web):
            term.hang_up(stdout_only=case.way == "web-stdout")
        else:
            term.hang_up()
        if want.after:
            want.after()
        took = term.gone_after(LIMIT)
    except Exception as exc:  # noqa: BLE001 - reported by this case's test, not the fixture
        error = f"{type(exc).__name__}: {exc}"
    finally:
        if took is None:
            term.kill()
    conn = sqlite3.connect(db, timeout=5)
    try:
        status = [r[0] for r in conn.execute("SELECT status FROM attempts ORDER BY id")]
        reviewed = conn.execute("SELECT count(*) FROM review_log").fetchone()[0]
    finally:
        conn.close()
    return Outcome(error, took, term.code, answers(db), integrity(db), status, reviewed,
                   err.read_text(errors="replace") if err.exists() else "", want)


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory) -> dict[str, Outcome]:
    """Hang up every case selected in this run, four at a time."""
    wanted = [item.callspec.params["case"] for item in request.session.items
              if item.module.__name__ == __name__ and hasattr(item, "callspec") and "case" in item.callspec.params]
    base = tmp_path_factory.mktemp("hangups")
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {cid: pool.submit(hang_up, BY_ID[cid], base) for cid in dict.fromkeys(wanted)}
    got = {cid: f.result() for cid, f in futures.items()}
    took = sorted(o.took for o in got.values() if o.took is not None)
    if took:  # shown with -s or -rP: the figures docs/reliability.md quotes
        print(f"\n{len(got)} hang-ups: ended after {took[0]:.2f}-{took[-1]:.2f} s "
              f"(median {took[len(took) // 2]:.2f} s); {len(got) - len(took)} left a process")
        print("  " + ", ".join(f"{cid} {o.took:.2f}" for cid, o in got.items() if o.took is not None))
    return got


@pytest.mark.parametrize("case", [c.id for c in CASES])
def test_a_hang_up_leaves_no_process_and_loses_no_answer(outcomes, case):
    got = outcomes[case]
    assert got.error is None, got.error
    assert got.took is not None, f"{case}: a process of the session was still there {LIMIT} s after the hang-up"
    assert got.integrity == "ok"
    assert got.answers == got.want.answers
    if got.want.finished:
        assert got.status == ["finished"]
    elif got.want.answers and BY_ID[case].argv[0] == "run":
        assert got.status == ["open"]  # offered for resuming next time
    assert got.reviewed == got.want.reviewed
    if BY_ID[case].way != "shell":  # behind a shell, coach's parent (the shell) died first
        assert got.code == 129, got.stderr
    assert "Traceback" not in got.stderr
    if BY_ID[case].way.startswith("web"):  # its stderr is still there (the server's log): it says why
        assert "coach run: the terminal went away; every answer given is saved in the history." in got.stderr


# ---- a terminal that stays but stops reading, and SIGCONT ------------------------------------

def test_sigterm_ends_coach_even_while_its_terminal_takes_no_output(tmp_path):
    """The issue's stuck process ignored SIGTERM: its event loop waited for a writer that could
    not write. A terminal that stops reading (a frozen SSH link) must not make coach unkillable."""
    db = tmp_path / "h.sqlite3"
    term = Term([*RUN_ORDER, "--db", str(db), "--teller", "Li", "--lang", "en"], clean_env(tmp_path / "xdg"))
    try:
        begin(term)
        play(term, db, 1)
        for i in range(16):  # redraws nobody reads: the terminal's buffer fills, coach's writes wait
            term.resize(100 - (i % 2) * 30, 30 - (i % 2) * 8)
            time.sleep(0.02)
        time.sleep(0.5)
        os.kill(term.leader, signal.SIGTERM)
        term.hung_up_at, term._coach = time.monotonic(), term.leader
        took = term.gone_after(hangup.SIGNAL_GRACE + 1.0)
    finally:
        term.kill()
    assert took is not None, "coach did not end after SIGTERM"
    assert term.code == 128 + signal.SIGTERM
    assert answers(db) == given(1)
    assert integrity(db) == "ok"


def test_sigcont_without_a_suspend_starts_no_second_input_thread(tmp_path):
    """SIGCONT comes with every hang-up (and from any `kill -CONT`); only Ctrl+Z's own resume may
    start application mode again. A second input thread is a non-daemon thread the exit never
    joins: the process could never end."""
    term = Term([*RUN_ORDER, "--db", str(tmp_path / "h.sqlite3"), "--teller", "Li", "--lang", "en"],
                clean_env(tmp_path / "xdg"))
    try:
        term.wait_for("Briefing")
        term.pump(0.5)
        before = threads(term.leader)
        for _ in range(3):
            os.kill(term.leader, signal.SIGCONT)
            term.pump(0.2)
        after = threads(term.leader)
        term.press(b"\r")
        term.wait_for("The customer walks up.")  # still answering keys
    finally:
        term.kill()
    assert after == before


def threads(pid: int) -> int:
    """The process's threads (Python 3.11 gives them no OS names to tell them apart)."""
    return len(os.listdir(f"/proc/{pid}/task"))
