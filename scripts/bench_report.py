#!/usr/bin/env python
"""Benchmark `coach report` over 20 history databases holding 100,000 answers in all, against a
baseline measured in the same run: a plain script that opens the same files and reads every row of
attempts and answers with sqlite3. Target: the whole `coach report` command under 2 s.

The databases are made with the store's own schema (`coach.store.connect`) and filled the way the
Recorder writes them (answers' points JSON, scorecards, per-principle rows), from sessions the engine
actually plays on the bundled scenarios, so the item analysis finds the scenario files.

    .venv/bin/python scripts/bench_report.py [--answers 100000] [--dbs 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.engine import Session  # noqa: E402
from coach.library import bundled_dir, scenario_files  # noqa: E402
from coach.scenario.loader import load_scenario  # noqa: E402
from coach.store import connect  # noqa: E402
from coach.store.db import transaction  # noqa: E402

TARGET = 2.0

BASELINE = """
import sqlite3, sys
from pathlib import Path
n = 0
for p in sorted(Path(sys.argv[1]).glob("*.sqlite3")):
    c = sqlite3.connect(p.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
    n += len(c.execute("SELECT a.*, t.name FROM attempts a JOIN tellers t ON t.id = a.teller_id").fetchall())
    n += len(c.execute("SELECT * FROM attempt_principles").fetchall())
    n += len(c.execute("SELECT * FROM answers").fetchall())
    c.close()
print(n)
"""


def scenarios() -> list:
    out = []
    for path in scenario_files(bundled_dir()):
        result = load_scenario(path, lint=False)
        if result.ok and result.scenario is not None:
            out.append(result)
    if not out:
        out.append(load_scenario(ROOT / "tests" / "fixtures" / "engine" / "order.yaml"))
    return out


def fill(folder: Path, answers: int, dbs: int, seed: int = 7) -> tuple[int, int]:
    """Write `dbs` databases with `answers` answers in all; returns (attempts, answers)."""
    rng = random.Random(seed)
    library = scenarios()
    names = [f"teller-{i:03d}" for i in range(dbs * 4)]
    per_db = answers // dbs
    start = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    n_att = n_ans = 0
    for d in range(dbs):
        path = folder / f"branch-{d:02d}.sqlite3"
        conn = connect(path)
        # each branch has 6 tellers; a few of them also practise at a neighbouring branch
        local = rng.sample(names, 6)
        written = 0
        with transaction(conn) as c:
            ids = {}
            for name in local:
                ids[name] = c.execute("INSERT INTO tellers (name, created) VALUES (?, ?)",
                                      (name, start.isoformat(timespec="microseconds"))).lastrowid
            clock = start + timedelta(minutes=d)
            while written < per_db:
                loaded = rng.choice(library)
                scenario = loaded.scenario
                session = Session(scenario)
                turns = []
                while not session.finished and len(turns) < 60:
                    step = session.step
                    k = step.best_index() if rng.random() < 0.6 else rng.randrange(len(step.choices))
                    turns.append(session.choose(k))
                if not session.finished:
                    continue
                card = session.scorecard()
                teller = rng.choice(local)
                clock += timedelta(minutes=rng.randint(3, 90), microseconds=rng.randrange(1_000_000))
                began = clock.isoformat(timespec="microseconds")
                ended = (clock + timedelta(seconds=20 * len(turns))).isoformat(timespec="microseconds")
                aid = c.execute(
                    "INSERT INTO attempts (teller_id, scenario_id, scenario_sha256, mode, lang, started, ended,"
                    " status, scorecard, overall, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, 'finished', ?, ?, ?)",
                    (ids[teller], scenario.id, loaded.sha256, "practice", rng.choice(("zh", "en")), began, ended,
                     json.dumps(card.to_dict(), ensure_ascii=False), card.overall, card.outcome),
                ).lastrowid
                c.executemany("INSERT INTO attempt_principles VALUES (?, ?, ?)",
                              [(aid, p, t.score) for p, t in card.principles.items()])
                rows = []
                for seq, turn in enumerate(turns, 1):
                    points = {"choice": dict(turn.points), "best": dict(turn.best_points),
                              "rules": [ev.to_dict() for ev in turn.events]}
                    rows.append((aid, seq, turn.step, turn.index, turn.act,
                                 json.dumps(points, ensure_ascii=False, sort_keys=True), turn.mood_before,
                                 turn.mood_after, round(rng.uniform(2, 40), 3), ended))
                c.executemany("INSERT INTO answers (attempt_id, seq, step, choice, act, points, mood_before,"
                              " mood_after, seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                written += len(rows)
                n_att += 1
        n_ans += written
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    return n_att, n_ans


def timed(cmd: list[str], repeat: int) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - t
        if proc.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
        best, out = min(best, elapsed), proc.stdout
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=100_000)
    ap.add_argument("--dbs", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", metavar="DIR", help="build the databases in DIR and keep them")
    args = ap.parse_args()

    tmp = None
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="coach-bench-report-")
        folder = Path(tmp.name)
    try:
        t = time.perf_counter()
        attempts, answers = fill(folder, args.answers, args.dbs)
        print(f"built {args.dbs} databases: {attempts} attempts, {answers} answers in {time.perf_counter() - t:.1f} s")

        py = sys.executable
        base, rows = timed([py, "-c", BASELINE, str(folder)], args.repeat)
        startup, _ = timed([py, "-c", "pass"], args.repeat)
        figures = {}
        for label, extra in (("table", []), ("json", ["--format", "json"]), ("csv", ["--format", "csv"]),
                             ("html", ["--html", str(folder / "report.html")])):
            figures[label], _ = timed([py, "-m", "coach", "report", str(folder), *extra, "--out",
                                       str(folder / f"out.{label}")], args.repeat)
        # in-process split: read (merge) vs analyse (views + item analysis)
        from coach.reports import build, merge, scenario_finder

        t = time.perf_counter()
        data = merge([str(folder)])
        read = time.perf_counter() - t
        t = time.perf_counter()
        build(data, scenario_for=scenario_finder())
        analyse = time.perf_counter() - t

        print(f"baseline: plain sqlite3 read of all {rows.strip()} rows (own process): {base:.3f} s "
              f"(python startup alone {startup:.3f} s)")
        print(f"in process: merge {read:.3f} s, views + item analysis {analyse:.3f} s")
        worst = 0.0
        for label, secs in figures.items():
            worst = max(worst, secs)
            print(f"coach report --{label:<5}: {secs:.3f} s  ratio to baseline {secs / base:.2f}x")
        verdict = "OK" if worst < TARGET else "SLOW"
        print(f"target < {TARGET:.1f} s: {verdict} (slowest {worst:.3f} s)")
        return 0 if worst < TARGET else 1
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
