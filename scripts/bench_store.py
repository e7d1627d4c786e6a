#!/usr/bin/env python
"""Benchmark the history store: 100,000 stored answers, `coach history` and the History screen's
queries (and the screen itself through Textual's Pilot when the TUI is installed), each against a
baseline measured in the same run. Target: under 0.5 s each.

    .venv/bin/python scripts/bench_store.py [--answers 100000] [--tellers 8] [--keep PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.principles import PRINCIPLES  # noqa: E402
from coach.store import connect  # noqa: E402
from coach.store import queries  # noqa: E402
from coach.store.db import transaction  # noqa: E402

TARGET = 0.5
SCENARIOS = [f"scenario-{i:02d}" for i in range(24)]
ACTS = ("prepare", "soothe", "clarify", "inform", "explain", "offer", "follow_up", "deflect")


def fill(path: Path, answers: int, tellers: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    conn = connect(path)
    pids = list(PRINCIPLES)
    with transaction(conn) as c:
        for t in range(tellers):
            c.execute("INSERT INTO tellers (name, created) VALUES (?, ?)", (f"teller-{t}", "2026-01-01T00:00:00+00:00"))
        n = attempt = 0
        while n < answers:
            attempt += 1
            teller = rng.randrange(tellers) + 1
            sid = rng.choice(SCENARIOS)
            day = f"2026-{1 + attempt * 11 // 100_000 % 12:02d}-{1 + attempt % 28:02d}T{attempt % 24:02d}:{attempt % 60:02d}:00+00:00"
            steps = rng.randint(4, 16)
            finished = rng.random() > 0.05
            focus = rng.sample(pids, 5)
            principles = {p: rng.randrange(0, 101) for p in focus}
            overall = sum(principles.values()) // len(principles)
            card = json.dumps({"scenario": sid, "overall": overall, "principles": principles}) if finished else None
            c.execute(
                "INSERT INTO attempts (id, teller_id, scenario_id, scenario_sha256, mode, lang, started, ended,"
                " status, scorecard, overall, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt, teller, sid, "0" * 64, rng.choice(("practice", "assessment")), rng.choice(("zh", "en")),
                 day, day if finished else None, "finished" if finished else "abandoned", card,
                 overall if finished else None, rng.choice(("retained", "at_risk", "lost")) if finished else None),
            )
            if finished:
                c.executemany("INSERT INTO attempt_principles VALUES (?, ?, ?)",
                              [(attempt, p, s) for p, s in principles.items()])
            rows = []
            for seq in range(1, steps + 1):
                if n >= answers:
                    break
                rows.append((attempt, seq, f"s{seq}", rng.randrange(3), rng.choice(ACTS),
                             json.dumps({"choice": {rng.choice(pids): rng.randint(-3, 3)}}),
                             50, 40, round(rng.random() * 20, 3), day))
                n += 1
            c.executemany("INSERT INTO answers (attempt_id, seq, step, choice, act, points, mood_before,"
                          " mood_after, seconds, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("ANALYZE")
    conn.close()


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def screen_queries(conn, teller_id: int) -> None:
    queries.history(conn, teller_id, 500)
    queries.trend(conn, teller_id)
    queries.weakest(conn, teller_id)
    queries.best_and_last(conn, teller_id)


def naive_python(conn, teller_id: int) -> None:
    """The baseline: fetch the teller's answers and scorecards, aggregate in Python."""
    per_attempt: dict[int, int] = {}
    for attempt_id, _seq in conn.execute(
        "SELECT n.attempt_id, n.seq FROM answers AS n JOIN attempts AS a ON a.id = n.attempt_id WHERE a.teller_id = ?",
        (teller_id,),
    ):
        per_attempt[attempt_id] = per_attempt.get(attempt_id, 0) + 1
    sums: dict[str, list[int]] = {}
    for (card,) in conn.execute("SELECT scorecard FROM attempts WHERE teller_id = ? AND scorecard IS NOT NULL", (teller_id,)):
        for p, s in json.loads(card)["principles"].items():
            sums.setdefault(p, []).append(s)


def cli(db: Path, *args: str) -> float:
    env = dict(os.environ, COACH_DB=str(db))
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "coach", "history", *args], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, cwd=ROOT)
    took = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"coach history {' '.join(args)} failed: {out.stderr.decode()}")
    return took


def startup() -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import coach.cli, coach.store"], check=True, cwd=ROOT)
    return time.perf_counter() - t


def pilot_screen(db: Path, teller: str) -> float | None:
    try:
        from coach.tui.screens.history import HistoryScreen  # noqa: F401
        from coach.tui.store_apps import HistoryApp
    except ImportError:
        return None
    import asyncio

    async def go() -> float:
        conn = connect(db)
        app = HistoryApp(conn, teller)
        t = time.perf_counter()
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            took = time.perf_counter() - t
        conn.close()
        return took

    return asyncio.run(go())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", type=int, default=100_000)
    ap.add_argument("--tellers", type=int, default=8)
    ap.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.keep or Path(tmp.name) / "bench.sqlite3"
    if db.exists():
        db.unlink()
    t = time.perf_counter()
    fill(db, args.answers, args.tellers)
    print(f"filled {db}: {args.answers:,} answers, {args.tellers} tellers in {time.perf_counter() - t:.2f} s")
    conn = connect(db)
    attempts = conn.execute("SELECT count(*) FROM attempts").fetchone()[0]
    tid = conn.execute("SELECT teller_id FROM attempts GROUP BY teller_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    teller = conn.execute("SELECT name FROM tellers WHERE id = ?", (tid,)).fetchone()[0]
    print(f"{attempts:,} attempts; busiest teller {teller}")

    rows = []
    base_count = best_of(lambda: conn.execute("SELECT count(*) FROM answers").fetchone())
    base_naive = best_of(lambda: naive_python(conn, tid))
    screen = best_of(lambda: screen_queries(conn, tid))
    rows.append(("baseline: SELECT count(*) FROM answers", base_count, None))
    rows.append(("baseline: naive Python aggregation (one teller)", base_naive, None))
    rows.append(("History screen queries (one teller)", screen, base_naive))
    start = best_of(startup, 3)
    rows.append(("baseline: python -c 'import coach.cli, coach.store'", start, None))
    for label, argv in [
        ("coach history (all tellers, text)", ()),
        ("coach history --teller (text)", ("--teller", teller)),
        ("coach history --format json (all)", ("--format", "json")),
        ("coach history --format csv (all)", ("--format", "csv")),
    ]:
        rows.append((label, best_of(lambda: cli(db, *argv), 3), start))
    empty = pilot_screen(db, "nobody")  # the same app and screen with no rows: Textual's own cost
    shown = pilot_screen(db, teller)
    if shown is not None:
        rows.append(("baseline: History screen via Pilot, teller with no attempts", empty, None))
        rows.append(("History screen via Pilot (mount + first paint)", shown, empty))
    conn.close()
    width = max(len(r[0]) for r in rows)
    ok = True
    for label, secs, base in rows:
        ratio = f"  x{secs / base:5.2f} of baseline" if base else ""
        flag = ""
        if not label.startswith("baseline"):
            flag = "  ok" if secs < TARGET else "  SLOW"
            ok &= secs < TARGET
        print(f"{label:<{width}}  {secs * 1000:8.1f} ms{ratio}{flag}")
    print(f"target: under {TARGET} s each: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
