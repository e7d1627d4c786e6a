"""Crash safety: a scripted session SIGKILLed after a random answer loses nothing, and resumes."""

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from coach.engine import Session
from coach.store import connect
from coach.store.recorder import Recorder
from coach.store.resume import offers

from .conftest import STORE_FIXTURES

SCRIPT = Path(__file__).with_name("scripted_session.py")
LONG = STORE_FIXTURES / "long.yaml"


def _spawn(db, seed, *extra):
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(db), str(LONG), "Kim", str(seed), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigkill_after_a_random_answer_50_times_loses_nothing_and_resumes(tmp_path, loaded_long):
    db = tmp_path / "h.sqlite3"
    rng = random.Random(20261129)
    scenario = loaded_long.scenario
    for run in range(50):
        kill_after = rng.randint(1, 11)  # the scenario has 12 decisions
        proc = _spawn(db, run)
        answered: list[tuple[int, str, int]] = []
        attempt = None
        for line in proc.stdout:
            word, *rest = line.split()
            if word == "started":
                attempt = int(rest[0])
            elif word == "answered":
                answered.append((int(rest[0]), rest[1], int(rest[2])))
                if len(answered) == kill_after:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
        proc.wait(timeout=30)
        proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
        proc.stderr.close()

        conn = connect(db)
        stored = conn.execute(
            "SELECT seq, step, choice FROM answers WHERE attempt_id = ? ORDER BY seq", (attempt,)
        ).fetchall()
        # every answered step is there (one more may have been committed just before the kill)
        assert [tuple(r) for r in stored[: len(answered)]] == answered, f"run {run}"
        assert len(stored) in (len(answered), len(answered) + 1)

        rec = Recorder(conn, "Kim")
        [offer] = offers(conn, rec.teller_id, lambda sid: LONG)
        assert offer.status == "ok" and offer.attempt.id == attempt
        choices = [r[2] for r in stored]
        expected = Session.replay(scenario, choices)
        assert offer.session.step_id == expected.step_id == f"s{len(choices) + 1}"
        assert offer.session.scorecard().to_dict() == expected.scorecard().to_dict()
        if run % 10 == 9:  # resume in a new process too, and play to the end
            out = subprocess.run(
                [sys.executable, str(SCRIPT), str(db), str(LONG), "Kim", str(run), "--resume"],
                capture_output=True, text=True, timeout=60,
            )
            assert out.returncode == 0, out.stderr
            assert out.stdout.startswith(f"resumed {attempt} s{len(choices) + 1} {len(choices)}")
        else:  # resume here: continue the rebuilt session to the end
            session = offer.session
            while not session.finished:
                rec.answer(attempt, session.choose(0), 0.1)
            rec.finish(attempt, session.scorecard())
        status, n = conn.execute(
            "SELECT status, (SELECT count(*) FROM answers WHERE attempt_id = a.id) FROM attempts AS a WHERE id = ?",
            (attempt,),
        ).fetchone()
        assert status == "finished" and n == 12
        conn.close()


def test_two_processes_writing_at_once(tmp_path):
    db = tmp_path / "h.sqlite3"
    connect(db).close()
    code = (
        "import sys\n"
        "from coach.engine import Session\n"
        "from coach.scenario.loader import load_scenario\n"
        "from coach.store import connect\n"
        "from coach.store.recorder import Recorder\n"
        "r = load_scenario(sys.argv[2]); conn = connect(sys.argv[1]); rec = Recorder(conn, sys.argv[3])\n"
        "for _ in range(40):\n"
        "    s = Session(r.scenario); a = rec.start(r.scenario, r.sha256, 'practice', 'en')\n"
        "    while not s.finished:\n"
        "        rec.answer(a, s.choose(0), 0.0)\n"
        "    rec.finish(a, s.scorecard())\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db), str(LONG), name],
                              stderr=subprocess.PIPE, text=True) for name in ("Ann", "Bo")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    conn = connect(db)
    rows = conn.execute(
        "SELECT t.name, count(DISTINCT a.id), count(*) FROM answers AS n JOIN attempts AS a ON a.id = n.attempt_id"
        " JOIN tellers AS t ON t.id = a.teller_id GROUP BY t.name ORDER BY t.name"
    ).fetchall()
    assert rows == [("Ann", 40, 480), ("Bo", 40, 480)]
    assert conn.execute("SELECT count(*) FROM attempts WHERE status = 'finished'").fetchone()[0] == 80
