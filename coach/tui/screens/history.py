"""The History screen: a teller's attempts, per-principle trend, and the three weakest principles
with the article's sentence and the scenarios that train them. It draws a TellerHistory read for it
(coach/store/queries.py); it reads nothing itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Sparkline, Static

from coach.principles import OUTCOME_NAMES, PRINCIPLES, pick
from coach.untrusted import one_line

if TYPE_CHECKING:
    from coach.scenario.model import Scenario
    from coach.store.queries import TellerHistory

#: Attempts shown in the table (the newest); `coach history` lists them all.
SHOWN = 200

TEXT = {
    "title": ("练习记录", "History"),
    "cols": (("日期", "场景", "模式", "得分", "结果"), ("Date", "Scenario", "Mode", "Score", "Outcome")),
    "trend": ("各原则的趋势（最近 {n} 次）", "Trend per principle (last {n} attempts)"),
    "weakest": ("最需要加强的三项原则", "Your three weakest principles"),
    "train": ("练习场景：", "Scenarios that train it: "),
    "none": ("还没有练习记录。", "No attempts yet."),
    "unfinished": ("未完成", "unfinished"),
    "abandoned": ("已放弃", "abandoned"),
    "modes": ({"practice": "练习", "assessment": "测评"}, {}),
    # the outcome column: "Customer retained" says "Customer" on every row of a narrow table
    "outcomes": ({}, {"retained": "retained", "at_risk": "at risk", "lost": "lost"}),
}


def t(key: str, lang: str):
    return TEXT[key][0 if lang == "zh" else 1]


def _cut(text: str, width: int) -> str:
    """`text` in `width` cells, ending in "…" when it had to be cut."""
    if cell_len(text) <= width:
        return text
    from rich.cells import chop_cells

    return chop_cells(text, width - 1)[0] + "…"


def trains(library: dict[str, "Scenario"], principle: str, limit: int = 3) -> list["Scenario"]:
    """Scenarios whose focus includes the principle, easiest first."""
    found = [s for s in library.values() if principle in s.focus_principles()]
    return sorted(found, key=lambda s: (s.difficulty, s.id))[:limit]


class HistoryScreen(Screen):
    BINDINGS = [Binding("escape,q", "back", "Back")]
    DEFAULT_CSS = """
    HistoryScreen { padding: 0 1; }
    HistoryScreen .title { text-style: bold; margin-bottom: 1; }
    HistoryScreen .section { text-style: bold; margin-top: 1; }
    HistoryScreen DataTable { height: auto; max-height: 12; }
    HistoryScreen .trend-row { height: 1; }
    HistoryScreen .trend-name { width: 28; }
    HistoryScreen .trend-last { width: 14; padding-left: 2; }
    HistoryScreen Sparkline { width: 1fr; max-width: 30; height: 1; }
    HistoryScreen .quote { color: $text-muted; padding-left: 2; }
    HistoryScreen .train { padding-left: 2; }
    """

    def __init__(self, teller: str, history: TellerHistory, lang: str = "en",
                 library: dict[str, "Scenario"] | None = None) -> None:
        super().__init__()
        self.teller, self.history, self.lang = teller, history, lang
        self.library = library or {}

    def compose(self) -> ComposeResult:
        lang = self.lang
        rows = self.history.attempts
        self._rows = rows
        with VerticalScroll():
            yield Label(f"{t('title', lang)} — {one_line(self.teller)}", classes="title", markup=False)
            if not rows:
                yield Static(t("none", lang), id="empty")
            else:
                yield DataTable(id="attempts", cursor_type="row", zebra_stripes=True)
                trend = self.history.trend
                n = max((len(v) for v in trend.values()), default=0)
                yield Label(t("trend", lang).format(n=n), classes="section")
                for pid, scores in trend.items():
                    with Horizontal(classes="trend-row"):
                        yield Label(PRINCIPLES[pid].name(lang) if pid in PRINCIPLES else one_line(pid),
                                    classes="trend-name", markup=False)
                        yield Sparkline([float(s) for s in scores])
                        # the sparkline shows the shape (scaled to its own range); the numbers the level
                        yield Label(f"{scores[0]:>3} → {scores[-1]:>3}" if len(scores) > 1 else f"{scores[0]:>9}",
                                    classes="trend-last")
                weak = self.history.weakest
                if weak:
                    yield Label(t("weakest", lang), classes="section")
                for pid, mean in weak:
                    p = PRINCIPLES.get(pid)
                    if p is None:
                        continue
                    yield Label(f"{p.name(lang)}  {mean:.0f}/100", classes="weak-name", markup=False)
                    yield Static(p.quote_zh, classes="quote", markup=False)
                    if lang != "zh":
                        yield Static(p.gloss_en, classes="quote", markup=False)
                    scenarios = trains(self.library, pid)
                    if scenarios:
                        from coach.scenario.model import localize

                        names = ", ".join(f"{localize(s.title, lang)} ({s.id})" for s in scenarios)
                        yield Static(t("train", lang) + names, classes="train", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        names = self.query(".trend-name")
        if names:  # as wide as the longest name, the sparklines take what is left of the line
            width = max(cell_len(str(label.render())) for label in names) + 1
            for label in names:
                label.styles.width = min(28, width)
        self._fill()

    _width: int | None = None  # the width the table's columns were laid out for

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._fill()

    def _fill(self) -> None:
        """The attempts, in columns that fit the window: below 80 columns the date drops its year
        and a long scenario id ends in "…" rather than pushing the outcome off the screen."""
        if not self._rows:
            return
        self._width = self.size.width
        narrow = self.size.width < 80
        modes = t("modes", self.lang)
        rows = []
        for r in self._rows:
            score = "–" if r.overall is None else str(r.overall)
            if r.outcome:
                outcome = pick(OUTCOME_NAMES[r.outcome], self.lang) if r.outcome in OUTCOME_NAMES else r.outcome
                outcome = t("outcomes", self.lang).get(r.outcome, outcome)
            else:
                outcome = t("unfinished" if r.status == "open" else "abandoned", self.lang)
            when = r.started[:16].replace("T", " ")
            # database text: shown literally (a DataTable parses plain str cells as markup) and visibly
            rows.append((r.id, [one_line(c) for c in (when[5:] if narrow else when, r.scenario_id,
                                                       modes.get(r.mode, r.mode), score, outcome)]))
        heads = t("cols", self.lang)
        widths = [max([cell_len(h)] + [cell_len(cells[i]) for _, cells in rows]) for i, h in enumerate(heads)]
        room = self.size.width - 2 - 2 - 2 * len(heads)  # the screen's padding, scrollbar, cell padding
        widths[1] = max(8, min(widths[1], room - sum(widths) + widths[1]))
        table = self.query_one("#attempts", DataTable)
        table.clear(columns=True)
        for head, width in zip(heads, widths):
            table.add_column(head, width=width)
        for rid, cells in rows:
            cells[1] = _cut(cells[1], widths[1])
            table.add_row(*(Text(c) for c in cells), key=str(rid))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
