"""The one CSV writer for every CSV coach writes (`coach history --format csv`, `coach report`).

Cells come from databases anyone can edit. A spreadsheet runs a cell that starts with `=`, `+`,
`-` or `@` (or a tab or CR before one) as a formula, e.g. `=HYPERLINK(...)` as a teller name, so
such a cell is prefixed with a quote unless it is a plain number; control characters and newlines
are shown as escapes (coach.untrusted.one_line), as everywhere else.
"""

from __future__ import annotations

import csv
from typing import Any, Iterable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: never a formula, never a terminal escape."""
    from coach.untrusted import one_line

    cell = "" if value is None else str(value)
    if cell[:1] in _FORMULA_START and not is_number(cell):
        cell = "'" + cell
    return one_line(cell)  # one record a line: a newline in a name is shown, not kept


class SafeWriter:
    """csv.writer whose every cell goes through `safe_cell`."""

    def __init__(self, out, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(out, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(c) for c in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
