"""Practice-mode feedback after each choice: good or poor, points per principle, the rule that
fired and the article's sentence behind it (with the English gloss in English mode)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from coach.engine import Turn
from coach.engine.rules import RULE_GLOSSES, RULE_NAMES, RULE_QUOTES
from coach.linebreak import series
from coach.principles import PRINCIPLES, aside, colon
from coach.scenario.model import localize
from coach.tui.catalog import Entry
from coach.tui.i18n import pair, t
from coach.tui.layout import Hanging, Items
from coach.tui.screens.kept import Kept
from coach.tui.views import Play


def verdict_key(turn: Turn) -> str:
    """critical, good, fair (partly right: some but not all of the best points) or poor."""
    if turn.critical is not None:
        return "critical"
    broken = any(not e.kept for e in turn.events)
    if turn.was_best and not broken:
        return "good"
    if turn.partly_right:
        return "fair"
    return "poor"


def missed(turn: Turn) -> bool:
    """The teller missed a better move here: fewer points than the best, or a rule broken where
    the best choice was another one."""
    if turn.index == turn.best_index:
        return False
    return not turn.was_best or any(not e.kept for e in turn.events)


def quote_lines(quote_zh: str, gloss_en: str, lang: str) -> Text:
    text = Text("  「" + quote_zh + "」", style="italic")
    if lang != "zh":
        text.append("\n  " + gloss_en, style="dim")
    return text


def choice_card(key: str, choice, critical, lang: str) -> Text:
    """The head of a feedback card (practice and review): the verdict, a critical mistake said
    plainly and first (no principle points make up for it), the choice and why."""
    out = Text()
    out.append({"good": "✓ ", "fair": "~ ", "poor": "✗ ", "critical": "‼ "}[key] + t(key, lang), style="bold")
    out.append("\n")
    if critical is not None:
        out.append(localize(critical, lang) + "\n", style="bold")
        out.append(t("critical_why", lang) + "\n")
    out.append(t("you", lang) + colon(lang), style="bold")
    out.append(localize(choice.text, lang))
    note = localize(choice.feedback, lang)
    if note:
        out.append("\n" + note)
    return out


def append_points(out: Text, points: dict[str, int], lang: str) -> None:
    out.append("\n\n" + t("points", lang) + "\n", style="bold")
    if points:
        for pid, pts in points.items():
            out.append(f"  {pts:+d} " + PRINCIPLES[pid].name(lang) + "\n")
    else:
        out.append("  " + t("no_points", lang) + "\n")


def append_weighed_quote(out: Text, points: dict[str, int], lang: str) -> None:
    """The article's sentence behind the principle the choice weighed on most."""
    weighed = sorted(points, key=lambda p: -abs(points[p]))
    if weighed:
        p = PRINCIPLES[weighed[0]]
        out.append("\n")
        out.append(p.name(lang), style="bold")
        out.append("\n")
        out.append_text(quote_lines(p.quote_zh, p.gloss_en, lang))
        out.append("\n")


def feedback_text(scenario, turn: Turn, lang: str) -> Text:
    step = scenario.steps[turn.step]
    choice = step.choices[turn.index]
    key = verdict_key(turn)
    out = choice_card(key, choice, turn.critical, lang)
    points = {pid: pts for pid, pts in turn.points.items() if pts}
    append_points(out, points, lang)
    out.append(t("mood_change", lang, a=turn.mood_before, b=turn.mood_after) + "\n")
    for ev in turn.events:
        out.append("\n")
        out.append(("✓ " + t("rule_kept", lang)) if ev.kept else ("✗ " + t("rule_broken", lang)), style="bold")
        out.append(colon(lang) + pair(RULE_NAMES[ev.rule], lang))
        pts = series((f"{v:+d} {PRINCIPLES[p].name(lang)}" for p, v in ev.earned.items() if v), lang)
        if pts:
            out.append(aside(pts, lang))
        out.append("\n")
        out.append_text(quote_lines(RULE_QUOTES[ev.rule], RULE_GLOSSES[ev.rule], lang))
        out.append("\n")
    if not turn.events:
        append_weighed_quote(out, points, lang)
    if missed(turn):
        out.append("\n" + t("best_was", lang), style="bold")
        out.append(localize(step.choices[turn.best_index].text, lang))
    return out


class FeedbackCard(ModalScreen):
    """A verdict card over the conversation: the text (scrollable) and its keys. The class (good,
    fair, poor, critical) colours the border; subclasses fill the text in `relang`."""

    DEFAULT_CSS = """
    FeedbackCard { align: center middle; }
    #fb-box {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; padding: 0 1; background: $surface;
    }
    FeedbackCard.good #fb-box { border: round $success; }
    FeedbackCard.poor #fb-box { border: round $error; }
    FeedbackCard.fair #fb-box { border: round $warning; }
    FeedbackCard.critical #fb-box { border: heavy $error; }
    #fb-keys { background: $surface; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="fb-box"):
            yield Static(id="fb-text")
        yield Static(id="fb-keys", classes="keys")

    def on_mount(self) -> None:
        self.relang()
        self.query_one("#fb-box").focus()

    def relang(self) -> None:  # pragma: no cover - every card has its own
        raise NotImplementedError


class FeedbackScreen(FeedbackCard, Kept):
    """Dismissed with "continue" or "undo"."""

    HELP = "feedback"
    BINDINGS = [
        Binding("enter,space", "done('continue')", "Continue", show=False),
        Binding("u,backspace", "done('undo')", "Take back", show=False),
        Binding("q", "app.request_quit", "Quit", show=False),
        Binding("question_mark", "app.help", "Help", show=False),  # app bindings stop at a modal
    ]

    TOP = "#fb-box"

    def __init__(self, entry: Entry, controller: Play, turn: Turn) -> None:
        super().__init__()
        self.take(entry, controller, turn)

    def take(self, entry: Entry, controller: Play, turn: Turn) -> None:
        self.entry, self.controller, self.turn = entry, controller, turn
        key = verdict_key(turn)  # the border's colour
        for other in ("good", "fair", "poor", "critical"):
            self.set_class(other == key, other)

    def relang(self) -> None:
        lang = self.app.lang
        self.query_one("#fb-text", Static).update(Hanging(feedback_text(self.controller.scenario, self.turn, lang)))
        self.query_one("#fb-keys", Static).update(Items(t("continue", lang)))

    def action_done(self, result: str) -> None:
        self.dismiss(result)
