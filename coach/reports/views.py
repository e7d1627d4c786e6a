"""The report's views over attempt rows (see coach.reports.merge for their keys).

- per teller: finished attempts, average overall, trend, weakest principles, critical mistakes;
- per principle across tellers: average, attempts, tellers, tellers under the pass mark;
- per scenario: attempts, tellers, average, outcome counts, critical mistakes.

An attempt with a critical mistake is not passed, whatever its overall (docs/scoring.md).
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean

from coach.principles import OUTCOMES, PRINCIPLES

PASS_MARK = 80
_ORDER = {p: i for i, p in enumerate(PRINCIPLES)}


def _mean(values: list[float]) -> float | None:
    return round(fmean(values), 1) if values else None


def slope(values: list[float], mean: float | None = None) -> float | None:
    """Least-squares change per attempt (points per attempt); None under two values. `mean` is
    fmean(values) when the caller has it already (the report's views compute it for the average)."""
    n = len(values)
    if n < 2:
        return None
    mx = (n - 1) / 2
    my = fmean(values) if mean is None else mean
    # sum((i - mx) ** 2 for i in range(n)): every term and partial sum is a multiple of 1/4 held
    # exactly by a float, so the closed form gives the very same number, without the loop
    sxx = n * (n * n - 1) / 12 if n < 100_000 else sum((i - mx) ** 2 for i in range(n))
    sxy = sum([(i - mx) * (v - my) for i, v in enumerate(values)])
    return round(sxy / sxx, 2)


def _passed(a: dict, pass_mark: int) -> bool:
    return a["overall"] is not None and a["overall"] >= pass_mark and not a.get("critical")


def _principle_key(pid: str) -> tuple[int, str]:
    return (_ORDER.get(pid, len(_ORDER)), pid)


def teller_view(attempts: list[dict], weakest: int = 3, pass_mark: int = PASS_MARK) -> list[dict]:
    by: dict[str, list[dict]] = defaultdict(list)
    for a in attempts:
        by[a["teller"]].append(a)
    rows = []
    for teller in sorted(by):
        items = sorted(by[teller], key=lambda a: (a["started"], a["source"], a["attempt"]))
        scores = [a["overall"] for a in items if a["overall"] is not None]
        per: dict[str, list[int]] = defaultdict(list)
        for a in items:
            for pid, s in a["principles"].items():
                per[pid].append(s)
        means = {pid: fmean(v) for pid, v in per.items()}
        weak = sorted((p for p in means if means[p] < pass_mark), key=lambda p: (means[p], _principle_key(p)))
        rows.append({
            "teller": teller,
            "attempts": len(items),
            "scenarios": len({a["scenario"] for a in items}),
            "average": _mean(scores),
            "best": max(scores) if scores else None,
            "last": scores[-1] if scores else None,
            "trend": scores,
            "trend_slope": slope(scores),
            "passed": sum(1 for a in items if _passed(a, pass_mark)),
            "critical": sum(a.get("critical", 0) for a in items),
            "weakest": [{"principle": p, "average": round(means[p], 1)} for p in weak[:weakest]],
            "last_attempt": items[-1]["started"] if items else None,
        })
    return rows


def principle_view(attempts: list[dict], pass_mark: int = PASS_MARK) -> list[dict]:
    scores: dict[str, list[int]] = defaultdict(list)
    per_teller: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for a in attempts:
        for pid, s in a["principles"].items():
            scores[pid].append(s)
            per_teller[pid][a["teller"]].append(s)
    rows = []
    for pid in sorted(scores, key=_principle_key):
        teller_means = {t: fmean(v) for t, v in per_teller[pid].items()}
        low = min(teller_means, key=lambda t: (teller_means[t], t))
        rows.append({
            "principle": pid,
            "average": _mean(scores[pid]),
            "attempts": len(scores[pid]),
            "tellers": len(teller_means),
            "tellers_below": sum(1 for m in teller_means.values() if m < pass_mark),
            "lowest_teller": low,
            "lowest_average": round(teller_means[low], 1),
        })
    return rows


def scenario_view(attempts: list[dict], pass_mark: int = PASS_MARK) -> list[dict]:
    by: dict[str, list[dict]] = defaultdict(list)
    for a in attempts:
        by[a["scenario"]].append(a)
    rows = []
    for sid in sorted(by):
        items = by[sid]
        scores = [a["overall"] for a in items if a["overall"] is not None]
        outcomes = {o: 0 for o in OUTCOMES}
        for a in items:
            if a["outcome"] in outcomes:
                outcomes[a["outcome"]] += 1
        rows.append({
            "scenario": sid,
            "attempts": len(items),
            "tellers": len({a["teller"] for a in items}),
            "average": _mean(scores),
            "passed": sum(1 for a in items if _passed(a, pass_mark)),
            "critical": sum(a.get("critical", 0) for a in items),
            "outcomes": outcomes,
        })
    return rows
