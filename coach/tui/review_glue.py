"""Spaced review inside CoachApp: the `r` key, and storing answers, typed replies and self-ratings.
The due count on the library and practice's typed replies are the StoreLink's (controllers/link.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.store import review as cards
from coach.store.tellers import teller_id
from coach.tui.controllers.stack import show_main

if TYPE_CHECKING:
    from coach.scenario.markers import ReplyCheck
    from coach.tui.app import CoachApp

#: A review session is a few minutes: at most this many items (the earliest due); the rest wait.
SESSION_ITEMS = 20


def _link(app: "CoachApp"):
    link = getattr(app, "store", None)
    return link if link is not None and link.teller else None


def start_review(app: "CoachApp") -> None:
    link = _link(app)
    if link is None:
        app.notify(app.t("review_no_store"), severity="warning")
        return
    from coach import review
    from coach.tui.screens.review import ReviewScreen

    tid = teller_id(link.conn, link.teller)
    # Load only the scenarios that have due cards: a library of thousands is listed from the cache,
    # and opening every file to review three moments would freeze the screen.
    wanted = {card.scenario_id for card in cards.due(link.conn, tid)}
    pool = [(e.scenario, e.sha256) for e in app.all_entries()
            if e.ok and e.id in wanted and e.scenario is not None]
    deck = review.build(link.conn, tid, pool, seed=getattr(app, "seed", None), limit=SESSION_ITEMS)
    app.practice.drop_play()
    show_main(app, ReviewScreen(deck.items, ReviewLink(app)))


class ReviewLink:
    """What the review screen may do with the store: rate a card, save a reply, count what is due."""

    def __init__(self, app: "CoachApp") -> None:
        self.app = app
        link = _link(app)
        self.conn = link.conn
        self.teller_id = teller_id(link.conn, link.teller)

    def rate(self, card_id: int, rating: int, *, how: str = "choice", choice: int | None = None,
             seconds: float | None = None) -> cards.CardRow:
        return cards.review(self.conn, card_id, rating, how=how, choice=choice, seconds=seconds)

    def save_reply(self, scenario_id: str, step: str, lang: str, text: str, check: "ReplyCheck", rating: int,
                   *, card_id: int | None = None, attempt_id: int | None = None) -> None:
        cards.save_reply(self.conn, self.teller_id, scenario_id, step, lang, text, check.to_dict(), rating,
                         card_id=card_id, attempt_id=attempt_id)

    def due_tomorrow(self) -> int:
        return cards.count_due_tomorrow(self.conn, self.teller_id)

    def done(self) -> None:
        self.app.practice.show_library()
