"""The debrief: overall score and verdict, per-principle bars with numbers, per-phase scores, the
outcome told with the article's figures, the moves marked with the best alternative where missed,
the rules fired, and the article's sentence for each weak principle. r retry · l library · q quit."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

from coach.cells import fit
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from coach.engine.rules import RULE_GLOSSES, RULE_NAMES, RULE_QUOTES
from coach.principles import OUTCOME_NAMES, PHASE_NAMES, PHASES, PRINCIPLES, colon, pick
from coach.scenario.model import localize
from coach.tui.catalog import Entry
from coach.tui.i18n import pair, t
from coach.tui.layout import Hanging, Items
from coach.tui.screens.feedback import missed, quote_lines
from coach.tui.screens.kept import Kept
from coach.tui.views import Play

BAR = 20


def bar_line(name: str, score: int, earned: int, possible: int, width: int, bar: int = BAR) -> Text:
    filled = round(score * bar / 100)
    line = Text(fit(name, width) + " ")
    line.append("█" * filled, style="green" if score >= 80 else "yellow" if score >= 50 else "red")
    line.append("░" * (bar - filled), style="dim")
    line.append(f" {score:>3}/100  ({earned}/{possible})")
    return line


class DebriefScreen(Screen, Kept):
    DEFAULT_CSS = """
    #db-body { height: 1fr; }
    #db-body > Static { margin-bottom: 1; }
    #db-body > #db-verdict { text-style: bold; margin-bottom: 0; }
    DebriefScreen.-ready #db-verdict { color: $success; }
    DebriefScreen.-review #db-verdict { color: $warning; }
    """
    HELP = "debrief"
    BINDINGS = [
        Binding("r", "retry", "Retry", show=False),
        Binding("l,escape", "library", "Library", show=False),
        Binding("q", "app.request_quit", "Quit", show=False),
    ]

    TOP = "#db-body"

    @dataclass
    class Retry(Message):
        """r: play this scenario again."""

        entry: Entry

    class ToLibrary(Message):
        """l or Esc: back to the library."""

    def __init__(self, entry: Entry, controller: Play) -> None:
        super().__init__()
        self.take(entry, controller)

    def take(self, entry: Entry, controller: Play) -> None:
        """`controller`: a finished play (its scorecard is final)."""
        self.entry, self.controller = entry, controller
        self.card = controller.scorecard

    def compose(self) -> ComposeResult:
        yield Static(id="db-title", classes="screen-title")
        with VerticalScroll(id="db-body"):
            yield Static(id="db-verdict")
            yield Static(id="db-critical")
            yield Static(id="db-overall")
            yield Static(id="db-outcome")
            yield Static(id="db-principles")
            yield Static(id="db-phases")
            yield Static(id="db-moves")
            yield Static(id="db-rules")
            yield Static(id="db-weak")
        yield Static(id="db-keys", classes="keys")

    def on_mount(self) -> None:
        self.relang()
        self.query_one("#db-body").focus()

    def relang(self) -> None:
        lang = self.app.lang
        card, c = self.card, self.controller
        scenario = c.scenario
        title = Text(t("debrief", lang) + " · ", style="bold")
        title.append(localize(scenario.title, lang))
        self.query_one("#db-title", Static).update(title)
        self.set_class(card.ready, "-ready")
        self.set_class(not card.ready, "-review")
        self.query_one("#db-verdict", Static).update(Text(("✓ " if card.ready else "✗ ") +
                                                          t("ready" if card.ready else "review", lang)))
        # Critical mistakes come first: they decide the verdict whatever the score below says.
        crit = self.query_one("#db-critical", Static)
        text = Text(t("critical_first", lang), style="bold red")
        for mistake in card.critical:
            step = scenario.steps[mistake.step]
            turn = next(x for x in c.session.turns if x.step == mistake.step and x.critical is not None)
            text.append("\n‼ ", style="bold red")
            text.append(localize(step.choices[turn.index].text, lang))
            text.append("\n   " + localize(mistake.reason, lang))
        crit.update(Hanging(text) if card.critical else Text())
        crit.display = bool(card.critical)
        self.query_one("#db-overall", Static).update(Text(t("overall", lang, o=card.overall, p=card.pass_mark)))

        out = Text(t("outcome", lang) + colon(lang), style="bold")
        if card.outcome:
            out.append(pick(OUTCOME_NAMES[card.outcome], lang))
            ending = localize(scenario.steps[c.session.step_id].text, lang)
            if ending:
                out.append("\n" + ending)
            for line in card.narrative(lang):
                out.append("\n• " + line, style="italic")
        out.append("\n" + t("mood_trail", lang) + colon(lang), style="bold")
        out.append(" → ".join(str(m) for m in card.mood))
        self.query_one("#db-outcome", Static).update(Hanging(out))

        names = {p: PRINCIPLES[p].name(lang) for p in card.principles}
        width = max([cell_len(n) for n in names.values()] + [cell_len(pick(PHASE_NAMES[p], lang)) for p in PHASES])
        # the bars shrink in a narrow window rather than push each line's numbers onto a second line
        numbers = max((cell_len(f" 100/100  ({t.earned}/{t.possible})") for t in [*card.principles.values(),
                                                                              *card.phases.values()]), default=16)
        bar = max(8, min(BAR, self.size.width - 4 - width - 1 - numbers))
        self._width = self.size.width
        text = Text(t("by_principle", lang), style="bold")
        for pid, tally in card.principles.items():
            text.append("\n")
            text.append_text(bar_line(names[pid], tally.score, tally.earned, tally.possible, width, bar))
        self.query_one("#db-principles", Static).update(text)

        text = Text(t("by_phase", lang), style="bold")
        for phase in PHASES:
            if phase in card.phases:
                tally = card.phases[phase]
                text.append("\n")
                text.append_text(bar_line(pick(PHASE_NAMES[phase], lang), tally.score, tally.earned,
                                          tally.possible, width, bar))
        self.query_one("#db-phases", Static).update(text)

        text = Text(t("your_moves", lang), style="bold")
        for n, turn in enumerate(c.session.turns, 1):
            step = scenario.steps[turn.step]
            choice = step.choices[turn.index]
            ok = turn.was_best and all(e.kept for e in turn.events) and turn.critical is None
            partly = not ok and turn.partly_right and turn.critical is None
            mark = "✓" if ok else "‼" if turn.critical is not None else "~" if partly else "✗"
            text.append(f"\n{mark} {n}. [{pick(PHASE_NAMES[turn.phase], lang)}] ",
                        style="bold green" if ok else "bold yellow" if partly else "bold red")
            if partly:
                text.append("(" + t("partly_tag", lang) + ") ", style="yellow")
            text.append(localize(choice.text, lang))
            if c.assess and choice.feedback:
                text.append("\n     " + localize(choice.feedback, lang), style="dim")
            if missed(turn):
                text.append("\n     " + t("best_alt", lang), style="bold")
                text.append(localize(step.choices[turn.best_index].text, lang))
        self.query_one("#db-moves", Static).update(Hanging(text))

        rules = self.query_one("#db-rules", Static)
        text = Text(t("rules_fired", lang), style="bold")
        for ev in card.rules:
            text.append(("\n✓ " if ev.kept else "\n✗ ") + pair(RULE_NAMES[ev.rule], lang) + " ")
            text.append(t("rule_kept" if ev.kept else "rule_broken", lang), style="dim")
            text.append("\n")
            text.append_text(quote_lines(RULE_QUOTES[ev.rule], RULE_GLOSSES[ev.rule], lang))
        rules.update(Hanging(text))
        rules.display = bool(card.rules)

        weak = card.weakest(n=len(card.principles))
        text = Text(t("weak", lang), style="bold")
        for pid in weak:
            p = PRINCIPLES[pid]
            text.append(f"\n{p.name(lang)}  {card.principles[pid].score}/100", style="bold")
            text.append("\n")
            text.append_text(quote_lines(p.quote_zh, p.gloss_en, lang))
        box = self.query_one("#db-weak", Static)
        box.update(Hanging(text))
        box.display = bool(weak)
        self.query_one("#db-keys", Static).update(Items(t("debrief_keys", lang)))

    _width = 0  # the window width the bars were drawn for

    def on_resize(self) -> None:
        if self.is_mounted and self.size.width != self._width:
            self.relang()

    def action_retry(self) -> None:
        self.post_message(self.Retry(self.entry))

    def action_library(self) -> None:
        self.post_message(self.ToLibrary())
