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
from dataclasses import dataclass, field
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


@dataclass
class StepStats:
    """What item analysis needs of one decision step, as sums: the same whether they come from rows
    in Python or from a GROUP BY in PostgreSQL (coach.central.report)."""

    n: int = 0  # attempts that reached the step
    sx: int = 0  # sum of item scores (the points of the first answer at the step)
    sy: int = 0  # sum of rest scores (the attempt's other points)
    sxy: int = 0
    sxx: int = 0
    syy: int = 0
    counts: dict[int, int] = field(default_factory=dict)  # 0-based choice -> first answers picking it
    observed: dict[int, int] = field(default_factory=dict)  # 0-based choice -> its points, as seen
    order: tuple = (1 << 30, "")  # (lowest position on a path, its first attempt: rank or start time)

    def add(self, x: int, y: int, choice: int) -> None:
        self.n += 1
        self.sx += x
        self.sy += y
        self.sxy += x * y
        self.sxx += x * x
        self.syy += y * y
        self.counts[choice] = self.counts.get(choice, 0) + 1


def pearson_from_sums(s: StepStats) -> float | None:
    """Pearson's r from exact integer sums; None under two attempts or when either does not vary."""
    if s.n < 2:
        return None
    sxx = s.n * s.sxx - s.sx * s.sx
    syy = s.n * s.syy - s.sy * s.sy
    if sxx <= 0 or syy <= 0:
        return None
    return (s.n * s.sxy - s.sx * s.sy) / sqrt(sxx * syy)


def item_analysis(
    attempts: list[dict],
    first_only: bool = True,
    scenario_for: Callable[[str, str], object | None] | None = None,
    lang: str = "en",
) -> list[dict]:
    """One row per (scenario version, decision step), in scenario then path order."""
    pool = first_attempts(attempts) if first_only else list(attempts)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for a in pool:
        if a["answers"]:
            groups[(a["scenario"], a["sha256"])].append(a)
    stats: dict[tuple[str, str], dict[str, StepStats]] = {}
    for key, group in groups.items():
        steps: dict[str, StepStats] = defaultdict(StepStats)
        for n, a in enumerate(group):
            total = sum(x["points"] for x in a["answers"])
            at_step: dict[str, int] = defaultdict(int)
            first: dict[str, dict] = {}
            for x in a["answers"]:
                at_step[x["step"]] += x["points"]
                first.setdefault(x["step"], x)
                steps[x["step"]].observed[x["choice"]] = x["points"]
            for pos, (step, x) in enumerate(first.items()):
                st = steps[step]
                st.add(x["points"], total - at_step[step], x["choice"])
                st.order = min(st.order, (pos, n))
        stats[key] = dict(steps)
    return item_rows(stats, scenario_for, lang)


def item_rows(
    stats: dict[tuple[str, str], dict[str, StepStats]],
    scenario_for: Callable[[str, str], object | None] | None = None,
    lang: str = "en",
) -> list[dict]:
    """The item analysis rows from per-step sums, keyed by (scenario id, sha256) then step."""
    from coach.scenario.model import localize

    versions: dict[str, int] = defaultdict(int)
    for sid, _ in stats:
        versions[sid] += 1

    rows: list[dict] = []
    for (sid, sha) in sorted(stats):
        scenario = scenario_for(sid, sha) if scenario_for else None
        steps = stats[(sid, sha)]
        for step in sorted(steps, key=lambda s: (steps[s].order, s)):
            st = steps[step]
            if st.n == 0:
                continue
            spec = scenario.steps.get(step) if scenario is not None else None
            if spec is not None and spec.choices and all(c < len(spec.choices) for c in st.counts):
                totals = [c.total for c in spec.choices]
                texts = [localize(c.text, lang) for c in spec.choices]
                phase = spec.phase
                estimated = False
            else:
                width = max(st.observed) + 1
                totals = [st.observed.get(i) for i in range(width)]
                texts = [None] * width
                phase = None
                estimated = True
            known = [t for t in totals if t is not None]
            x_max = max(known)
            x_min = min(0, min(known))
            mean = st.sx / st.n
            facility = (mean - x_min) / (x_max - x_min) if x_max > x_min else None
            disc = pearson_from_sums(st)
            counts = [st.counts.get(i, 0) for i in range(len(totals))]
            choices = [
                {"choice": i + 1, "text": texts[i], "count": counts[i],
                 "share": round(counts[i] / st.n, 3), "points": totals[i],
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
                "attempts": st.n,
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
