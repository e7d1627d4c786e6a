"""Spaced review: one due decision at a time. The customer and the exchange before; the choices
stay hidden until Enter (recall before recognition), or s to say it yourself first. After an
answer, the feedback quotes the article as in practice and says when the item comes back; at the
end, how many are due by tomorrow. The review controller (coach/tui/controllers/review.py) grades
and stores each answer and moves the deck on."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static

from coach.review import Graded, ReviewItem
from coach.scenario.model import localize
from coach.store.review import RATING_NAMES
from coach.tui.i18n import t
from coach.tui.layout import Hanging, Items
from coach.tui.screens.feedback import FeedbackCard, append_points, append_weighed_quote, choice_card
from coach.tui.screens.say import context_text
from coach.tui.widgets.choice_list import ChoiceList


def when_text(due_iso: str, lang: str, now: datetime | None = None) -> str:
    """'in 10 minutes', 'in 5 hours', 'in 3 days' from now."""
    due = datetime.fromisoformat(due_iso)
    seconds = max(0.0, (due - (now or datetime.now(timezone.utc))).total_seconds())
    if seconds < 3600:
        key, n = "in_minutes", max(1, round(seconds / 60))
    elif seconds < 48 * 3600:
        key, n = "in_hours", round(seconds / 3600)
    else:
        key, n = "in_days", round(seconds / 86400)
    return t(key + ("_1" if n == 1 else ""), lang, n=n)


def rating_name(rating: int, lang: str) -> str:
    return t("rate_" + RATING_NAMES[rating], lang)


def review_feedback_text(graded: Graded, due_iso: str, lang: str) -> Text:
    """As practice's feedback: verdict, the choice and why, points, the article's sentence, the best
    move when missed; then the rating and when the item comes back."""
    item = graded.item
    step = item.step
    choice = step.choices[graded.index]
    key = graded.verdict
    out = choice_card(key, choice, choice.critical, lang)
    points = {pid: pts for pid, pts in choice.scores.items() if pts}
    append_points(out, points, lang)
    append_weighed_quote(out, points, lang)
    if key != "good":
        out.append("\n" + t("best_was", lang), style="bold")
        out.append(localize(step.choices[item.best_index()].text, lang) + "\n")
    out.append("\n" + t("rating", lang, r=rating_name(graded.rating, lang)) + " · ", style="bold")
    out.append(t("next_due", lang, when=when_text(due_iso, lang)))
    return out


class ReviewFeedbackScreen(FeedbackCard):
    HELP = "review"
    BINDINGS = [
        Binding("enter,space,escape", "close", "Next", show=False),
        Binding("question_mark", "app.help", "Help", show=False),
    ]

    def __init__(self, graded: Graded, due_iso: str) -> None:
        super().__init__(classes=graded.verdict)
        self.graded, self.due_iso = graded, due_iso

    def relang(self) -> None:
        lang = self.app.lang
        self.query_one("#fb-text", Static).update(Hanging(review_feedback_text(self.graded, self.due_iso, lang)))
        self.query_one("#fb-keys", Static).update(Items(t("review_next", lang)))

    def action_close(self) -> None:
        self.dismiss(None)


class ReviewScreen(Screen):
    DEFAULT_CSS = """
    #rv-body { height: 1fr; min-height: 3; }
    #rv-choices { height: auto; max-height: 10; min-width: 12; }
    """
    HELP = "review"
    BINDINGS = [
        Binding("enter", "reveal", "Show the choices", show=False),
        Binding("s", "say", "Say it yourself", show=False),
        Binding("escape", "end", "End the review", show=False),
        Binding("q", "app.request_quit", "Quit", show=False),
    ]

    @dataclass
    class Chosen(Message):
        """The choice shown at `position` was taken for `item`, `seconds` after the choices showed."""

        item: ReviewItem
        position: int
        seconds: float

    @dataclass
    class Say(Message):
        """s: type your own reply for `item` first."""

        item: ReviewItem

    class Done(Message):
        """Esc, or Enter once every item is reviewed: back to the library."""

    def __init__(self, items: list[ReviewItem], due_tomorrow: int | None = None, clock=time.monotonic) -> None:
        super().__init__()
        self.items, self.clock = list(items), clock
        self.index = 0
        self.revealed = False
        self.reviewed = 0
        self.finished = not self.items
        self.due_tomorrow = due_tomorrow  # shown once the deck is done (the controller counts it)
        self.shown_at = clock()

    @property
    def lang(self) -> str:
        return self.app.lang

    @property
    def item(self) -> ReviewItem | None:
        return None if self.finished else self.items[self.index]

    def compose(self) -> ComposeResult:
        yield Static(id="rv-title", classes="screen-title")
        with VerticalScroll(id="rv-body"):
            yield Static(id="rv-context")
        yield ChoiceList(id="rv-choices")
        yield Static(id="rv-keys", classes="keys")

    def on_mount(self) -> None:
        self.relang()

    def relang(self) -> None:
        lang = self.lang
        choices = self.query_one("#rv-choices", ChoiceList)
        item = self.item
        if item is None:
            self._show_done(lang)
            return
        title = Text(t("review_title", lang, i=self.index + 1, n=len(self.items)), style="bold")
        title.append("  · " + localize(item.scenario.title, lang), style="dim")
        self.query_one("#rv-title", Static).update(title)
        self.query_one("#rv-context", Static).update(
            Hanging(context_text(item.scenario, item.step, lang, item.prev_said, item.prev_reply)))
        choices.show([localize(item.step.choices[i].text, lang) for i in item.order])
        choices.display = self.revealed
        if self.revealed:
            choices.focus()
        else:
            self.query_one("#rv-body").focus()
        self.query_one("#rv-keys", Static).update(Items(t("review_choose" if self.revealed else "reveal", lang)))

    def _show_done(self, lang: str) -> None:
        self.query_one("#rv-title", Static).update(Text(t("review_done", lang, n=self.reviewed), style="bold"))
        body = Text()
        if not self.items:
            body.append(t("review_none", lang) + "\n\n")
        body.append(t("due_tomorrow", lang, n=self.due_tomorrow or 0), style="bold")
        self.query_one("#rv-context", Static).update(body)
        self.query_one("#rv-choices", ChoiceList).display = False
        self.query_one("#rv-keys", Static).update(Items(t("review_done_keys", lang)))
        self.query_one("#rv-body").focus()

    # ---- keys -----------------------------------------------------------------------------------

    def action_reveal(self) -> None:
        if self.finished:
            self.post_message(self.Done())
            return
        if not self.revealed:
            self.revealed = True
            self.relang()

    def action_end(self) -> None:
        self.post_message(self.Done())

    def on_key(self, event: events.Key) -> None:
        if self.finished or not self.revealed or not event.character or event.character not in "123456789":
            return
        n = int(event.character)
        if n <= len(self.item.order):
            event.stop()
            event.prevent_default()
            self.choose(n - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option_index)

    def choose(self, position: int) -> None:
        item = self.item
        if item is None or self.app.screen is not self:
            return
        self.post_message(self.Chosen(item, position, max(0.0, self.clock() - self.shown_at)))

    def action_say(self) -> None:
        item = self.item
        if item is None or self.app.screen is not self:
            return
        self.post_message(self.Say(item))

    def next_item(self) -> None:
        self.index += 1
        self.revealed = False
        if self.index >= len(self.items):
            self.finished = True
        self.shown_at = self.clock()
        self.relang()
