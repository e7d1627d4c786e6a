"""The article's sequencing advice, applied to every scenario whatever the author's points say.

Each rule cites its sentence of the article; docs/scoring.md documents them for trainers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.scenario.model import Choice, Scenario

#: Mood at or above which a customer counts as upset (0 calm … 100 furious).
UPSET = 60
#: How much a broken rule stirs the customer up.
MOOD_PENALTY = 10
#: Points a rule is worth.
WEIGHT = 2

RULE_QUOTES: dict[str, str] = {
    "soothe_first": "一定要先安抚用户的情绪，时刻保护客户的自尊心，再进行解释",
    "follow_through": "不能以解决客户的不满意为处理客户投诉的终点",
    "no_deflect": "互动不是盲目的敷衍顾客的要求甚至是抱怨",
    "type_fit": "要求型：给他们足够量的信息；困惑型：以专业而又简洁的回答；激动型：以十二分的耐心",
}

RULE_NAMES: dict[str, tuple[str, str]] = {
    "soothe_first": ("先安抚，再解释", "Soothe first, then explain"),
    "follow_through": ("投诉不止于解决", "A complaint does not end at the fix"),
    "no_deflect": ("不敷衍客户", "No perfunctory answers"),
    "type_fit": ("因人而异", "Serve the customer's type"),
}

RULE_GLOSSES: dict[str, str] = {
    "soothe_first": "Soothe the customer's feelings first, protect their self-respect, then explain.",
    "follow_through": "Resolving the dissatisfaction is not the end of handling a complaint.",
    "no_deflect": "Interaction is not brushing off the customer's requests or complaints.",
    "type_fit": "Requesting: enough information; confused: professional and concise; agitated: endless patience.",
}

TYPE_FIT_ACTS: dict[str, frozenset[str]] = {
    "requesting": frozenset({"inform", "offer"}),
    "confused": frozenset({"clarify", "explain"}),
    "agitated": frozenset({"soothe"}),
}


@dataclass(frozen=True)
class RuleEvent:
    """One application of a rule: points earned and made possible, and its effect on mood."""

    rule: str
    step: str
    kept: bool
    earned: dict[str, int] = field(default_factory=dict)
    possible: dict[str, int] = field(default_factory=dict)
    mood: int = 0

    def to_dict(self) -> dict:
        return {
            "rule": self.rule, "step": self.step, "kept": self.kept, "earned": dict(self.earned),
            "possible": dict(self.possible), "mood": self.mood, "quote": RULE_QUOTES[self.rule],
        }


@dataclass
class RuleState:
    """What the rules need to remember across a session."""

    soothed: bool = False
    explained: bool = False
    served: bool = False  # the first non-prepare move has been judged
    followed_up: bool = False


def on_move(scenario: Scenario, step_id: str, choice: Choice, mood_before: int, state: RuleState) -> list[RuleEvent]:
    """Rules judged at a move, given the mood before it. Updates `state`."""
    events: list[RuleEvent] = []
    act = choice.act
    if not state.served and act != "prepare":
        state.served = True
        kept = act in TYPE_FIT_ACTS[scenario.customer.type]
        events.append(RuleEvent(
            "type_fit", step_id, kept,
            earned={"type_fit": WEIGHT if kept else 0}, possible={"type_fit": WEIGHT},
        ))
    if act in ("explain", "inform"):
        if not state.soothed and mood_before >= UPSET:
            events.append(RuleEvent(
                "soothe_first", step_id, False,
                earned={"calm_first": -WEIGHT}, possible={"calm_first": WEIGHT}, mood=MOOD_PENALTY,
            ))
        elif state.soothed and not state.explained and scenario.customer.mood >= UPSET:
            events.append(RuleEvent(
                "soothe_first", step_id, True,
                earned={"calm_first": WEIGHT}, possible={"calm_first": WEIGHT},
            ))
        state.explained = True
    if act == "deflect":
        events.append(RuleEvent(
            "no_deflect", step_id, False,
            earned={"options": -WEIGHT, "respect": -WEIGHT}, mood=MOOD_PENALTY,
        ))
    if act == "soothe":
        state.soothed = True
    if act == "follow_up":
        state.followed_up = True
    return events


def on_ending(scenario: Scenario, step_id: str, state: RuleState) -> list[RuleEvent]:
    """Rules judged when the session reaches an ending."""
    if not scenario.is_complaint:
        return []
    got = WEIGHT if state.followed_up else 0
    return [RuleEvent(
        "follow_through", step_id, state.followed_up,
        earned={"root_cause": got, "proactive": got},
        possible={"root_cause": WEIGHT, "proactive": WEIGHT},
    )]
