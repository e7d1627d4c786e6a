"""The item-writing audit: does the form of a scenario's choices give the answer away?

Two measures, per scenario and for a whole set (docs: scenarios/README.md, "Auditing for cues"):

- cue rates (coach.scenario.cues): how often a teller following a surface cue (the longest, the
  shortest, the one naming the customer, the apology, the politest, the most clause marks, a
  position) lands on a best choice, beside the rate of blind picking;
- surface strategies played through the engine: always the longest choice, the shortest, the
  politest, the one with the most clause marks, the first, the last, and random picking (the mean
  of RANDOM_RUNS seeded runs): the overall score and whether the play is ready;
- for the verdict's fairness (docs/scoring.md), not for --strict: how many "one slip" plays (the best
  path with ONE best choice replaced by that step's second-best) stay ready, and how many decision
  steps offer a half-right choice.

A strategy breaks a tie (several choices equally long, equally polite…) by taking the first in file
order, so its play is deterministic. Pure Python: no terminal, no store.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from coach.engine import Session, SessionOver
from coach.scenario.cues import (
    CUE_IDS, POSITION_MIN_STEPS, CueTally, Features, decision_steps, tally_scenario,
)
from coach.scenario.model import Scenario, Step

#: Seeded random plays per scenario; the mean is stable to about a point at this count.
RANDOM_RUNS = 200
#: --strict fails when a surface strategy's mean overall on the set beats random's by more than this.
STRATEGY_MARGIN = 15.0
#: --strict fails when a cue rate on the set is "far above chance": at least SET_MIN_STEPS steps
#: measured, at least SET_MARGIN above chance, and SET_Z standard deviations of blind picking above
#: it (so a small set is not failed on a run of luck, and a large one not on a trivial excess).
SET_MIN_STEPS = 10
SET_MARGIN = 0.15
SET_Z = 2.0

STRATEGY_IDS = ("longest_zh", "longest_en", "shortest_zh", "shortest_en", "polite", "clauses", "first", "last")


def _argbest(values: list[float], pick: Callable) -> int:
    """The first index holding the extreme value: a deterministic tie-break."""
    target = pick(values)
    return values.index(target)


def _picker(strategy: str, f: Features) -> Callable[[Step], int] | None:
    if strategy in ("longest_zh", "longest_en", "shortest_zh", "shortest_en"):
        lang = strategy[-2:]
        if lang not in f.langs:
            return None
        pick = max if strategy.startswith("longest") else min
        return lambda step: _argbest([f.length(c, lang) for c in step.choices], pick)
    if strategy == "polite":
        return lambda step: _argbest([f.polite(c) for c in step.choices], max)
    if strategy == "clauses":
        return lambda step: _argbest([f.clauses(c) for c in step.choices], max)
    if strategy == "first":
        return lambda step: 0
    if strategy == "last":
        return lambda step: len(step.choices) - 1
    raise KeyError(strategy)


@dataclass
class Play:
    overall: float
    ready: float  # 0/1 for a strategy; the fraction of runs for random


def _play(scenario: Scenario, pick: Callable[[Step], int]) -> Play:
    session = Session(scenario)
    try:
        while not session.finished:
            session.choose(pick(session.step))
    except SessionOver:  # a loop the strategy never leaves: what was earned so far stands
        pass
    card = session.scorecard()
    return Play(card.overall, 1.0 if card.ready and session.finished else 0.0)


def _random(scenario: Scenario, runs: int) -> Play:
    total = ready = 0.0
    for seed in range(runs):
        rng = random.Random(seed)
        p = _play(scenario, lambda step: rng.randrange(len(step.choices)))
        total += p.overall
        ready += p.ready
    return Play(total / runs, ready / runs)


def second_best(step: Step) -> int | None:
    """The mildest slip at a step: the highest total below the best, not a critical mistake
    (first in file order on a tie); None when every choice is best or critical."""
    top = max(c.total for c in step.choices)
    rest = [i for i, c in enumerate(step.choices) if c.total < top and c.critical is None]
    if not rest:
        return None
    return max(rest, key=lambda i: (step.choices[i].total, -i))


def one_slip(scenario: Scenario) -> tuple[int, int]:
    """Replace ONE best choice on the best path by that step's second-best and play the rest best:
    (how many of these plays are ready, how many there are)."""
    best = Session(scenario)
    try:
        best.play_best()
    except SessionOver:
        return 0, 0
    path = best.choices_made
    ready = total = 0
    for n in range(len(path)):
        session = Session.replay(scenario, path[:n])
        slip = second_best(session.step)
        if slip is None:
            continue
        total += 1
        try:
            session.choose(slip)
            session.play_best()
        except SessionOver:
            continue
        ready += session.scorecard().ready
    return ready, total


def half_right_steps(scenario: Scenario) -> tuple[int, int]:
    """(decision steps with at least one half-right choice: 0 < total < the best total, decision steps)."""
    steps = decision_steps(scenario)
    with_half = 0
    for _, step in steps:
        top = max(c.total for c in step.choices)
        if any(0 < c.total < top for c in step.choices):
            with_half += 1
    return with_half, len(steps)


@dataclass
class ScenarioAudit:
    id: str
    path: str
    steps: int
    cues: dict[str, CueTally]
    positions: list[CueTally]
    strategies: dict[str, Play]
    random: Play
    best: Play
    slip: tuple[int, int] = (0, 0)  # one-slip plays ready, of
    half: tuple[int, int] = (0, 0)  # decision steps with a half-right choice, of

    def warnings(self) -> list[str]:
        """The cues `coach validate` warns about for this scenario (same thresholds)."""
        out = [cid for cid, t in self.cues.items() if t.systematic()]
        out += [f"pos{i + 1}" for i, t in enumerate(self.positions)
                if t.steps >= POSITION_MIN_STEPS and t.systematic() and t.rate < 1]
        return out


def audit_scenario(scenario: Scenario, path: str = "", runs: int = RANDOM_RUNS) -> ScenarioAudit:
    cues, positions = tally_scenario(scenario)
    f = Features(scenario)
    strategies: dict[str, Play] = {}
    for sid in STRATEGY_IDS:
        pick = _picker(sid, f)
        if pick is not None:
            strategies[sid] = _play(scenario, pick)
    best = _play(scenario, lambda step: step.best_index())
    return ScenarioAudit(
        scenario.id, path, len(decision_steps(scenario)), cues, positions, strategies,
        _random(scenario, runs), best, one_slip(scenario), half_right_steps(scenario),
    )


@dataclass
class SetAudit:
    scenarios: list[ScenarioAudit]
    runs: int = RANDOM_RUNS
    cues: dict[str, CueTally] = field(default_factory=dict)
    positions: list[CueTally] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cues = {cid: CueTally() for cid in CUE_IDS}
        width = max((len(a.positions) for a in self.scenarios), default=0)
        self.positions = [CueTally() for _ in range(width)]
        for a in self.scenarios:
            for cid, t in a.cues.items():
                self.cues[cid].merge(t)
            for i, t in enumerate(a.positions):
                self.positions[i].merge(t)

    @property
    def steps(self) -> int:
        return sum(a.steps for a in self.scenarios)

    def strategy(self, sid: str) -> tuple[float, float, int] | None:
        """Mean overall, number ready, and scenarios played, for one strategy over the set."""
        plays = [a.strategies[sid] for a in self.scenarios if sid in a.strategies]
        if not plays:
            return None
        return sum(p.overall for p in plays) / len(plays), sum(p.ready for p in plays), len(plays)

    def random(self) -> tuple[float, float, int]:
        plays = [a.random for a in self.scenarios]
        n = len(plays) or 1
        return sum(p.overall for p in plays) / n, sum(p.ready for p in plays), len(plays)

    def far_cues(self) -> list[str]:
        """Cue ids (and `pos1`…) whose rate on the set is far above chance."""
        out = []
        named = list(self.cues.items()) + [(f"pos{i + 1}", t) for i, t in enumerate(self.positions)]
        for cid, t in named:
            if far_above_chance(t):
                out.append(cid)
        return out

    def beating_random(self) -> list[str]:
        base = self.random()[0]
        out = []
        for sid in STRATEGY_IDS:
            got = self.strategy(sid)
            if got is not None and got[0] - base > STRATEGY_MARGIN:
                out.append(sid)
        return out

    def failures(self) -> dict[str, list[str]]:
        """What --strict fails on: cue ids (`pos1`… for positions) and strategy ids."""
        return {"cues": self.far_cues(), "strategies": self.beating_random()}


def far_above_chance(t: CueTally) -> bool:
    if t.steps < SET_MIN_STEPS or t.rate is None:
        return False
    return t.rate - t.chance >= SET_MARGIN and t.z >= SET_Z


def audit(scenarios: list[tuple[Scenario, str]], runs: int = RANDOM_RUNS) -> SetAudit:
    return SetAudit([audit_scenario(s, p, runs) for s, p in scenarios], runs)


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 1)


def _cue_dict(t: CueTally, far: bool | None = None) -> dict:
    d = {"rate": _pct(t.rate), "chance": _pct(t.chance), "hits": round(t.hits, 2), "steps": t.steps}
    if far is not None:
        d["far_above_chance"] = far
    return d


def to_dict(result: SetAudit) -> dict:
    """The audit as plain data (`coach audit --format json`); rates are percentages."""
    failures = result.failures()
    far = set(failures["cues"])
    base, base_ready, n = result.random()
    strategies = {}
    for sid in STRATEGY_IDS:
        got = result.strategy(sid)
        if got is not None:
            strategies[sid] = {"overall": round(got[0], 1), "ready": got[1], "scenarios": got[2],
                               "beats_random_by": round(got[0] - base, 1)}
    return {
        "scenarios": [
            {
                "id": a.id, "path": a.path, "steps": a.steps,
                "cues": {cid: _cue_dict(t) for cid, t in a.cues.items()},
                "positions": [_cue_dict(t) for t in a.positions],
                "strategies": {sid: {"overall": p.overall, "ready": bool(p.ready)} for sid, p in a.strategies.items()},
                "random": {"overall": round(a.random.overall, 1), "ready": round(a.random.ready, 3)},
                "best": {"overall": a.best.overall, "ready": bool(a.best.ready)},
                "one_slip": {"ready": a.slip[0], "of": a.slip[1]},
                "half_right_steps": {"with": a.half[0], "of": a.half[1]},
                "warnings": a.warnings(),
            }
            for a in result.scenarios
        ],
        "set": {
            "scenarios": len(result.scenarios),
            "steps": result.steps,
            "cues": {cid: _cue_dict(t, cid in far) for cid, t in result.cues.items()},
            "positions": [_cue_dict(t, f"pos{i + 1}" in far) for i, t in enumerate(result.positions)],
            "strategies": strategies,
            "random": {"overall": round(base, 1), "ready": round(base_ready, 2), "scenarios": n,
                       "runs": result.runs},
            "one_slip": {"ready": sum(a.slip[0] for a in result.scenarios),
                         "of": sum(a.slip[1] for a in result.scenarios)},
            "half_right_steps": {"with": sum(a.half[0] for a in result.scenarios),
                                 "of": sum(a.half[1] for a in result.scenarios)},
        },
        "thresholds": {
            "strategy_margin": STRATEGY_MARGIN, "cue_margin": round(100 * SET_MARGIN), "cue_min_steps": SET_MIN_STEPS,
            "cue_z": SET_Z,
        },
        "failures": failures,
        "ok": not (failures["cues"] or failures["strategies"]),
    }
