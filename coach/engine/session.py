"""A Session: one play of a scenario, as a state machine over its step graph."""

from __future__ import annotations

from typing import Iterable

from coach.engine.rules import RuleEvent, RuleState, on_ending, on_move
from coach.engine.scorecard import Scorecard
from coach.engine.turn import Turn
from coach.scenario.model import MAX_MOVES, Scenario, Step

# MAX_MOVES: a play longer than this is a cycle the linter should have caught (or a teller going
# round a loop with a way out); stop rather than loop forever. The linter keeps the best path within it.


class SessionOver(Exception):
    """A choice was made after the session reached an ending, or the play ran away."""


def _clamp(mood: int) -> int:
    return max(0, min(100, mood))


class Session:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.step_id = scenario.start
        self.mood = scenario.customer.mood
        self.turns: list[Turn] = []
        self.ending_events: list[RuleEvent] = []
        self._state = RuleState()
        self._enter(self.step_id)

    @classmethod
    def replay(cls, scenario: Scenario, indices: Iterable[int]) -> "Session":
        """A session with these 0-based choices made in order: the same choices give the same state."""
        session = cls(scenario)
        for index in indices:
            session.choose(index)
        return session

    @property
    def step(self) -> Step:
        return self.scenario.steps[self.step_id]

    @property
    def finished(self) -> bool:
        return self.step.is_ending

    @property
    def outcome(self) -> str | None:
        return self.step.ending

    @property
    def choices_made(self) -> list[int]:
        return [t.index for t in self.turns]

    def choose(self, index: int) -> Turn:
        """Take the choice at 0-based `index` of the current step."""
        step = self.step
        if step.is_ending:
            raise SessionOver("the session has ended")
        if len(self.turns) >= MAX_MOVES:
            raise SessionOver(f"more than {MAX_MOVES} moves: the scenario loops")
        if not 0 <= index < len(step.choices):
            raise IndexError(f"step '{self.step_id}' has {len(step.choices)} choices, not {index + 1}")
        choice = step.choices[index]
        best_index = step.best_index()
        # What the best move at this step earns per principle: the choice's own points when it is
        # one of the best (two good routes each earn full marks), else the first best's, the move
        # feedback shows. Not the most any choice offered: a half-right choice's points for a
        # principle the best move does not need would mark a perfect play down in that principle.
        top = step.choices[best_index].total
        best_points = dict((choice if choice.total == top else step.choices[best_index]).scores)
        mood_before = self.mood
        events = on_move(self.scenario, self.step_id, choice, mood_before, self._state)
        mood_after = _clamp(mood_before + choice.mood + sum(e.mood for e in events))
        turn = Turn(
            step=self.step_id, phase=step.phase or "", index=index, act=choice.act,
            points=dict(choice.scores), best_points=best_points, best_index=best_index,
            best_total=step.choices[best_index].total, mood_before=mood_before,
            mood_after=mood_after, next=choice.next, events=events, critical=choice.critical,
        )
        self.turns.append(turn)
        self.mood = mood_after
        self._enter(choice.next)
        return turn

    def undo(self) -> Turn | None:
        """Take back the last choice (practice mode); returns it, or None at the start."""
        if not self.turns:
            return None
        last = self.turns[-1]
        fresh = Session.replay(self.scenario, self.choices_made[:-1])
        self.__dict__.update(fresh.__dict__)
        return last

    def play_best(self) -> None:
        """Take the best choice at every step until an ending."""
        while not self.finished:
            self.choose(self.step.best_index())

    def scorecard(self) -> Scorecard:
        return Scorecard.from_turns(
            self.scenario.id, self.scenario.customer.mood, self.turns, self.ending_events,
            self.outcome,
        )

    def _enter(self, step_id: str) -> None:
        if step_id not in self.scenario.steps:
            raise SessionOver(f"step '{step_id}' does not exist")
        self.step_id = step_id
        if self.step.is_ending:
            self.ending_events = on_ending(self.scenario, step_id, self._state)
