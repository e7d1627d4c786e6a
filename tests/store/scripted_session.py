"""A scripted session for the crash tests: Session + Recorder on a fixture scenario.

    python scripted_session.py DB SCENARIO TELLER SEED [--resume]

Prints `started <attempt>` and then, after each answer is committed, `answered <seq> <step> <index>`
(flushed), so the parent knows what was answered when it kills this process. With --resume it first
continues the teller's interrupted attempt (printing `resumed <attempt> <step> <n choices>`).
"""

import random
import sys
import time

from coach.engine import Session
from coach.scenario.loader import load_scenario
from coach.store import connect
from coach.store.recorder import Recorder
from coach.store.resume import offers


def main() -> int:
    db, path, teller, seed = sys.argv[1:5]
    rng = random.Random(int(seed))
    conn = connect(db)
    rec = Recorder(conn, teller)
    loaded = load_scenario(path)
    scenario = loaded.scenario
    session = attempt = None
    if "--resume" in sys.argv:
        for offer in offers(conn, rec.teller_id, lambda sid: path if sid == scenario.id else None):
            if offer.status == "ok" and session is None:
                session, attempt = offer.session, offer.attempt.id
                print(f"resumed {attempt} {session.step_id} {len(session.turns)}", flush=True)
            else:
                rec.abandon(offer.attempt.id)
    if session is None:
        session = Session(scenario)
        attempt = rec.start(scenario, loaded.sha256, "practice", "en")
        print(f"started {attempt}", flush=True)
    while not session.finished:
        turn = session.choose(rng.randrange(len(session.step.choices)))
        seq = rec.answer(attempt, turn, 0.01)
        print(f"answered {seq} {turn.step} {turn.index}", flush=True)
        time.sleep(rng.random() * 0.01)
    rec.finish(attempt, session.scorecard())
    print(f"finished {attempt} {session.scorecard().overall}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
