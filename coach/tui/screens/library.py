"""The scenario library: title, customer type, difficulty, focus principles, best score; filter by
customer type and business line, search by text; files that failed to load are listed with their first error.

The screen shows at once; its entries may come later (the app checks the library in a worker and
calls `show_progress`, then `set_entries`). Search and the two filters pick row numbers from an
index of lower-cased text built once; the table draws only the rows on screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from coach.business import BUSINESS_LINES, line_name
from coach.linebreak import series
from coach.principles import CUSTOMER_TYPES, PRINCIPLES
from coach.scenario.text import localize
from coach.tui.catalog import Entry
from coach.tui.i18n import HELP_KEYS, pair, t
from coach.tui.layout import Items
from coach.tui.widgets.scenario_table import ScenarioTable
from coach.untrusted import one_line

if TYPE_CHECKING:
    from textual.widgets import Input

TYPE_CYCLE = (None, "requesting", "confused", "agitated")
#: Below this many cells for the title and focus columns together, the focus column gives way
#: (the line under the table shows the highlighted row's focus whole).
FOCUS_COLUMN_MIN = 40


def library_columns(width: int, lang: str, widest_focus: int) -> tuple[list[tuple[str, int, str]], int]:
    """The table's columns for a screen whose content is `width` cells wide (inside its padding), and
    the focus column's width (0: none).

    Type, level and best score get what their header and values need; the title and the focus
    principles share the rest, the focus column no wider than the widest focus list."""
    from coach.tui.widgets.scenario_table import PADDING

    names = [c.name(lang) for c in CUSTOMER_TYPES.values()]
    fixed = [
        (t("col_type", lang), max(cell_len(x) for x in [t("col_type", lang), *names]), "left"),
        (t("col_level", lang), max(3, cell_len(t("col_level", lang))), "left"),
    ]
    best = (t("col_best", lang), max(7, cell_len(t("col_best", lang))), "right")  # "100/100"
    room = width - 2  # the table's scrollbar
    flexible = room - sum(w for _, w, _ in fixed) - best[1] - 2 * PADDING * 5
    if flexible < FOCUS_COLUMN_MIN:
        title = room - sum(w for _, w, _ in fixed) - best[1] - 2 * PADDING * 4
        return [(t("col_title", lang), max(8, title), "left"), *fixed, best], 0
    focus = min(max(widest_focus, cell_len(t("col_focus", lang))), flexible * 9 // 20)
    return [(t("col_title", lang), flexible - focus, "left"), *fixed,
            (t("col_focus", lang), focus, "left"), best], focus


def focus_cell(names: list[str], width: int, lang: str) -> str:
    """The focus principles in `width` cells: whole names only, and "+N" for those left out."""
    for shown in range(len(names), 0, -1):
        text = series(names[:shown], lang) + (f" +{len(names) - shown}" if shown < len(names) else "")
        if cell_len(text) <= width:
            return text
    return series(names, lang)  # not even one whole name fits: the table ends it with "…"


def haystack(entry: Entry) -> str:
    """Everything a search may match, in both languages, lower-cased."""
    s = entry.summary
    if s is None:
        return str(entry.path).lower()
    parts = [s.id, *s.tags, str(entry.path.name)]
    for text in (s.title, s.name, s.wants, s.profile):
        if isinstance(text, dict):
            parts.extend(text.values())
        elif text:
            parts.append(text)
    ctype = CUSTOMER_TYPES[s.type]
    parts += [ctype.name_zh, ctype.name_en, s.type]
    if s.line:
        parts += [*BUSINESS_LINES[s.line], s.line]
    for pid in s.focus_principles():
        parts += [PRINCIPLES[pid].name_zh, PRINCIPLES[pid].name_en, pid]
    return " ".join(parts).lower()


class LibraryScreen(Screen):
    HELP = "library"
    BINDINGS = [
        Binding("slash", "search", "Search", show=False),
        Binding("t", "cycle_type", "Type", show=False),
        Binding("b", "cycle_line", "Business line", show=False),
        Binding("m", "app.switch_mode", "Mode", show=False),
        Binding("escape", "clear", "Clear", show=False),
        Binding("q", "app.request_quit", "Quit", show=False),
    ]

    @dataclass
    class Picked(Message):
        """A scenario was chosen (Enter or a click on its row)."""

        entry: Entry

    def __init__(self, entries: list[Entry] | None, hay: list[str] | None = None) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        self.pending = entries is None
        self.type_filter: str | None = None
        self.line_filter: str | None = None  # a business line id
        self.query_text = ""
        self._hay: list[str] | None = None
        self._reindex()
        if entries is not None:
            self._index(entries, hay)

    def _index(self, entries: list[Entry], hay: list[str] | None) -> None:
        self.entries = entries
        # The search index: given (built off the UI thread), or built at the first search word;
        # not before the list is drawn (3,000 entries: ~20 ms).
        self._hay = hay if hay is not None and len(hay) == len(entries) else None
        self._reindex()

    def set_hay(self, entries: list[Entry], hay: list[str]) -> None:
        """The search index, built in the catalog worker after the list was shown."""
        if entries is self.entries and self._hay is None and len(hay) == len(entries):
            self._hay = hay

    def _haystack(self) -> list[str]:
        if self._hay is None:
            self._hay = [haystack(e) for e in self.entries]
        return self._hay

    def _reindex(self) -> None:
        """The rows that can be listed (a file found broken when opened drops out)."""
        self._playable = [i for i, e in enumerate(self.entries) if e.ok]
        self._last: tuple[str, tuple[str | None, str | None], list[int]] | None = None

    @property
    def lang(self) -> str:
        return self.app.lang

    def compose(self) -> ComposeResult:
        yield Static(id="lib-title", classes="screen-title")
        with Horizontal(id="lib-tools"):
            # Looks like the search field; the Input replaces it once the first screen is up
            # (`_search_box`): its widget, styles and timers cost the first paint ~5 ms.
            yield Static(id="lib-search-stub")
            yield Static(id="lib-filter")
        yield ScenarioTable(id="lib-table")
        # The highlighted row whole: its title and focus principles, cut in the table's columns.
        yield Static(id="lib-detail")
        # #lib-broken and #lib-sync (files that failed to load, a sync that failed) are mounted
        # under the table only when they have something to say (`_note`): most starts have neither.
        yield Static(id="lib-keys", classes="keys")

    def on_mount(self) -> None:
        self.relang()
        self.query_one(ScenarioTable).focus()
        self.call_after_refresh(self._when_drawn)

    def _when_drawn(self) -> None:
        getattr(self.app, "after_first_paint", lambda then: then())(self._mount_search)

    def _mount_search(self) -> None:
        if self.is_attached and self.query_one("#lib-tools").is_attached:  # not while closing
            self._search_box()

    _left = False  # another screen was shown over or instead of this one since it was drawn

    def on_screen_suspend(self) -> None:
        self._left = True

    def on_screen_resume(self) -> None:
        # The app keeps this screen while others show: language, mode, best scores or a file found
        # broken when it was opened may have changed meanwhile (O(rows) to filter, O(screen) to draw).
        # Not on its first showing: on_mount has just drawn it (each redraw before the first paint
        # is one more layout pass the teller waits for).
        if self._left:
            self._left = False
            self.relang()

    # ---- entries arriving -------------------------------------------------------------------

    def _progress_bar(self):
        """Mounted when first needed: a warm start never shows it, and its four widgets cost the
        first paint a few milliseconds."""
        from textual.widgets import ProgressBar

        found = self.query("#lib-progress")
        if found:
            bar = found.first(ProgressBar)
            bar.display = True
            return bar
        bar = ProgressBar(id="lib-progress", show_eta=False)
        self.mount(bar, after=self.query_one("#lib-tools"))
        return bar

    def show_progress(self, done: int, total: int) -> None:
        """The library is still being checked (first start, or many changed files)."""
        if not self.is_mounted:
            return
        self._progress_bar().update(total=max(total, 1), progress=done)
        self.query_one("#lib-filter", Static).update(Text(t("checking", self.lang, done=done, total=total)))

    def set_entries(self, entries: list[Entry], hay: list[str] | None = None) -> None:
        """The checked library (may arrive before this screen is mounted: on_mount draws it then)."""
        self._index(entries, hay)
        self.pending = False
        if not self.is_mounted:
            return
        for bar in self.query("#lib-progress"):
            bar.display = False
        self.relang()

    # ---- drawing ----------------------------------------------------------------------------

    def relang(self) -> None:
        lang = self.lang
        mode = t("mode_name_assess" if self.app.mode == "assessment" else "mode_name_practice", lang)
        self.query_one("#lib-title", Static).update(Text(f"{t('library', lang)} · {mode}"))
        for box in self.query("#lib-search"):
            box.placeholder = t("search", lang)
        for stub in self.query("#lib-search-stub"):
            stub.update(Text(t("search", lang)))
        self.query_one("#lib-keys", Static).update(Items(pair(HELP_KEYS["library"], lang)))
        self._reindex()
        broken = [e for e in self.entries if not e.ok]
        text = None
        if broken:
            text = Text(t("broken", lang, n=len(broken)), style="bold")
            for e in broken:
                text.append("\n• ")
                text.append(one_line(e.error or e.path))  # a file name is untrusted text
        self._note("lib-broken", text)
        self.fill()

    def _note(self, wid: str, text: Text | None) -> None:
        """Show `text` in the line `wid` under the table, mounting it the first time; hide it when
        there is nothing to say."""
        for box in self.query(f"#{wid}").results(Static):
            if text:
                box.update(text)
            box.display = bool(text)
            return
        if text:
            anchor = self.query("#lib-broken") if wid == "lib-sync" else None
            self.mount(Static(text, id=wid), after=anchor.last() if anchor else self.query_one("#lib-detail"))

    def visible(self) -> list[Entry]:
        return [self.entries[i] for i in self._visible_rows()]

    def _visible_rows(self) -> list[int]:
        """Row numbers passing both filters and every search word. Typing more only narrows the
        last result, so each keystroke scans the rows still shown, not the whole library."""
        query, wanted = self.query_text.strip().lower(), (self.type_filter, self.line_filter)
        last = self._last
        if last is not None and last[1] == wanted and query.startswith(last[0]):
            rows = last[2]
        else:
            kind, line = wanted
            rows = [i for i in self._playable
                    if (kind is None or self.entries[i].summary.type == kind)
                    and (line is None or self.entries[i].summary.line == line)]
        words = query.split()
        hay = self._haystack() if words else []
        for word in words:
            rows = [i for i in rows if word in hay[i]]
        self._last = (query, wanted, rows)
        return rows

    def _focus_names(self, summary) -> list[str]:
        return [PRINCIPLES[p].name(self.lang) for p in summary.focus]

    def _cells(self, row: int) -> tuple[Text, ...]:
        lang = self.lang
        s = self.entries[row].summary
        b = getattr(self.app, "best_scores", {}).get(s.id)
        cells = [
            Text(localize(s.title, lang)),
            Text(CUSTOMER_TYPES[s.type].name(lang)),
            Text("★" * s.difficulty + "☆" * (3 - s.difficulty)),
        ]
        if self._focus_width:
            cells.append(Text(focus_cell(self._focus_names(s), self._focus_width, lang)))
        cells.append(Text("—" if b is None else f"{b[0]}/{b[1]}"))
        return tuple(cells)

    _focus_width = 0  # the focus column's width; 0 when the window is too narrow to show it

    def _detail(self, row: int) -> Text:
        """The highlighted row whole: its title, then type, business line, level and focus."""
        lang = self.lang
        s = self.entries[row].summary
        text = Text()
        text.append(localize(s.title, lang), style="bold")
        text.append("\n")
        meta = [CUSTOMER_TYPES[s.type].name(lang)]
        if s.line:
            meta.append(line_name(s.line, lang))
        meta.append("★" * s.difficulty + "☆" * (3 - s.difficulty))
        focus = series(self._focus_names(s), lang)
        meta.append(f"{t('focus', lang)}{'：' if lang == 'zh' else ': '}{focus}")
        text.append(" · ".join(meta))
        return text

    def show_detail(self) -> None:
        box = self.query_one("#lib-detail", Static)
        row = self.query_one(ScenarioTable).selected_row
        if row == self._detailed and self.size.width == self._detail_width:
            return  # the same row at the same width (a search keystroke that kept the cursor's row)
        self._detailed, self._detail_width = row, self.size.width
        if row is None:
            box.display = False
            return
        text = Items(self._detail(row))  # breaks between its facts: no name split across lines
        width = max(1, self.size.width)  # the screen's content, inside its padding
        height = text.laid_out(width).plain.count("\n") + 1
        if not box.display:
            box.display = True
        if height > self._detail_height:
            # It grows to the tallest row seen at this width and stays: the table does not jump as
            # the cursor moves, and a key press costs a layout only when a taller row first shows.
            self._detail_height = height
            box.styles.height = height
        box.update(text, layout=False)

    _detailed: int | None = -1  # the row the detail line shows
    _detail_width = 0
    _detail_height = 0

    def on_scenario_table_highlighted(self, event: ScenarioTable.Highlighted) -> None:
        event.stop()
        self.show_detail()

    def fill(self) -> None:
        """Columns for the width and language, the rows that pass the filter, the status line."""
        lang = self.lang
        table = self.query_one(ScenarioTable)
        self._width = self.size.width
        columns, self._focus_width = library_columns(self.size.width, lang, self._widest_focus())
        table.set_columns(columns)
        table.set_source(self._cells)  # forgets drawn rows: language or best scores may have changed
        self.filter()
        self._detailed, self._detail_height = -1, 0  # the language or width may have changed
        self.show_detail()
        # Quiet: only when the central sync failed or attempts wait (coach/tui/controllers/link.py).
        line = getattr(self.app, "sync_lines", {}).get(lang)
        self._note("lib-sync", Text(line) if line else None)

    def _widest_focus(self) -> int:
        """The widest focus list of the library in cells (principles are few: O(distinct lists))."""
        lists = {tuple(e.summary.focus) for e in self.entries if e.ok}
        return max((cell_len(series((PRINCIPLES[p].name(self.lang) for p in f), self.lang)) for f in lists),
                   default=0)

    def filter(self) -> None:
        """Only the row numbers change: the table redraws the rows on screen, nothing else."""
        table = self.query_one(ScenarioTable)
        table.show(self._visible_rows())
        lang = self.lang
        if self.pending:
            self.query_one("#lib-filter", Static).update(Text(t("loading", lang)))
            return
        kind = CUSTOMER_TYPES[self.type_filter].name(lang) if self.type_filter else t("all_types", lang)
        n = table.row_count
        line = line_name(self.line_filter, lang) if self.line_filter else t("all_types", lang)
        # A line each (the box is three high): at 80 columns one line would wrap mid-phrase.
        status = t("filter", lang, t=kind) + "\n" + t("line_filter", lang, b=line) + "\n"
        status += t("count", lang, n=n) if n else t("no_match", lang)
        due = getattr(self.app, "review_due", None)
        if due is not None:
            status += " · " + t("due_n", lang, n=due)
        self.query_one("#lib-filter", Static).update(Items(status), layout=False)  # a fixed-size box: no layout

    _width: int | None = None  # the width the columns were laid out for

    def on_resize(self) -> None:
        if self.size.width != self._width:  # start-up sends the same size twice: one layout, not three
            self.fill()

    def on_scenario_table_selected(self, event: ScenarioTable.Selected) -> None:
        event.stop()
        self.post_message(self.Picked(self.entries[event.row]))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(ScenarioTable).focus()

    def action_search(self) -> None:
        self._search_box().focus()

    def on_click(self, event) -> None:
        if getattr(event.widget, "id", None) == "lib-search-stub":  # a click on the field-to-be
            self.action_search()

    def _search_box(self) -> Input:
        """The search field, in place of its stub (after the first paint, or at the first `/`)."""
        from textual.widgets import Input

        for box in self.query("#lib-search").results(Input):
            return box
        box = Input(id="lib-search", placeholder=t("search", self.lang), value=self.query_text)
        stub = self.query_one("#lib-search-stub")
        self.query_one("#lib-tools").mount(box, before=stub)
        stub.remove()
        return box

    def action_cycle_type(self) -> None:
        i = TYPE_CYCLE.index(self.type_filter)
        self.type_filter = TYPE_CYCLE[(i + 1) % len(TYPE_CYCLE)]
        self.filter()

    def action_cycle_line(self) -> None:
        """All, then each business line the library has scenarios in, in the bank's order."""
        present = {e.summary.line for e in self.entries if e.ok}
        cycle = [None, *(line for line in BUSINESS_LINES if line in present)]
        i = cycle.index(self.line_filter) if self.line_filter in cycle else 0
        self.line_filter = cycle[(i + 1) % len(cycle)]
        self.filter()

    def action_clear(self) -> None:
        search = self._search_box()
        if search.value or self.type_filter or self.line_filter:
            search.value = ""
            self.query_text = ""
            self.type_filter = None
            self.line_filter = None
            self.filter()
        self.query_one(ScenarioTable).focus()
