"""The report's views and item analysis computed in PostgreSQL, as coach.reports.build does them
from SQLite files: the same dict, so the same table, CSV, JSON and HTML.

Aggregation is SQL. Without filters the report reads the roll-ups coach sync keeps at sync time
(coach.fold: per-teller sums and trend, per teller and principle, per item and choice over first
and over all attempts) plus one scan of the attempts for the scenario view: a few thousand rows.
With --since, --teller, --scenario or --branch it aggregates the tables themselves (GROUP BY over
finished attempts, per-teller principle sums, per-step sums of item and rest scores). Python only
rounds, orders and names what comes back: a few rows per teller, principle, scenario and step,
never one per answer. All queries read one REPEATABLE READ snapshot, so a sync running meanwhile
cannot make the views disagree.

A teller is the staff id when one is known, else (branch, name): the same name in two branches is
two tellers. Their label is the name, with the branch (or staff id) added only when two tellers in
the report share a name.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from statistics import fmean
from typing import Callable, Iterator

from coach.central.target import describe, mask
from coach.principles import OUTCOMES
from coach.reports.items import StepStats, item_rows
from coach.reports.merge import Filters
from coach.reports.views import PASS_MARK, _principle_key, slope


def _where(filters: Filters, branch: str | None, alias: str = "") -> tuple[str, list]:
    a = f"{alias}." if alias else ""
    where, params = [f"{a}status = 'finished'"], []
    if filters.since:
        where.append(f"{a}started >= %s")
        params.append(filters.since)
    if filters.teller:
        where.append(f"{a}teller = %s")
        params.append(filters.teller)
    if filters.scenario:
        where.append(f"{a}scenario_id = %s")
        params.append(filters.scenario)
    if branch:
        where.append(f"{a}branch = %s")
        params.append(branch)
    return " AND ".join(where), params


def _fa(filters: Filters, branch: str | None) -> tuple[str, list]:
    cond, params = _where(filters, branch)
    return (f"fa AS (SELECT uid, tk, teller, branch, staff_id, scenario_id, sha256, started,"
            f" ended, overall, outcome, critical, answers_n, lang FROM coach.attempts WHERE {cond})"), params


def _labels(keys: dict[str, tuple[str, str, str | None]]) -> dict[str, str]:
    """key -> label: the name, disambiguated only when two tellers share it."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for key, (name, _, _) in keys.items():
        by_name[name].append(key)
    out = {}
    for key, (name, br, staff) in keys.items():
        out[key] = name if len(by_name[name]) == 1 else f"{name} ({'staff ' + staff if staff else br})"
    return out


def _mean(total: int | None, n: int) -> float | None:
    return round(total / n, 1) if n else None


def build(pg, url: str, filters: Filters, *, branch: str | None = None, first_only: bool = True,
          scenario_for: Callable[[str, str], object | None] | None = None, lang: str = "en",
          pass_mark: int = PASS_MARK, rollups: bool = True) -> dict:
    """The report dict (coach.reports.build's shape) from the central store behind `pg`. Without
    filters it reads the roll-ups coach sync keeps (unless `rollups` is False: the tests compare)."""
    fa, params = _fa(filters, branch)
    _warm_loader()
    teller_sql = (
        f"WITH {fa} SELECT tk, min(teller), min(branch), min(staff_id), count(*), count(DISTINCT scenario_id),"
        " coalesce(array_agg(overall ORDER BY started, uid) FILTER (WHERE overall IS NOT NULL), '{}'),"
        " count(*) FILTER (WHERE overall >= %s AND critical = 0), sum(critical), max(started),"
        " sum(answers_n) FROM fa GROUP BY tk")
    outcome_cols = ", ".join("count(*) FILTER (WHERE outcome = %s)" for _ in OUTCOMES)
    scenario_sql = (
        f"WITH {fa} SELECT scenario_id, count(*), count(DISTINCT tk), sum(overall), count(overall),"
        f" count(*) FILTER (WHERE overall >= %s AND critical = 0), sum(critical), {outcome_cols}"
        " FROM fa GROUP BY scenario_id ORDER BY scenario_id")
    with pg.transaction():
        pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        pg.execute("SET LOCAL work_mem = '64MB'")
        tellers = None
        if rollups and not (filters.since or filters.teller or filters.scenario or branch) and pg.execute(
                "SELECT to_regclass('coach.teller_sums') IS NOT NULL").fetchone()[0]:
            tellers = _rolled(pg, fa, params, first_only, pass_mark)
            if tellers is not None:
                tellers, per_principle, scenarios, steps = tellers
        if tellers is None:
            # The item analysis (the big scan of answers) and the principle sums run at the same
            # time on their own connections, sharing this transaction's snapshot: all see the same rows.
            snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]
            items = _Concurrent(url, snapshot, *_items_sql(filters, branch, first_only))
            principles = _Concurrent(
                url, snapshot, f"WITH {fa} SELECT p.principle, fa.tk, sum(p.score), count(*) FROM fa"
                " JOIN coach.attempt_principles AS p ON p.attempt_uid = fa.uid GROUP BY 1, 2", params)
            tellers = pg.execute(teller_sql, [*params, pass_mark]).fetchall()
            per_principle = principles.result()
            scenarios = pg.execute(scenario_sql, [*params, pass_mark, *OUTCOMES]).fetchall()
            steps = items.result()

    keys = {r[0]: (r[1], r[2], r[3]) for r in tellers}
    label = _labels(keys)
    attempts = sum(r[4] for r in tellers)
    answers = sum(int(r[10] or 0) for r in tellers)

    means: dict[str, dict[str, float]] = defaultdict(dict)  # teller key -> principle -> mean
    principle_rows: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for pid, tk, total, n in per_principle:
        means[tk][pid] = int(total) / n
        principle_rows[pid].append((tk, int(total), n))

    teller_view = []
    for tk, name, br, staff, n, n_scen, scores, passed, critical, last_started, _ in sorted(
            tellers, key=lambda r: label[r[0]]):
        scores = [int(s) for s in scores]
        mean = fmean(scores) if scores else None
        m = means.get(tk, {})
        weak = sorted((p for p in m if m[p] < pass_mark), key=lambda p: (m[p], _principle_key(p)))
        teller_view.append({
            "teller": label[tk], "attempts": n, "scenarios": n_scen,
            "average": round(mean, 1) if scores else None,
            "best": max(scores) if scores else None, "last": scores[-1] if scores else None,
            "trend": scores, "trend_slope": slope(scores, mean), "passed": passed, "critical": int(critical or 0),
            "weakest": [{"principle": p, "average": round(m[p], 1)} for p in weak[:3]],
            "last_attempt": last_started,
        })

    principle_view = []
    for pid in sorted(principle_rows, key=_principle_key):
        entries = principle_rows[pid]
        teller_means = {label[tk]: total / n for tk, total, n in entries}
        low = min(teller_means, key=lambda t: (teller_means[t], t))
        count = sum(n for _, _, n in entries)
        principle_view.append({
            "principle": pid, "average": _mean(sum(t for _, t, _ in entries), count), "attempts": count,
            "tellers": len(teller_means), "tellers_below": sum(1 for v in teller_means.values() if v < pass_mark),
            "lowest_teller": low, "lowest_average": round(teller_means[low], 1),
        })

    scenario_view = []
    for sid, n, n_tellers, total, n_scored, passed, critical, *outs in scenarios:
        scenario_view.append({
            "scenario": sid, "attempts": n, "tellers": n_tellers,
            "average": _mean(int(total) if total is not None else None, n_scored),
            "passed": passed, "critical": int(critical or 0), "outcomes": dict(zip(OUTCOMES, outs)),
        })

    stats: dict[tuple[str, str], dict[str, StepStats]] = defaultdict(dict)
    for sid, sha, step, choice, pos, picks, observed, sx, sy, sxy, sxx, syy, first_started in steps:
        st = stats[(sid, sha)].setdefault(step, StepStats())
        st.observed[int(choice)] = max(int(observed), st.observed.get(int(choice), int(observed)))
        if picks:
            st.n += picks
            st.sx += int(sx)
            st.sy += int(sy)
            st.sxy += int(sxy)
            st.sxx += int(sxx)
            st.syy += int(syy)
            st.counts[int(choice)] = st.counts.get(int(choice), 0) + picks
            # (position on the path, the earliest attempt there): the order the files' report uses
            st.order = min(st.order, (int(pos), first_started))

    return {
        "sources": [{"path": mask(describe(url)) + (f" (branch {branch})" if branch else ""),
                     "attempts": attempts, "answers": answers, "tellers": len(keys)}],
        "filters": filters.to_dict(),
        "attempts": attempts,
        "answers": answers,
        "duplicates_skipped": 0,
        "item_analysis_on": "first attempts" if first_only else "all attempts",
        "tellers": teller_view,
        "principles": principle_view,
        "scenarios": scenario_view,
        "items": item_rows(dict(stats), scenario_for, lang),
    }


def _rolled(pg, fa: str, params: list, first_only: bool, pass_mark: int) -> tuple | None:
    """(tellers, per principle, scenarios, steps) of an unfiltered report from the roll-ups coach
    sync keeps (coach.fold, central format 2): a few thousand summed rows instead of every answer
    and principle score. None when they do not cover every finished attempt of this snapshot (rows
    written around coach.fold); the caller then scans the tables."""
    outs = [f"o{i}" for i in range(len(OUTCOMES))]
    # per scenario from one scan of the attempts; its tellers are its (teller, first attempt) rows
    scenarios = pg.execute(
        f"WITH {fa}, s AS (SELECT scenario_id, count(*) AS n, sum(overall) AS total, count(overall) AS scored,"
        " count(*) FILTER (WHERE overall >= %s AND critical = 0) AS passed, sum(critical) AS critical, "
        + ", ".join(f"count(*) FILTER (WHERE outcome = %s) AS {o}" for o in outs) + " FROM fa GROUP BY scenario_id)"
        " SELECT s.scenario_id, s.n, coalesce(f.n, 0), s.total, s.scored, s.passed, s.critical, "
        + ", ".join(f"s.{o}" for o in outs) + " FROM s LEFT JOIN (SELECT scenario_id, count(*) AS n"
        " FROM coach.first_attempts GROUP BY 1) AS f USING (scenario_id) ORDER BY s.scenario_id",
        [*params, pass_mark, *OUTCOMES]).fetchall()
    folded = pg.execute("SELECT count(*) FROM coach.folded").fetchone()[0]
    if folded != sum(r[1] for r in scenarios):
        return None
    tellers = [
        (tk, name, br, staff, n, n_scen, trend, len(passable) - bisect_left(passable, pass_mark), critical, last, answers)
        for tk, name, br, staff, n, n_scen, trend, passable, critical, last, answers in pg.execute(
            "SELECT tk, teller, branch, staff_id, attempts, scenarios, trend, passable, critical, last_started,"
            " answers FROM coach.teller_sums WHERE attempts > 0")]
    per_principle = pg.execute("SELECT principle, tk, total, n FROM coach.teller_principles").fetchall()
    steps = pg.execute(
        "SELECT scenario_id, sha256, step, choice, pos, picks, observed, sx, sy, sxy, sxx, syy, min_started"
        " FROM coach.item_sums WHERE first_only = %s AND rows > 0", [first_only]).fetchall()
    return tellers, per_principle, scenarios, steps


def _warm_loader() -> None:
    """Import the scenario loader (for the item texts) on a thread while the server computes: the
    main thread only waits on the network meanwhile."""
    import sys
    import threading

    if "coach.scenario.loader" in sys.modules:
        return

    def load() -> None:
        try:
            import coach.library  # noqa: F401
            import coach.scenario.loader  # noqa: F401
        except Exception:  # noqa: BLE001 - the main thread imports it again and reports any error
            pass

    threading.Thread(target=load, name="coach-warm-loader", daemon=True).start()


class _Concurrent:
    """One query on its own connection and thread, in an exported snapshot; `result()` waits.
    Falls back to nothing clever: any failure is raised from `result()` as the driver's error."""

    def __init__(self, url: str, snapshot: str, sql: str, params: list) -> None:
        import threading

        from coach.central.target import connect

        self.rows: list | None = None
        self.error: BaseException | None = None
        self.conn = connect(url, application="coach report")

        def run() -> None:
            try:
                with self.conn.transaction():
                    self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    self.conn.execute("SET TRANSACTION SNAPSHOT %s" % _literal(snapshot))
                    self.conn.execute("SET LOCAL work_mem = '64MB'")
                    self.rows = self.conn.execute(sql, params).fetchall()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                self.error = exc

        self.thread = threading.Thread(target=run, name="coach-report-items", daemon=True)
        self.thread.start()

    def result(self) -> list:
        self.thread.join()
        self.conn.close()
        if self.error is not None:
            raise self.error
        return self.rows or []


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _items_sql(filters: Filters, branch: str | None, first_only: bool) -> tuple[str, list]:
    """Per (scenario version, step, choice, position): picks as first answer at the step, the
    choice's points, the sums Pearson's r needs, and the earliest attempt, over each teller's first
    finished attempt at each scenario (or every finished attempt). Written as plain joins on the
    tables (an anti-join finds first attempts), which the planner estimates well."""
    cond_a, params = _where(filters, branch, "a")
    sql = (
        "SELECT a.scenario_id, a.sha256, x.step, x.choice, coalesce(x.pos, -1),"
        "  count(*) FILTER (WHERE x.first_at_step), max(x.points),"
        "  sum(x.points) FILTER (WHERE x.first_at_step), sum(x.rest) FILTER (WHERE x.first_at_step),"
        "  sum(x.points::bigint * x.rest) FILTER (WHERE x.first_at_step),"
        "  sum(x.points::bigint * x.points) FILTER (WHERE x.first_at_step),"
        "  sum(x.rest::bigint * x.rest) FILTER (WHERE x.first_at_step),"
        "  min(a.started) FILTER (WHERE x.first_at_step)"
        " FROM coach.answers AS x JOIN coach.attempts AS a ON a.uid = x.attempt_uid"
        f" WHERE x.undone IS NULL AND a.answers_n > 0 AND {cond_a}"
    )
    if first_only:
        cond_b, params_b = _where(filters, branch, "b")
        sql += (" AND NOT EXISTS (SELECT 1 FROM coach.attempts AS b WHERE b.tk = a.tk"
                f" AND b.scenario_id = a.scenario_id AND (b.started, b.uid) < (a.started, a.uid) AND {cond_b})")
        params = params + params_b
    return sql + " GROUP BY 1, 2, 3, 4, 5", params


def known_values(pg, column: str, branch: str | None = None) -> list[str]:
    col = "teller" if column == "teller" else "scenario_id"
    sql = f"SELECT DISTINCT {col} FROM coach.attempts" + (" WHERE branch = %s" if branch else "") + f" ORDER BY {col}"
    with pg.transaction():
        return [r[0] for r in pg.execute(sql, [branch] if branch else [])]


def attempt_rows(pg, filters: Filters, branch: str | None = None, batch: int = 2000) -> Iterator[dict]:
    """Finished attempts with their live answers, as coach.reports.merge row dicts, oldest first,
    streamed with a server-side cursor (for the xAPI export)."""
    fa, params = _fa(filters, branch)
    _warm_loader()
    with pg.transaction():
        pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        keys = {r[0]: (r[1], r[2], r[3]) for r in pg.execute(
            f"WITH {fa} SELECT tk, min(teller), min(branch), min(staff_id) FROM fa GROUP BY tk", params)}
        label = _labels(keys)
        cur = pg.cursor(name="coach_export")
        cur.itersize = batch
        cur.execute(
            f"WITH {fa} SELECT fa.uid, fa.tk, fa.scenario_id, fa.sha256, fa.lang, fa.started, fa.ended, fa.overall,"
            " fa.critical, x.seq, x.step, x.choice, x.act, x.points, x.rule_points, x.mood_before, x.mood_after,"
            " x.seconds, x.at FROM fa LEFT JOIN coach.answers AS x ON x.attempt_uid = fa.uid AND x.undone IS NULL"
            " ORDER BY fa.started, fa.tk, fa.uid, x.seq", params)
        current: dict | None = None
        for (uid, tk, sid, sha, lang, started, ended, overall, critical, seq, step, choice, act, points, rule,
             mb, ma, seconds, at) in cur:
            if current is None or current["uid"] != uid:
                if current is not None:
                    yield _finish(current)
                current = {"uid": uid, "source": "central", "attempt": str(uid), "teller": label[tk],
                           "scenario": sid, "sha256": sha or "", "lang": lang, "started": started,
                           "ended": ended, "overall": overall, "critical": int(critical or 0), "answers": []}
            if seq is not None:
                current["answers"].append({"seq": seq, "step": step, "choice": int(choice), "act": act,
                                           "points": points, "rule_points": rule, "mood_before": mb,
                                           "mood_after": ma, "seconds": seconds, "at": at})
        if current is not None:
            yield _finish(current)
        cur.close()


def _finish(row: dict) -> dict:
    # the attempt's identity as coach.reports.merge makes it, so an LRS gets the same registration
    # from the central store as from the workstation's file
    row["key"] = "\x1f".join(map(str, (
        row["teller"], row["scenario"], row["sha256"], row["started"], row["ended"], row["overall"],
        ",".join(str(x["choice"]) for x in row["answers"]))))
    row.pop("uid")
    return row
