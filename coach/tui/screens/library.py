"""The scenario library: title, customer type, difficulty, focus principles, best score; filter by
customer type, search by text; files that failed to load are listed with their first error."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from coach.principles import CUSTOMER_TYPES, PRINCIPLES
from coach.scenario.model import localize
from coach.tui.catalog import Entry
from coach.tui.i18n import HELP_KEYS, pair, t
from coach.untrusted import one_line

TYPE_CYCLE = (None, "requesting", "confused", "agitated")


def haystack(entry: Entry) -> str:
    """Everything a search may match, in both languages, lower-cased."""
    s = entry.scenario
    if s is None:
        return str(entry.path).lower()
    parts = [s.id, *s.tags, str(entry.path.name)]
    for text in (s.title, s.customer.name, s.customer.wants, s.customer.profile):
        if isinstance(text, dict):
            parts.extend(text.values())
        elif text:
            parts.append(text)
    ctype = CUSTOMER_TYPES[s.customer.type]
    parts += [ctype.name_zh, ctype.name_en, s.customer.type]
    for pid in s.focus_principles():
        parts += [PRINCIPLES[pid].name_zh, PRINCIPLES[pid].name_en, pid]
    return " ".join(parts).lower()


class LibraryScreen(Screen):
    HELP = "library"
    BINDINGS = [
        Binding("slash", "search", "Search", show=False),
        Binding("t", "cycle_type", "Type", show=False),
        Binding("m", "app.switch_mode", "Mode", show=False),
        Binding("escape", "clear", "Clear", show=False),
        Binding("q", "app.request_quit", "Quit", show=False),
    ]

    def __init__(self, entries: list[Entry]) -> None:
        super().__init__()
        self.entries = entries
        self.type_filter: str | None = None
        self.query_text = ""
        self._hay = {id(e): haystack(e) for e in entries}

    @property
    def lang(self) -> str:
        return self.app.lang

    def compose(self) -> ComposeResult:
        yield Static(id="lib-title", classes="screen-title")
        with Horizontal(id="lib-tools"):
            yield Input(id="lib-search")
            yield Static(id="lib-filter")
        yield DataTable(id="lib-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="lib-broken")
        yield Static(id="lib-sync")
        yield Static(id="lib-keys", classes="keys")

    def on_mount(self) -> None:
        self.relang()
        self.query_one(DataTable).focus()

    def relang(self) -> None:
        lang = self.lang
        mode = t("mode_name_assess" if self.app.mode == "assessment" else "mode_name_practice", lang)
        self.query_one("#lib-title", Static).update(Text(f"{t('library', lang)} · {mode}"))
        self.query_one("#lib-search", Input).placeholder = t("search", lang)
        self.query_one("#lib-keys", Static).update(Text(pair(HELP_KEYS["library"], lang)))
        broken = [e for e in self.entries if e.scenario is None]
        box = self.query_one("#lib-broken", Static)
        if broken:
            text = Text(t("broken", lang, n=len(broken)), style="bold")
            for e in broken:
                text.append("\n• ")
                text.append(one_line(e.error or e.path))  # a file name is untrusted text
            box.update(text)
        box.display = bool(broken)
        self.fill()

    def visible(self) -> list[Entry]:
        q = self.query_text.strip().lower()
        shown = []
        for e in self.entries:
            if e.scenario is None:
                continue
            if self.type_filter and e.scenario.customer.type != self.type_filter:
                continue
            if q and not all(word in self._hay[id(e)] for word in q.split()):
                continue
            shown.append(e)
        return shown

    def fill(self) -> None:
        lang = self.lang
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # Fixed widths at 80 columns: a long title is cut rather than pushing the columns off screen.
        wide = max(0, self.size.width - 80)
        table.add_column(t("col_title", lang), key="title", width=23 + wide // 2)
        table.add_column(t("col_type", lang), key="type", width=10)
        table.add_column(t("col_level", lang), key="level", width=5)
        table.add_column(t("col_focus", lang), key="focus", width=18 + wide - wide // 2)
        table.add_column(t("col_best", lang), key="best", width=9)
        best = getattr(self.app, "best_scores", {})
        for e in self.visible():
            s = e.scenario
            b = best.get(s.id)
            table.add_row(
                Text(localize(s.title, lang)),
                Text(CUSTOMER_TYPES[s.customer.type].name(lang)),
                Text("★" * s.difficulty + "☆" * (3 - s.difficulty)),
                Text(", ".join(PRINCIPLES[p].name(lang) for p in s.focus_principles())),
                Text("—" if b is None else f"{b[0]}/{b[1]}", justify="right"),
                key=str(self.entries.index(e)),
            )
        kind = CUSTOMER_TYPES[self.type_filter].name(lang) if self.type_filter else t("all_types", lang)
        n = table.row_count
        status = t("filter", lang, t=kind) + " · " + (t("count", lang, n=n) if n else t("no_match", lang))
        due = getattr(self.app, "review_due", None)
        if due is not None:
            status += " · " + t("due_n", lang, n=due)
        self.query_one("#lib-filter", Static).update(Text(status))
        from coach.tui.store_glue import sync_line

        line = sync_line(self.app)  # quiet: only when the central sync failed or attempts wait
        box = self.query_one("#lib-sync", Static)
        box.update(Text(line))
        box.display = bool(line)

    def on_resize(self) -> None:
        self.fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.app.show_briefing(self.entries[int(event.row_key.value)])

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#lib-search", Input).focus()

    def action_cycle_type(self) -> None:
        i = TYPE_CYCLE.index(self.type_filter)
        self.type_filter = TYPE_CYCLE[(i + 1) % len(TYPE_CYCLE)]
        self.fill()

    def action_clear(self) -> None:
        search = self.query_one("#lib-search", Input)
        if search.value or self.type_filter:
            search.value = ""
            self.query_text = ""
            self.type_filter = None
            self.fill()
        self.query_one(DataTable).focus()
