"""Spaced review inside CoachApp (the `r` key, `coach review`): the deck of due moments, each answer
rated and stored, typed replies saved, and back to the library. ReviewScreen only draws the deck
and posts what the teller did; the store is reached here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.store.tellers import teller_id
from coach.tui.controllers.stack import show_main

if TYPE_CHECKING:
    from coach.review import ReviewItem
    from coach.store.review import CardRow
    from coach.scenario.markers import ReplyCheck
    from coach.tui.controllers.practice import PracticeController
    from coach.tui.screens.review import ReviewScreen

#: A review session is a few minutes: at most this many items (the earliest due); the rest wait.
SESSION_ITEMS = 20


class ReviewController:
    def __init__(self, app, practice: PracticeController) -> None:
        self.app, self.practice = app, practice
        self.screen: ReviewScreen | None = None  # the review under way
        self.conn = None
        self.teller_id: int | None = None

    def _link(self):
        link = self.app.store
        return link if link is not None and link.teller else None

    def start(self) -> None:
        link = self._link()
        if link is None:
            self.app.notify(self.app.t("review_no_store"), severity="warning")
            return
        from coach import review
        from coach.store import review as cards
        from coach.tui.screens.review import ReviewScreen

        self.conn, self.teller_id = link.conn, teller_id(link.conn, link.teller)
        # Load only the scenarios that have due cards: a library of thousands is listed from the cache,
        # and opening every file to review three moments would freeze the screen.
        wanted = {card.scenario_id for card in cards.due(self.conn, self.teller_id)}
        pool = [(e.scenario, e.sha256) for e in self.app.all_entries()
                if e.ok and e.id in wanted and e.scenario is not None]
        deck = review.build(self.conn, self.teller_id, pool, seed=self.app.seed, limit=SESSION_ITEMS)
        self.practice.drop_play()
        self.screen = ReviewScreen(deck.items, due_tomorrow=None if deck.items else self.due_tomorrow())
        show_main(self.app, self.screen)

    # ---- the store ------------------------------------------------------------------------------

    def rate(self, card_id: int, rating: int, *, how: str = "choice", choice: int | None = None,
             seconds: float | None = None) -> CardRow:
        from coach.store import review as cards

        return cards.review(self.conn, card_id, rating, how=how, choice=choice, seconds=seconds)

    def save_reply(self, scenario_id: str, step: str, lang: str, text: str, check: ReplyCheck, rating: int,
                   *, card_id: int | None = None, attempt_id: int | None = None) -> None:
        from coach.store import review as cards

        cards.save_reply(self.conn, self.teller_id, scenario_id, step, lang, text, check.to_dict(), rating,
                         card_id=card_id, attempt_id=attempt_id)

    def due_tomorrow(self) -> int:
        from coach.store import review as cards

        return cards.count_due_tomorrow(self.conn, self.teller_id)

    # ---- what the teller did on the review screen ----------------------------------------------

    def _current(self, item: ReviewItem) -> ReviewScreen | None:
        """The review screen, if `item` is the one it shows (a message may arrive late)."""
        screen = self.screen
        return screen if screen is not None and screen.item is item and self.app.screen is screen else None

    def choose(self, item: ReviewItem, position: int, seconds: float) -> None:
        screen = self._current(item)
        if screen is None:
            return
        from coach.tui.screens.review import ReviewFeedbackScreen

        graded = item.grade(position, seconds)
        try:
            after = self.rate(item.card.id, graded.rating, choice=graded.index, seconds=graded.seconds)
        except Exception as exc:  # a locked or damaged history: say so, keep the item, never a traceback
            self._store_failed(exc)
            return
        screen.reviewed += 1
        self.app.push_screen(ReviewFeedbackScreen(graded, after.due), lambda _: self._next(screen))

    def say(self, item: ReviewItem) -> None:
        screen = self._current(item)
        if screen is None:
            return
        from coach.tui.screens.say import SayScreen

        self.app.push_screen(SayScreen(item.scenario, item.step, prev_said=item.prev_said,
                                       prev_reply=item.prev_reply), lambda result: self._said(screen, item, result))

    def _said(self, screen: ReviewScreen, item: ReviewItem, result) -> None:
        if not result or screen.item is not item:
            return
        from coach.tui.i18n import t
        from coach.tui.screens.review import rating_name, when_text

        reply, check, rating = result
        lang = self.app.lang
        try:
            after = self.rate(item.card.id, rating, how="typed")
            self.save_reply(item.card.scenario_id, item.card.step, lang, reply, check, rating, card_id=item.card.id)
        except Exception as exc:
            self._store_failed(exc)
            return
        screen.reviewed += 1
        self.app.notify(t("rating", lang, r=rating_name(rating, lang)) + " · "
                        + t("next_due", lang, when=when_text(after.due, lang)), timeout=3)
        self._next(screen)

    def _next(self, screen: ReviewScreen) -> None:
        if screen.index + 1 >= len(screen.items):  # the last one: the done view says what is due tomorrow
            screen.due_tomorrow = self.due_tomorrow()
        screen.next_item()

    def _store_failed(self, exc: Exception) -> None:
        from coach.tui.i18n import t

        self.app.notify(t("store_failed", self.app.lang, e=str(exc) or type(exc).__name__), severity="error",
                        timeout=8)

    def done(self) -> None:
        self.screen = None
        self.practice.show_library()
