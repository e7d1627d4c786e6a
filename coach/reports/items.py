"""Item analysis per decision step, as Moodle's quiz statistics do it.

For each version of a scenario (id and sha256: a changed file may reorder its choices) and each
decision step, over the attempts that reached it (by default each teller's first finished attempt
at the scenario, like Moodle's "first attempts" setting):

- **choice counts**: how often each choice was picked;
- **facility** F = (mean item score − x_min) / (x_max − x_min), Moodle's facility index, where the
  item score is the total of the choice's points, x_max the best choice's total and x_min the lower
  of 0 and the worst choice's total: with no negative choice this is simply mean points earned /
  max points at the step; with negative points it stays a proportion 0..1;
- **discrimination**: Pearson's correlation of the item score with the rest of the attempt's score
  (the total of the choices' points at the attempt's other steps), -1..1; none when either does not
  vary or fewer than two attempts reached the step.

Flags: `too_easy` (F > 0.9), `too_hard` (F < 0.2), `poor_discrimination` (< 0.2, or negative), each
step naming the wrong choice picked most often (a wrong choice: total below the best).

The best/worst totals and choice texts come from the scenario file when one with the same sha256
is found; otherwise from the choices seen in the data (marked `estimated`).
"""

from __future__ import annotations

from collections import defaultdict
from math import sqrt
from typing import Callable

EASY = 0.9
HARD = 0.2
DISCRIMINATION = 0.2


def first_attempts(attempts: list[dict]) -> list[dict]:
    """Each teller's first finished attempt at each scenario."""
    first: dict[tuple[str, str], dict] = {}
    for a in sorted(attempts, key=lambda a: (a["started"], a["source"], a["attempt"])):
        first.setdefault((a["teller"], a["scenario"]), a)
    return list(first.values())


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return sxy / sqrt(sxx * syy)


def item_analysis(
    attempts: list[dict],
    first_only: bool = True,
    scenario_for: Callable[[str, str], object | None] | None = None,
    lang: str = "en",
) -> list[dict]:
    """One row per (scenario version, decision step), in scenario then path order."""
    from coach.scenario.model import localize

    pool = first_attempts(attempts) if first_only else list(attempts)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for a in pool:
        if a["answers"]:
            groups[(a["scenario"], a["sha256"])].append(a)
    versions: dict[str, int] = defaultdict(int)
    for sid, _ in groups:
        versions[sid] += 1

    rows: list[dict] = []
    for (sid, sha) in sorted(groups):
        scenario = scenario_for(sid, sha) if scenario_for else None
        # per step: (item score, rest score, choice) of each attempt that reached it
        seen: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        order: dict[str, tuple[int, int]] = {}
        observed: dict[str, dict[int, int]] = defaultdict(dict)  # step -> choice -> total
        for n, a in enumerate(groups[(sid, sha)]):
            total = sum(x["points"] for x in a["answers"])
            at_step: dict[str, int] = defaultdict(int)
            first: dict[str, dict] = {}
            for x in a["answers"]:
                at_step[x["step"]] += x["points"]
                first.setdefault(x["step"], x)
                observed[x["step"]][x["choice"]] = x["points"]
            for pos, (step, x) in enumerate(first.items()):
                seen[step].append((x["points"], total - at_step[step], x["choice"]))
                order[step] = min(order.get(step, (pos, n)), (pos, n))
        for step in sorted(seen, key=lambda s: (order[s], s)):
            data = seen[step]
            spec = scenario.steps.get(step) if scenario is not None else None
            if spec is not None and spec.choices and all(c < len(spec.choices) for _, _, c in data):
                totals = [c.total for c in spec.choices]
                texts = [localize(c.text, lang) for c in spec.choices]
                phase = spec.phase
                estimated = False
            else:
                width = max(observed[step]) + 1
                totals = [observed[step].get(i) for i in range(width)]
                texts = [None] * width
                phase = None
                estimated = True
            known = [t for t in totals if t is not None]
            x_max = max(known)
            x_min = min(0, min(known))
            scores = [s for s, _, _ in data]
            mean = sum(scores) / len(scores)
            facility = (mean - x_min) / (x_max - x_min) if x_max > x_min else None
            disc = pearson([float(s) for s in scores], [float(r) for _, r, _ in data])
            counts = [0] * len(totals)
            for _, _, c in data:
                counts[c] += 1
            choices = [
                {"choice": i + 1, "text": texts[i], "count": counts[i],
                 "share": round(counts[i] / len(data), 3), "points": totals[i],
                 "best": totals[i] is not None and totals[i] == x_max}
                for i in range(len(totals))
            ]
            wrong = [c for c in choices if not c["best"] and c["count"] > 0]
            wrong_pick = max(wrong, key=lambda c: (c["count"], -c["choice"])) if wrong else None
            flags = []
            if facility is not None and facility > EASY:
                flags.append("too_easy")
            if facility is not None and facility < HARD:
                flags.append("too_hard")
            if disc is not None and disc < DISCRIMINATION:
                flags.append("poor_discrimination")
            rows.append({
                "scenario": sid,
                "version": sha[:8] if versions[sid] > 1 else "",
                "sha256": sha,
                "step": step,
                "phase": phase,
                "attempts": len(data),
                "mean": round(mean, 3),
                "max": x_max,
                "min": x_min,
                "facility": None if facility is None else round(facility, 3),
                "discrimination": None if disc is None else round(disc, 3),
                "flags": flags,
                "most_picked_wrong": wrong_pick,
                "choices": choices,
                "estimated": estimated,
            })
    return rows
