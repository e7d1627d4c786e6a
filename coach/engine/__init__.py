"""The engine: a Session walks a scenario's graph, applies the article's rules, and gives a
Scorecard. Pure Python: imports neither textual nor any terminal machinery."""

from coach.engine.rules import RuleEvent, UPSET
from coach.engine.scorecard import CriticalMistake, PrincipleScore, Scorecard, Tally
from coach.engine.session import Session, SessionOver
from coach.engine.turn import Turn

__all__ = [
    "CriticalMistake", "PrincipleScore", "RuleEvent", "Scorecard", "Session", "SessionOver", "Tally", "Turn", "UPSET",
]
