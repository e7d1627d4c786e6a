"""Checks for rows read back from a history database that anyone could have edited.

SQLite keeps whatever a column is given (text in an INTEGER column, a BLOB for a name, 1e308 for
seconds, NULL where coach always writes a value), so every row `coach history`, `report` and
`export` read goes through these checks first. A row that fails is skipped and named in a
`Problems` list (its table, its id and what was wrong) instead of raising a traceback, or worse,
blowing up later: `choice = 1000000` once made item analysis build million-entry lists.
"""

from __future__ import annotations

import json
import math
from datetime import datetime

#: Bounds no row written by coach comes near: a step has a few choices, an attempt a few dozen answers.
MAX_CHOICE = 999
MAX_SEQ = 100_000
MAX_SECONDS = 7 * 24 * 3600
MAX_TEXT = 10_000
MAX_ID = 2**62
MOOD = (-1_000, 1_000)


class BadRow(ValueError):
    """What is wrong with a row, in words."""


class Problems:
    """Bad rows met while reading, each once, for stderr: `table id …: what was wrong`."""

    def __init__(self, source: str = "") -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, table: str, ident: object, why: str) -> None:
        where = f"{self.source}: " if self.source else ""
        self.lines.append(f"{where}skipped {table} row {_show(ident)}: {why}")

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self):
        return iter(self.lines)


def _show(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def integer(value: object, what: str, lo: int | None = None, hi: int | None = None) -> int:
    if type(value) is not int:  # not bool, not float, not text that looks like a number
        raise BadRow(f"{what} is {_kind(value)}, not a whole number")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise BadRow(f"{what} {_show(value)} is out of range ({lo}..{hi})")
    return value


def text(value: object, what: str, *, optional: bool = False, empty: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise BadRow(f"{what} is {_kind(value)}, not text")
    if not empty and not value:
        raise BadRow(f"{what} is empty")
    if len(value) > MAX_TEXT:
        raise BadRow(f"{what} is {len(value)} characters long")
    return value


def moment(value: object, what: str, *, optional: bool = False) -> str | None:
    """An ISO 8601 timestamp as stored (text), checked to parse."""
    got = text(value, what, optional=optional)
    if got is None:
        return None
    try:
        datetime.fromisoformat(got)
    except ValueError:
        raise BadRow(f"{what} {_show(got)} is not a date and time") from None
    return got


def seconds(value: object, what: str = "seconds") -> float | None:
    if value is None:
        return None
    if type(value) not in (int, float) or not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
        raise BadRow(f"{what} is {_show(value)}, not a number of seconds from 0 to {MAX_SECONDS}")
    return float(value)


def json_object(value: object, what: str) -> dict:
    raw = text(value, what)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRow(f"{what} is not JSON") from None
    if not isinstance(data, dict):
        raise BadRow(f"{what} is JSON, but not an object")
    return data


def scores(data: object, what: str) -> dict[str, int]:
    """{principle id: score 0–100}."""
    if not isinstance(data, dict):
        raise BadRow(f"{what} is not an object of principle scores")
    out = {}
    for key, value in data.items():
        text(key, f"{what} key")
        out[key] = integer(value, f"{what}[{_show(key)}]", 0, 100)
    return out


def point_sums(points: object) -> tuple[int, int]:
    """(the choice's points, what the rules added) of an answer's points JSON {choice, best, rules}."""
    data = json_object(points, "points")
    choice = data.get("choice", {})
    rules = data.get("rules", [])
    if not isinstance(choice, dict) or not isinstance(rules, list):
        raise BadRow("points has the wrong shape")
    got = sum(integer(v, "a choice point", -1000, 1000) for v in choice.values())
    rule = 0
    for ev in rules:
        earned = ev.get("earned", {}) if isinstance(ev, dict) else None
        if not isinstance(earned, dict):
            raise BadRow("points has the wrong shape")
        rule += sum(integer(v, "a rule point", -1000, 1000) for v in earned.values())
    return got, rule


def _kind(value: object) -> str:
    if value is None:
        return "empty (NULL)"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "binary data (or text that is not UTF-8)"
    if isinstance(value, float):
        return f"the decimal {_show(value)}"
    if isinstance(value, str):
        return f"the text {_show(value)}"
    return type(value).__name__


def report(lines: list[str], prog: str, limit: int = 20) -> None:
    """Print skipped rows to stderr: the first `limit`, then how many more."""
    import sys

    for line in lines[:limit]:
        print(f"{prog}: {line}", file=sys.stderr)
    if len(lines) > limit:
        print(f"{prog}: … and {len(lines) - limit} more rows skipped", file=sys.stderr)
    if lines:
        print(f"{prog}: {len(lines)} row(s) that coach could not have written were skipped (the file was "
              "edited or damaged); everything else is shown.", file=sys.stderr)
