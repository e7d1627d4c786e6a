"""Spaced review, as pure Python: the due cards of a teller become review items, one decision each.

An item is the customer, the exchange just before (the customer's line and what the teller said,
short), the situation, the customer's line and the step's choices, shuffled. The teller's answer
gives the FSRS rating (coach/store/review.py: wrong = Again, half-right = Hard, best = Good, best
and quick = Easy); typing a reply instead ("say it yourself") gives the teller's own rating.

A card whose scenario is gone, whose step no longer exists, or whose step changed since the miss
(its fingerprint differs) is retired: what the teller would review is no longer what they missed.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from coach.scenario.model import Localized, localize
from coach.store import review as cards

if TYPE_CHECKING:
    from coach.scenario.model import Scenario, Step


@dataclass
class ReviewItem:
    card: cards.CardRow
    scenario: "Scenario"
    order: list[int]  # display position -> file index of the choice
    prev_said: Localized | None = None  # the customer's line before
    prev_reply: Localized | None = None  # what the teller said then

    @property
    def step(self) -> "Step":
        return self.scenario.steps[self.card.step]

    @property
    def best_total(self) -> int:
        return max(c.total for c in self.step.choices)

    def best_index(self) -> int:
        return self.step.best_index() or 0

    def grade(self, position: int, seconds: float | None = None) -> "Graded":
        index = self.order[position]
        choice = self.step.choices[index]
        rating = cards.rating_for(choice.total, self.best_total, choice.critical is not None, seconds)
        return Graded(self, index, rating, seconds)

    def to_dict(self, lang: str) -> dict:
        step = self.step
        return {**self.card.to_dict(), "title": localize(self.scenario.title, lang),
                "customer": localize(step.customer, lang), "situation": localize(step.situation, lang),
                "choices": [localize(step.choices[i].text, lang) for i in self.order]}


@dataclass(frozen=True)
class Graded:
    item: ReviewItem
    index: int  # file index chosen
    rating: int
    seconds: float | None = None

    @property
    def verdict(self) -> str:
        """critical, good, fair (half-right) or poor, as in practice."""
        choice = self.item.step.choices[self.index]
        if choice.critical is not None:
            return "critical"
        if choice.total >= self.item.best_total:
            return "good"
        return "fair" if choice.total > 0 else "poor"


@dataclass
class Deck:
    items: list[ReviewItem] = field(default_factory=list)
    retired: list[int] = field(default_factory=list)  # card ids retired while building


def build(conn: sqlite3.Connection, teller_id: int, library: Iterable[tuple["Scenario", str]], *,
          at=None, limit: int | None = None, seed: int | None = None) -> Deck:
    """The teller's due items, earliest first; stale cards are retired on the way."""
    by_id = {s.id: (s, sha) for s, sha in library}
    rng = random.Random(seed)
    deck = Deck()
    for card in cards.due(conn, teller_id, at):
        found = by_id.get(card.scenario_id)
        reason = _stale(card, found)
        if reason:
            cards.retire(conn, card.id)
            deck.retired.append(card.id)
            continue
        scenario = found[0]
        step = scenario.steps[card.step]
        order = list(range(len(step.choices)))
        rng.shuffle(order)
        item = ReviewItem(card, scenario, order)
        prev = scenario.steps.get(card.prev_step or "")
        if prev is not None and card.prev_choice is not None and 0 <= card.prev_choice < len(prev.choices):
            item.prev_said = prev.customer
            item.prev_reply = prev.choices[card.prev_choice].text
        deck.items.append(item)
        if limit is not None and len(deck.items) >= limit:
            break
    return deck


def _stale(card: cards.CardRow, found) -> str | None:
    if found is None:
        return "scenario gone"
    scenario, sha = found
    step = scenario.steps.get(card.step)
    if step is None or step.is_ending or not step.choices:
        return "step gone"
    if card.scenario_sha256 and sha and card.scenario_sha256 == sha:
        return None  # the very file the miss was made on
    if card.step_sha is None or card.step_sha != step.fingerprint():
        return "step changed"
    return None


def weakest_due(conn: sqlite3.Connection, teller_id: int, principles: list[str], at=None) -> list[cards.CardRow]:
    """Due cards that missed any of these principles (the pre-shift check's weakest), earliest first."""
    wanted = set(principles)
    return [c for c in cards.due(conn, teller_id, at) if wanted & set(c.principles)]


def due_for_verdict(conn: sqlite3.Connection, teller_id: int, verdict, library) -> list[dict]:
    """Due review items for a pre-shift check's weakest principles (docs/review.md): the moments
    missed, in this check or before, that train what the teller should review, earliest first;
    only those of scenarios still in `library` (candidates with .scenario and .sha256). Shown by
    `coach check` and by the check's verdict screen."""
    if verdict.ready or not verdict.review:
        return []
    pool = [(c.scenario, c.sha256) for c in library]
    live = {(i.card.scenario_id, i.card.step) for i in build(conn, teller_id, pool).items}
    return [c.to_dict() for c in weakest_due(conn, teller_id, verdict.review)
            if (c.scenario_id, c.step) in live]
