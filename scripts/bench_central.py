#!/usr/bin/env python3
"""Benchmark `coach report URL --format json` on a central store at bank scale.

Loads (with COPY) 200 branches, 5,000 tellers and 1,000,000 answers into a throwaway PostgreSQL
cluster on 127.0.0.1 (scripts/pg_cluster.py; or --url of an initialised, empty store), then times:

- baseline: a plain SQL aggregate over the same rows (choice counts and points per scenario, step
  and choice of the finished attempts' live answers), fetched with psycopg on an open connection,
  and the same as a whole process (as scripts/bench_report.py measures its baseline);
- ours: the whole `coach report URL --format json` command (a new process, as a trainer runs it:
  Python start-up, imports, connect, SQL, building the views, writing the JSON).

and prints them, both ratios, and the targets (<= 3 s, <= 3x the baseline). The target ratio is the
whole command against the query alone (the stricter of the two). An unfiltered report reads the
roll-ups coach sync keeps (coach.fold); the load calls coach.fold per chunk as a sync does per batch.
For comparison it also times the same report with `--since` (which aggregates the tables).
Given `--url` of a store that already holds results, it measures that store as it is (after
migrating it) instead of loading again. Loading takes a few
minutes at full size; `--answers 2000 --tellers 20 --branches 3` is the quick run the tests use.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

PRINCIPLES = ("calm_first", "respect", "understanding", "preparation", "proactive", "concise")
OUTCOMES = ("retained", "at_risk", "lost")
STEPS = 8
CHOICES = ((2, "explain"), (0, "soothe"), (-1, "deflect"))
POINTS_JSON = {p: json.dumps({"best": {"understanding": 2}, "choice": {"understanding": p}, "rules": []})
               for p, _ in CHOICES}
CHUNK = 5000

BASELINE_SQL = (
    "SELECT a.scenario_id, x.step, x.choice, count(*), sum(x.points) FROM coach.answers AS x"
    " JOIN coach.attempts AS a ON a.uid = x.attempt_uid WHERE a.status = 'finished' AND x.undone IS NULL"
    " GROUP BY 1, 2, 3"
)


def load(url: str, branches: int, tellers: int, answers: int, scenarios: int, seed: int) -> tuple[int, int]:
    """COPY a synthetic but realistic data set in; returns (attempts, answers)."""
    import psycopg

    rng = random.Random(seed)
    attempts = answers // STEPS
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    teller_rows = [(f"B{t % branches:03d}", f"Teller {t:05d}") for t in range(tellers)]
    skill = [rng.random() for _ in range(tellers)]
    sha = {f"scenario-{s:02d}": f"{s:064x}" for s in range(scenarios)}
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY coach.tellers (branch, name, staff_id, created) FROM STDIN") as cp:
                for branch, name in teller_rows:
                    cp.write_row((branch, name, None, start.isoformat()))
            for first in range(0, attempts, CHUNK):  # in chunks, so memory stays small
                a_buf, p_buf, x_buf = [], [], []
                for n in range(first, min(attempts, first + CHUNK)):
                    t = rng.randrange(tellers)
                    branch, name = teller_rows[t]
                    sid = f"scenario-{rng.randrange(scenarios):02d}"
                    uid = uuid.UUID(int=rng.getrandbits(128), version=4)
                    began = start + timedelta(seconds=n * 60 + rng.random())
                    picks = [0 if rng.random() < skill[t] else rng.choice((1, 2)) for _ in range(STEPS)]
                    pts = [CHOICES[c][0] for c in picks]
                    total = sum(pts)
                    overall = max(0, min(100, round(100 * (total + STEPS) / (3 * STEPS))))
                    a_buf.append((uid, branch, name, None, sid, sha[sid], "practice", "en", began.isoformat(),
                                  (began + timedelta(minutes=3)).isoformat(), "finished", overall,
                                  OUTCOMES[0 if overall >= 70 else 1 if overall >= 40 else 2],
                                  1 if rng.random() < 0.03 else 0, STEPS))
                    for pid in PRINCIPLES:
                        p_buf.append((uid, branch, pid, max(0, min(100, overall + rng.randint(-15, 15)))))
                    for seq, (c, p) in enumerate(zip(picks, pts), 1):
                        x_buf.append((uid, branch, seq, f"s{seq}", c, CHOICES[c][1], POINTS_JSON[p], p, 0,
                                      60, 60, 4.5, (began + timedelta(seconds=20 * seq)).isoformat(), None, True,
                                      seq - 1, total - p))
                with cur.copy("COPY coach.attempts (uid, branch, teller, staff_id, scenario_id, sha256, mode, lang,"
                              " started, ended, status, overall, outcome, critical, answers_n) FROM STDIN") as cp:
                    for row in a_buf:
                        cp.write_row(row)
                with cur.copy("COPY coach.attempt_principles (attempt_uid, branch, principle, score)"
                              " FROM STDIN") as cp:
                    for row in p_buf:
                        cp.write_row(row)
                with cur.copy("COPY coach.answers (attempt_uid, branch, seq, step, choice, act, points_json,"
                              " points, rule_points, mood_before, mood_after, seconds, at, undone, first_at_step,"
                              " pos, rest) FROM STDIN") as cp:
                    for row in x_buf:
                        cp.write_row(row)
                # what coach sync does in each batch's transaction: fold the attempts into the roll-ups
                cur.execute("SELECT coach.fold(%s::uuid[])", [[str(row[0]) for row in a_buf]])
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return attempts, attempts * STEPS


def time_baseline(url: str, repeat: int) -> float:
    import psycopg

    times = []
    with psycopg.connect(url) as conn:
        for _ in range(repeat + 1):  # the first run warms the cache, as the report's first query does
            t = time.perf_counter()
            conn.execute(BASELINE_SQL).fetchall()
            times.append(time.perf_counter() - t)
            conn.rollback()
    return statistics.median(times[1:] if repeat else times)


def time_baseline_process(url: str, repeat: int) -> float:
    """The same aggregate as a whole process (start-up, driver import, connect, query), as
    scripts/bench_report.py measures its baseline: the like-for-like comparison with a command."""
    code = "import sys, psycopg; c = psycopg.connect(sys.argv[1]); c.execute(sys.argv[2]).fetchall()"
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, url, BASELINE_SQL], check=True, timeout=600)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def time_report(url: str, repeat: int, *extra: str) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("COACH_CENTRAL",)}
    times, doc = [], {}
    for _ in range(repeat):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "coach", "report", url, "--format", "json", *extra],
                             capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
        times.append(time.perf_counter() - t)
        if out.returncode != 0:
            raise SystemExit(f"coach report failed: {out.stderr}")
        doc = json.loads(out.stdout)
    return statistics.median(times), doc


def time_in_process(url: str) -> tuple[float, float, float]:
    """(connect, build: the SQL and assembling the dict, JSON) inside one process, to show where the
    whole command's time goes (the rest is Python start-up and imports)."""
    from coach.central import report
    from coach.central.target import connect
    from coach.reports import scenario_finder
    from coach.reports.merge import Filters
    from coach.reports.render import to_json

    t = time.perf_counter()
    pg = connect(url)
    c = time.perf_counter() - t
    t = time.perf_counter()
    doc = report.build(pg, url, Filters(), scenario_for=scenario_finder())
    b = time.perf_counter() - t
    pg.close()
    t = time.perf_counter()
    to_json(doc)
    return c, b, time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--branches", type=int, default=200)
    ap.add_argument("--tellers", type=int, default=5000)
    ap.add_argument("--answers", type=int, default=1_000_000)
    ap.add_argument("--scenarios", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--url", help="an initialised central store (default: a throwaway cluster); one that already"
                    " holds results (an earlier --url run) is measured as it is, without loading again")
    args = ap.parse_args(argv)

    from coach.central import schema
    from coach.central.target import connect, mask

    cluster = None
    url = args.url
    if url is None:
        from pg_cluster import Cluster

        cluster = Cluster.start({"shared_buffers": "256MB", "work_mem": "64MB"})
        url = cluster.url()
    try:
        pg = connect(url)
        t = time.perf_counter()
        before, after = schema.init(pg)
        pg.close()
        if before and before < after:
            print(f"migrated the store from central format {before} to {after} in {time.perf_counter() - t:.1f} s")
        pg = connect(url)
        have = pg.execute("SELECT count(*), coalesce(sum(answers_n), 0), count(DISTINCT branch),"
                          " count(DISTINCT tk) FROM coach.attempts WHERE status = 'finished'").fetchone()
        pg.close()
        if have[0]:
            attempts, answers = int(have[0]), int(have[1])
            print(f"reusing the store's {have[2]} branches, {have[3]} tellers, {attempts} attempts, {answers} "
                  f"answers ({mask(url)})")
        else:
            t = time.perf_counter()
            attempts, answers = load(url, args.branches, args.tellers, args.answers, args.scenarios, args.seed)
            print(f"loaded {args.branches} branches, {args.tellers} tellers, {attempts} attempts, {answers} "
                  f"answers in {time.perf_counter() - t:.1f} s ({mask(url)})")
        base = time_baseline(url, args.repeat)
        base_process = time_baseline_process(url, args.repeat)
        ours, doc = time_report(url, args.repeat)
        assert doc["answers"] == answers and doc["attempts"] == attempts, (doc["answers"], answers)
        print(f"baseline (plain SQL aggregate over the same rows): {base:.3f} s")
        print(f"coach report URL --format json (whole command): {ours:.3f} s "
              f"({len(doc['tellers'])} tellers, {len(doc['items'])} items)")
        c, b, j = time_in_process(url)
        print(f"in process: connect {c:.3f} s, report built (SQL on the roll-ups, one snapshot; Python) {b:.3f} s, "
              f"JSON {j:.3f} s")
        # for comparison, not a target: a filter makes the report aggregate the tables themselves
        scanned, doc2 = time_report(url, 1, "--since", "2000-01-01")
        assert doc2["items"] == doc["items"] and doc2["tellers"] == doc["tellers"]
        print(f"the same report with --since (no roll-ups: scans answers and principle scores): {scanned:.3f} s")
        ratio = ours / base if base > 0 else float("inf")
        ratio_process = ours / base_process if base_process > 0 else float("inf")
        print(f"baseline as a whole process (start-up, driver, connect, the same aggregate): {base_process:.3f} s")
        print(f"ratio to baseline: {ratio:.2f}x (query alone); {ratio_process:.2f}x (whole process to whole process)")
        print(f"target <= 3.0 s: {'OK' if ours <= 3.0 else 'MISSED'}; target <= 3x baseline: "
              f"{'OK' if ratio <= 3.0 else 'MISSED'} against the query alone, "
              f"{'OK' if ratio_process <= 3.0 else 'MISSED'} process to process")
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
