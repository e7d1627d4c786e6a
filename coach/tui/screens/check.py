"""The pre-shift check in the terminal: assessment mode (no feedback until the end), time-boxed,
every answer stored the moment it is chosen; then the verdict screen."""

from __future__ import annotations

import sqlite3
import time
from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from coach import check
from coach.linebreak import series
from coach.tui.controller import ASSESSMENT, SessionController
from coach.principles import PRINCIPLES
from coach.scenario.model import localize
from coach.tui.store_glue import outbox, watch_outbox
from coach.untrusted import one_line

TEXT = {
    "head": ("上岗前自测 · 第 {i}/{n} 个客户", "Pre-shift check · customer {i} of {n}"),
    "left": ("剩余 {m:02d}:{s:02d}", "{m:02d}:{s:02d} left"),
    "says": ("客户: ", "Customer: "),
    "ready": ("结论: 可以上岗", "Verdict: ready"),
    "review": ("结论: 需要复习", "Verdict: review"),
    "overall": ("总分 {o}/100 · 合格线 {p}", "Overall {o}/100 · pass mark {p}"),
    "practise": ("练习: ", "Practise: "),
    "played": ("本次测评: ", "This check: "),
    "timeout": ("时间到。", "Time is up."),
    "critical": ("严重错误", "Critical mistake"),
    "due": ("待复习的时刻 (在场景库按 r,或 coach review):", "Moments to review (r in the library, or coach review):"),
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

    def __init__(self, conn: sqlite3.Connection, teller: str, chosen: list[check.Candidate], *,
                 minutes: int = check.DEFAULT_MINUTES, pass_mark: int = check.DEFAULT_PASS_MARK,
                 lang: str = "en", library: list[check.Candidate] | None = None,
                 clock: Callable[[], float] = time.monotonic, seed: int | None = None) -> None:
        super().__init__()
        self.conn, self.chosen, self.lang = conn, list(chosen), lang
        self.teller = teller
        self.minutes, self.pass_mark = minutes, pass_mark
        self.library = library if library is not None else list(chosen)
        self.clock = clock
        self.seed = seed
        # the Outbox: a locked database or a full disk never freezes the check or loses an answer
        self.recorder = outbox(conn, teller)
        self.recorder.start_check(minutes, pass_mark)
        self.deadline = clock() + minutes * 60
        self.cards: list = []
        self.index = -1
        self.controller: SessionController | None = None
        self.verdict: check.Verdict | None = None
        self.ended = False  # ended early, without a verdict

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
        self._next_scenario()
        self._tick()
        self.set_interval(1, self._tick)
        watch_outbox(self.app, lambda: self.recorder, self.lang)  # on the app: it outlives this screen

    def _tick(self) -> None:
        left = max(0, int(self.deadline - self.clock()))
        self.query_one("#check-clock", Label).update(tx("left", self.lang).format(m=left // 60, s=left % 60))
        if left <= 0 and self.verdict is None and not self.ended:
            self._end()

    def _next_scenario(self) -> None:
        self.index += 1
        if self.index >= len(self.chosen):
            self._end()
            return
        cand = self.chosen[self.index]
        # assessment mode: choices shuffled, no feedback, no take-backs; the controller records each answer
        self.controller = SessionController(
            cand.scenario, sha256=cand.sha256, mode=ASSESSMENT, lang=self.lang, recorder=self.recorder,
            seed=None if self.seed is None else self.seed + self.index, clock=self.clock)
        self.query_one("#check-head", Label).update(
            tx("head", self.lang).format(i=self.index + 1, n=len(self.chosen)))
        self.query_one("#check-title", Label).update(localize(cand.scenario.title, self.lang))
        self._show_step()

    def _show_step(self) -> None:
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
        self.controller.shown()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.controller is None or self.verdict is not None:
            return
        self.controller.choose(event.option_index)
        if self.controller.session.finished:
            self._close_scenario()
            self._next_scenario()
        else:
            self._show_step()

    def on_key(self, event) -> None:
        if event.key.isdigit() and self.controller is not None and self.verdict is None:
            n = int(event.key)
            if 1 <= n <= len(self.controller.session.step.choices):
                event.stop()
                options = self.query_one("#check-choices", OptionList)
                options.highlighted = n - 1
                options.action_select()

    def _close_scenario(self) -> None:
        c = self.controller
        if c is None:
            return
        if c.session.turns or c.session.finished:
            card = c.finish()
            card.pass_mark = self.pass_mark
            self.cards.append((self.chosen[self.index].id, card, c.session.finished))
        else:
            self.recorder.abandon(c.attempt_id)
        self.controller = None

    def action_end_now(self) -> None:
        """Esc: ask first; a check ended early gives no verdict (it is not a "review")."""
        if self.verdict is not None or self.ended:
            return
        from coach.tui.screens.confirm_quit import ConfirmQuitScreen

        self.app.push_screen(ConfirmQuitScreen("end_check_q"), lambda yes: self._abandon() if yes else None)

    def _abandon(self) -> None:
        if self.verdict is not None or self.ended:
            return
        self.ended = True
        c = self.controller
        if c is not None and c.attempt_id is not None:
            self.recorder.abandon(c.attempt_id)  # its answers stay stored
        self.controller = None
        self.recorder.abandon_check(self.recorder.check_id)
        after = getattr(self.app, "after_check", None)  # inside CoachApp: back to the library
        if after is not None:
            after(None)
        else:
            self.app.exit(None)

    def _end(self) -> None:
        if self.verdict is not None:
            return
        self._close_scenario()
        self.verdict = check.verdict(self.cards, self.pass_mark, self.library)
        self.recorder.finish_check(self.recorder.check_id, self.verdict)
        show = getattr(self.app, "_main", None) or self.app.push_screen  # CoachApp replaces this screen
        show(VerdictScreen(self.verdict, self.lang, due=self._due_items()))

    def _due_items(self) -> list[dict]:
        """The moments to review for this verdict, as `coach check` lists them; none rather than a
        crash when the history cannot be read now (the verdict is stored through the Outbox)."""
        from coach.review import due_for_verdict
        from coach.store.tellers import teller_id

        try:
            self.recorder.flush()  # this check's missed moments are review cards once written
            return due_for_verdict(self.conn, teller_id(self.conn, self.teller), self.verdict, self.library)
        except Exception:  # noqa: BLE001 - a list is not worth losing the verdict screen
            return []


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
                crit = [f"{tx('critical', lang)}: {c['scenario']}" for c in v.critical]
                names = series(crit + [PRINCIPLES[p].name(lang) for p in v.review], lang)
                yield Label(f"{tx('review', lang)}: {names}", id="verdict", markup=False)
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

    def action_close(self) -> None:
        after = getattr(self.app, "after_check", None)  # inside CoachApp: back to the library
        if after is not None:
            after(self.verdict)
        else:
            self.app.exit(self.verdict)
