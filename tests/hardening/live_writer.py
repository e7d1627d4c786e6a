"""A coach writing finished attempts as fast as it can, checkpointing often (for the live-read tests).

    python live_writer.py DB SCENARIO SECONDS

Prints `ready` after its first attempt, then writes until SECONDS have passed.
"""

import sys
import time

from coach.engine import Session
from coach.scenario.loader import load_scenario
from coach.store import Recorder, connect


def main() -> int:
    db, scenario, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    loaded = load_scenario(scenario)
    conn = connect(db)
    conn.execute("PRAGMA wal_autocheckpoint = 4")  # checkpoint (rewrite the main file) very often
    rec = Recorder(conn, "Writer")
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        aid = rec.start(loaded.scenario, loaded.sha256, "practice", "en")
        session = Session(loaded.scenario)
        while not session.finished:
            rec.answer(aid, session.choose(0), 1.0)
        rec.finish(aid, session.scorecard())
        n += 1
        if n == 1:
            print("ready", flush=True)
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
