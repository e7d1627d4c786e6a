"""ScenarioTable: the library's rows, drawn line by line from an index (Textual's Line API).

A DataTable re-adds and re-measures every row it shows: with 3,000 scenarios one search keystroke
cost about a second. Here the table holds no rows: it shows a list of row numbers (`show`) and
asks `cells(row)` for the few rows on screen, caching them. Filtering swaps the list; nothing is
rebuilt. Looks and keys follow DataTable (header, zebra stripes, row cursor, Enter or a click
selects). Cells are rich Text objects made by the screen from scenario text (literal, never markup);
a cell wider than its column ends in "…" (the screen shows the highlighted row whole elsewhere).
"""

from __future__ import annotations

from typing import Callable, Sequence

from rich.cells import chop_cells
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Column = tuple[str, int, str]  # label, width in cells, justify ("left" or "right")
PADDING = 1


class ScenarioTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"scenario-table--header", "scenario-table--cursor", "scenario-table--even-row"}
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "cursor(-1000000000)", show=False),
        Binding("end", "cursor(1000000000)", show=False),
        Binding("enter", "select", show=False),
    ]
    DEFAULT_CSS = """
    ScenarioTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .scenario-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .scenario-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .scenario-table--even-row { background: $surface-darken-1 40%; }
        & > .scenario-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .scenario-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .scenario-table--even-row { background: $surface-lighten-1 50%; }
        & > .scenario-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class Selected(Message):
        """A row was chosen (Enter or click); `row` is the row number given to `cells`."""

        def __init__(self, table: "ScenarioTable", row: int) -> None:
            super().__init__()
            self.table, self.row = table, row

        @property
        def control(self) -> "ScenarioTable":
            return self.table

    class Highlighted(Message):
        """The cursor is on another row (`row` as given to `cells`; None when nothing is shown)."""

        def __init__(self, table: "ScenarioTable", row: int | None) -> None:
            super().__init__()
            self.table, self.row = table, row

        @property
        def control(self) -> "ScenarioTable":
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: list[Column] = []
        self._cells: Callable[[int], Sequence[Text]] = lambda row: ()
        self._shown: list[int] = []
        self._cache: dict[int, Sequence[Text]] = {}
        self.cursor_row = 0
        self._announced: int | None = -1  # the row the last Highlighted message named

    # ---- what to show -----------------------------------------------------------------------

    def set_columns(self, columns: list[Column]) -> None:
        self.columns = list(columns)
        self._resize()

    def set_source(self, cells: Callable[[int], Sequence[Text]]) -> None:
        """How to draw a row; forgets the rows drawn so far (language or scores changed)."""
        self._cells = cells
        self.invalidate()

    def invalidate(self) -> None:
        self._cache.clear()
        self.refresh()

    def show(self, rows: list[int]) -> None:
        """Show these rows, in this order (a filter): O(rows on screen) to draw, not O(rows)."""
        current = self.selected_row
        self._shown = list(rows)
        try:
            self.cursor_row = self._shown.index(current) if current is not None else 0
        except ValueError:
            self.cursor_row = 0
        self._resize()
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        row = self.selected_row
        if row != self._announced:
            self._announced = row
            self.post_message(self.Highlighted(self, row))

    @property
    def row_count(self) -> int:
        return len(self._shown)

    @property
    def selected_row(self) -> int | None:
        if 0 <= self.cursor_row < len(self._shown):
            return self._shown[self.cursor_row]
        return None

    def get_row_at(self, index: int) -> Sequence[Text]:
        """The cells of the index-th row shown (DataTable's name)."""
        return self._row(self._shown[index])

    def _row(self, row: int) -> Sequence[Text]:
        cells = self._cache.get(row)
        if cells is None:
            if len(self._cache) > 2000:  # a long scroll: keep memory flat
                self._cache.clear()
            cells = self._cache[row] = self._cells(row)
        return cells

    def _resize(self) -> None:
        width = sum(w + 2 * PADDING for _, w, _ in self.columns)
        self.virtual_size = Size(width, len(self._shown) + 1)  # + the header

    # ---- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("scenario-table--header")
            cells: Sequence[Text] = [Text(label) for label, _, _ in self.columns]
        else:
            index = scroll_y + y - 1
            if index >= len(self._shown):
                return Strip.blank(width, base)
            style = base
            if index % 2 == 1:
                style += self.get_component_rich_style("scenario-table--even-row")
            if index == self.cursor_row:
                style += self.get_component_rich_style("scenario-table--cursor")
            cells = self._row(self._shown[index])
        segments = self._line(cells, style)
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, style)

    def _line(self, cells: Sequence[Text], style: Style) -> list[Segment]:
        console = self.app.console
        pad = Segment(" " * PADDING, style)
        out: list[Segment] = []
        for (_, width, justify), cell in zip(self.columns, cells):
            text = cell.copy()
            text.no_wrap = True
            if text.cell_len > width:  # cut at a character, not half of a wide one, then "…"
                text = text[:len(chop_cells(text.plain, max(1, width - 1))[0])] + Text("…")
            gap = width - text.cell_len
            if gap > 0:
                text = Text(" " * gap) + text if justify == "right" else text + Text(" " * gap)
            out.append(pad)
            out.extend(Segment.apply_style(text.render(console), style))
            out.append(pad)
        return out

    # ---- keys and mouse ---------------------------------------------------------------------

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        rows = self._page()
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + rows:
            self.scroll_to(y=self.cursor_row - rows + 1, animate=False, immediate=True)

    def move_cursor(self, row: int) -> None:
        if not self._shown:
            return
        self.cursor_row = max(0, min(len(self._shown) - 1, row))
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step * self._page())

    def action_select(self) -> None:
        row = self.selected_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: Click) -> None:
        if event.y < 1:
            return
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self._shown):
            event.stop()
            self.move_cursor(index)
            self.action_select()

    def on_resize(self) -> None:
        self._scroll_to_cursor()
