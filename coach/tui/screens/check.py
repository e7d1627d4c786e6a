"""The pre-shift check in the terminal: the customer and the choices of the current scenario, the
time left, then the verdict screen. A CheckRun (coach/tui/controllers/check.py) runs the check and
tells these screens what to draw; they post what the teller did."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from coach.linebreak import series
from coach.principles import PRINCIPLES, colon
from coach.scenario.model import localize
from coach.tui.views import Play
from coach.untrusted import one_line

if TYPE_CHECKING:
    from coach import check

TEXT = {
    "head": ("上岗前自测 · 第 {i}/{n} 个客户", "Pre-shift check · customer {i} of {n}"),
    "left": ("剩余 {m:02d}:{s:02d}", "{m:02d}:{s:02d} left"),
    "says": ("客户：", "Customer: "),
    "ready": ("结论：可以上岗", "Verdict: ready"),
    "review": ("结论：需要复习", "Verdict: review"),
    "overall": ("总分 {o}/100 · 合格线 {p}", "Overall {o}/100 · pass mark {p}"),
    "practise": ("练习：", "Practise: "),
    "played": ("本次测评：", "This check: "),
    "timeout": ("时间到。", "Time is up."),
    "critical": ("严重错误", "Critical mistake"),
    "due": ("待复习的时刻（在场景库按 r，或 coach review）：", "Moments to review (r in the library, or coach review):"),
}


def tx(key: str, lang: str) -> str:
    return TEXT[key][0 if lang == "zh" else 1]


class CheckScreen(Screen):
    HELP = "check"  # ? shows the check's keys, not the library's
    BINDINGS = [Binding("escape", "end_now", "End the check now")]
    DEFAULT_CSS = """
    CheckScreen { padding: 0 1; }
    CheckScreen #check-top { height: 1; }
    CheckScreen #check-head { text-style: bold; width: 1fr; }
    CheckScreen #check-clock { width: auto; }
    CheckScreen #check-title { margin-top: 1; text-style: bold; }
    CheckScreen #check-situation, CheckScreen #check-customer { margin-top: 1; }
    CheckScreen OptionList { margin-top: 1; height: auto; }
    """

    @dataclass
    class Chosen(Message):
        """The choice shown at `position` of `play`'s `turn`-th decision (0-based) was taken."""

        play: Play
        position: int
        turn: int

    class TimeUp(Message):
        """The check's time is over."""

    class EndRequested(Message):
        """Esc: the teller wants to end the check now."""

    def __init__(self, deadline: float, *, lang: str = "en", clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.deadline, self.lang, self.clock = deadline, lang, clock
        self.controller: Play | None = None  # the scenario's play, as shown
        self.number = (0, 0)  # the scenario shown (0-based) of how many
        self._time_up = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="check-top"):
            yield Label("", id="check-head")
            yield Label("", id="check-clock")
        with VerticalScroll():
            yield Label("", id="check-title", markup=False)
            yield Static("", id="check-situation", markup=False)
            yield Static("", id="check-customer", markup=False)
            yield OptionList(id="check-choices", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.controller is not None:
            self._draw_scenario()
        self._tick()
        self.set_interval(1, self._tick)

    def _tick(self) -> None:
        left = max(0, int(self.deadline - self.clock()))
        self.query_one("#check-clock", Label).update(tx("left", self.lang).format(m=left // 60, s=left % 60))
        if left <= 0 and not self._time_up:
            self._time_up = True
            self.post_message(self.TimeUp())

    def show_scenario(self, index: int, count: int, play: Play) -> None:
        """Scenario `index` (0-based) of `count`, at its first step."""
        self.controller, self.number = play, (index, count)
        if self.is_mounted:
            self._draw_scenario()

    def _draw_scenario(self) -> None:
        index, count = self.number
        self.query_one("#check-head", Label).update(tx("head", self.lang).format(i=index + 1, n=count))
        self.query_one("#check-title", Label).update(localize(self.controller.scenario.title, self.lang))
        self.show_step()

    def show_step(self) -> None:
        step = self.controller.session.step
        self.query_one("#check-situation", Static).update(localize(step.situation, self.lang))
        said = localize(step.customer, self.lang)
        self.query_one("#check-customer", Static).update(tx("says", self.lang) + said if said else "")
        options = self.query_one("#check-choices", OptionList)
        options.clear_options()
        options.add_options([Option(f"{n + 1}. {localize(step.choices[i].text, self.lang)}")
                             for n, i in enumerate(self.controller.order())])
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        play = self.controller
        if play is None:
            return
        self.post_message(self.Chosen(play, event.option_index, len(play.session.turns)))

    def on_key(self, event) -> None:
        if event.key.isdigit() and self.controller is not None:
            n = int(event.key)
            if 1 <= n <= len(self.controller.session.step.choices):
                event.stop()
                options = self.query_one("#check-choices", OptionList)
                options.highlighted = n - 1
                options.action_select()

    def action_end_now(self) -> None:
        self.post_message(self.EndRequested())


class VerdictScreen(Screen):
    HELP = "verdict"
    BINDINGS = [Binding("enter,escape,q", "close", "Close")]
    DEFAULT_CSS = """
    VerdictScreen { padding: 1 2; }
    VerdictScreen #verdict { text-style: bold; }
    VerdictScreen.-ready #verdict { color: $success; }
    VerdictScreen.-review #verdict { color: $warning; }
    VerdictScreen .principle { margin-top: 1; text-style: bold; }
    VerdictScreen .quote { color: $text-muted; padding-left: 2; }
    VerdictScreen .practise { padding-left: 2; }
    """

    def __init__(self, verdict: check.Verdict, lang: str = "en", due: list[dict] = ()) -> None:
        super().__init__(classes="-ready" if verdict.ready else "-review")
        self.verdict, self.lang, self.due = verdict, lang, list(due)

    def compose(self) -> ComposeResult:
        v, lang = self.verdict, self.lang
        with VerticalScroll():
            if v.ready:
                yield Label(tx("ready", lang), id="verdict")
            else:
                crit = [tx('critical', lang) + colon(lang) + c['scenario'] for c in v.critical]
                names = series(crit + [PRINCIPLES[p].name(lang) for p in v.review], lang)
                yield Label(tx('review', lang) + colon(lang) + names, id="verdict", markup=False)
            # Critical mistakes first: whatever the score, they alone make the verdict "review".
            for c in v.critical_dicts(lang):
                yield Label(f"‼ {c['scenario']} @ {c['step']}", classes="principle", markup=False)
                yield Static(c["reason"], classes="quote", markup=False)
            yield Label(tx("overall", lang).format(o=v.overall, p=v.pass_mark))
            played = ", ".join(f"{d['id']} {d['overall']}" for d in v.played)
            yield Static(tx("played", lang) + played, markup=False)
            for pid in v.review:
                p = PRINCIPLES[pid]
                yield Label(f"{p.name(lang)}  {v.principles.get(pid, 0)}/100", classes="principle", markup=False)
                yield Static(p.quote_zh, classes="quote", markup=False)
                if lang != "zh":
                    yield Static(p.gloss_en, classes="quote", markup=False)
                if v.suggestions.get(pid):
                    yield Static(tx("practise", lang) + ", ".join(v.suggestions[pid]), classes="practise",
                                 markup=False)
            if self.due:  # the moments missed that train those principles: review them next
                yield Label(tx("due", lang), classes="principle")
                items = "\n".join(f"• {one_line(d['scenario'])} @ {one_line(d['step'])}" for d in self.due)
                yield Static(items, classes="practise", markup=False)
        yield Footer()

    @dataclass
    class Closed(Message):
        """The teller has read the verdict."""

        verdict: check.Verdict

    def action_close(self) -> None:
        self.post_message(self.Closed(self.verdict))
