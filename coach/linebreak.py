"""Where a line of Chinese, English or mixed text may break, and the wrap at a width in cells.

Every place coach wraps text comes here: the TUI and the reports' tables through Rich's and
Textual's own wrapping (`install_rich`; coach/tui/layout.py does the same for Textual), and the
text commands (`wrap`, `fill`). `break_offsets` is a drop-in for Rich's `divide_line`: the same
arguments, the same kind of answer (the offsets at which new lines start), so each widget still
wraps at the width it is drawn at, not at a width fixed in advance.

The rules, from the W3C "Requirements for Chinese Text Layout" (clreq, §3.1.7 禁则) and UAX #14:

- no line starts with closing punctuation: the stops 、，。．：；？！, the closing brackets and
  quotation marks ）］｝〕〉》」』】〙〗〟’”, the interpunct ·, the connectors ～ － and the
  solidus ／ (and their ASCII forms);
- no line ends with opening punctuation: （［｛〔〈《「『【〘〖〝‘“ and the ASCII (, [, {;
- a dash —— or an ellipsis …… is never split; Latin words, numbers and numbers with their units
  (3.5%, ¥500, 10:30, 500元, 3次) stay whole;
- widths are terminal cells (rich.cells): a Chinese character or full-width mark is 2 cells.

Library: ICU's line break iterator (through icu4py; ICU 78, Unicode 17), locale `zh`, strict line
breaking. Compared with the others (docs/chinese-layout.md has the figures): uniseg gives the same
breaks in pure Python, about a thousand times slower; PyICU has no wheels (it needs ICU and a
compiler on the teller's PC); unicode-segmentation-rs implements Unicode 15.0's rules, before
UAX #14 learned (15.1, rules LB15a-b and LB19-19a) that the ambiguous quotation marks “ ” ‘ ’ (class
QU) take their side from East Asian neighbours: “ sticks to what follows it, ” to what precedes it,
and a Chinese text may still break before “ and after ”. ICU has those rules and CLDR's Chinese
data, and it is what Chromium breaks lines with, so the HTML report breaks as the terminal does.

Tailoring on top of ICU, where clreq asks more than ICU's Chinese rules give:
- no break before · ～ ／ － ~ (clreq: 间隔号, 连接号 and 分隔号 do not start a line; UAX #14
  puts them in classes AL and ID, which allow it);
- no break between a digit and the ideograph after it (500|元 is allowed by UAX #14: NU ÷ ID).

Strategy (clreq §3.1.7 describes three): push-out (推出). When a closing mark would start the next
line, the character before it goes down with it and the line stays a little short. Hanging
punctuation (悬挂) needs a margin for the mark to hang in, and push-in (挤进) compresses full-width
marks to half their width: a grid of terminal cells has neither, and a widget's edge would cut a
hung mark off.

A unit wider than the whole line (a long URL, a Latin word in a narrow column) is folded between
characters, never before a closing mark or after an opening one and never inside a grapheme
cluster; a piece that cannot be cut that way at all (“好” at width 3) stays whole and is wider than
the line (Rich and Textual then crop it): at the widths coach draws at this never happens.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rich.cells import cell_len, split_graphemes

LOCALE = "zh@lb=strict"
#: clreq §3.1.7: the interpunct (间隔号), connectors (连接号) and solidus (分隔号) never start a line.
NO_BREAK_BEFORE = frozenset("\u00b7\uff5e\uff0f\uff0d~")
_PROBE = "\u5b57"  # 字: an ideograph (UAX #14 class ID) to test what may stand beside a character


def _line_breaker():
    """ICU's line break iterator class, imported at first use (~3 ms): most lines fit and need none."""
    global _LineBreaker
    if _LineBreaker is None:
        from icu4py.breakers import LineBreaker

        _LineBreaker = LineBreaker
    return _LineBreaker


_LineBreaker = None


def _ideograph(ch: str) -> bool:
    return unicodedata.category(ch) == "Lo" and unicodedata.east_asian_width(ch) in "WF"


@lru_cache(maxsize=4096)
def units(text: str) -> tuple[str, ...]:
    """`text` cut at every place a line may break: ICU's breaks, less those the tailoring forbids.

    Each unit keeps the spaces after it; joined, the units are `text` again."""
    if not text:
        return ()
    out: list[str] = []
    for seg in _line_breaker()(text, LOCALE):
        if out and _keep_together(out[-1], seg):
            out[-1] += seg
        else:
            out.append(seg)
    return tuple(out)


def _keep_together(before: str, after: str) -> bool:
    """Whether to drop ICU's break between two units: before a mark that may not start a line
    even where ICU allows it after a space (UAX #14 lets "字 ：" break before the colon), after
    one that may not end a line, and between a number and its unit."""
    if _closing(after[0]):
        return True
    visible = before.rstrip()
    if visible and _opening(visible[-1]):
        return True
    return before[-1].isdecimal() and _ideograph(after[0])  # 500元, 3次, 24小|时


@lru_cache(maxsize=1024)
def _closing(ch: str) -> bool:
    """May not start a line (ICU's rules with the tailoring, asked beside an ideograph)."""
    return ch in NO_BREAK_BEFORE or len(tuple(_line_breaker()(_PROBE + ch, LOCALE))) == 1


@lru_cache(maxsize=1024)
def _opening(ch: str) -> bool:
    """May not end a line."""
    return not ch.isdecimal() and len(tuple(_line_breaker()(ch + _PROBE, LOCALE))) == 1


def _fold(unit: str, width: int) -> list[int]:
    """Offsets inside `unit` (wider than `width`) at which to cut it into lines."""
    spans, _ = split_graphemes(unit)
    cuts: list[int] = []
    i = 0  # the first grapheme of the piece being filled
    while i < len(spans):
        used = seen = 0  # the piece's width so far, without and with its trailing spaces
        last = ""  # its last character that is not a space
        cut = None  # the grapheme to cut before
        j = i
        while j < len(spans):
            s, e, size = spans[j]
            if j > i and last and _may_cut(last, unit[s]):
                if used <= width:
                    cut = j  # fits: remember it, a later one may fit too
                else:
                    if cut is None:
                        cut = j  # no cut fits: the first one after the width (a wider piece)
                    break
            seen += size
            if not unit[s:e].isspace():
                used, last = seen, unit[e - 1]
            j += 1
        if j == len(spans) and used <= width:
            break  # the rest fits
        if cut is None:
            break  # nowhere to cut: the rest is one piece
        cuts.append(spans[cut][0])
        i = cut
    return cuts


def _may_cut(before: str, after: str) -> bool:
    """A unit wider than the line may be cut between these two: not before a space or a closing
    mark, not after an opening one (the last character before the cut that is not a space)."""
    return not (after.isspace() or _closing(after) or _opening(before))


def break_offsets(text: str, width: int, fold: bool = True) -> list[int]:
    """The offsets in `text` (one paragraph) at which its lines start, for lines of `width` cells.

    Rich's `divide_line`, with Chinese rules: spaces after a break stay on the line before it
    (callers strip them); with `fold=False` a unit wider than the line keeps a line of its own, for
    the caller to crop or end with an ellipsis."""
    width = max(1, width)
    if cell_len(text) <= width:
        return []
    offsets: list[int] = []
    used = 0  # cells on the current line, spaces included
    pos = 0
    for unit in units(text):
        core = cell_len(unit.rstrip())
        if used + core <= width:
            used += cell_len(unit)
        else:
            if used and pos:
                offsets.append(pos)
            used = cell_len(unit)
            if core > width and fold:
                cuts = _fold(unit, width)
                offsets.extend(pos + c for c in cuts)
                if cuts:
                    used = cell_len(unit[cuts[-1]:])
        pos += len(unit)
    return offsets


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells (newlines in it are kept as line ends)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        bounds = [0, *break_offsets(paragraph, width), len(paragraph)]
        lines += [paragraph[a:b].rstrip() for a, b in zip(bounds, bounds[1:])] or [""]
    return lines


def fill(text: str, width: int, indent: str = "", subsequent: str | None = None) -> str:
    """`text` wrapped to `width` cells, the first line after `indent`, the others after
    `subsequent` (default: as many spaces as `indent` is wide): a hanging indent."""
    rest = " " * cell_len(indent) if subsequent is None else subsequent
    room = max(1, width - max(cell_len(indent), cell_len(rest)))
    lines = wrap(text, room)
    return "\n".join((indent if i == 0 else rest) + line for i, line in enumerate(lines))


def series(items, lang: str) -> str:
    """Items of a list in a line: joined by the enumeration comma 、 in Chinese, ", " in English."""
    return ("、" if lang == "zh" else ", ").join(items)


#: A line's indent and list mark ("• ", "✓ 3. ", "✗ 2. [解释] "): its wrapped lines hang under the
#: text after them, as a Chinese (or any) reader expects of a list.
_HANG = re.compile(r" *(?:[•\-✓✗‼~] )?(?:\d{1,3}\. )?(?:\[[^\]\n]{1,12}\] )?")


def hang(line: str) -> int:
    """How many characters at the start of `line` are its indent and list mark."""
    return _HANG.match(line).end()


def reflow(text: str, width: int | None) -> str:
    """Each line of `text` wrapped to `width` cells, its continuation lines under its own text (after
    its indent and list mark): how the text commands print prose. `width` None: unchanged."""
    if width is None:
        return text
    out = []
    for line in text.split("\n"):
        n = hang(line)
        out.append(fill(line[n:], width, line[:n]))
    return "\n".join(out)


def output_width(stream=None) -> int | None:
    """The width a command's text output wraps at: the terminal's when `stream` (stdout) is one, or
    $COLUMNS when set; None when the output goes to a pipe or a file (one line per item for scripts)."""
    import os
    import shutil
    import sys

    stream = sys.stdout if stream is None else stream
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError, OSError):
        tty = False
    return shutil.get_terminal_size((80, 24)).columns if tty else None


def install_rich() -> None:
    """Make Rich's `Text.wrap` (tables, panels, `Console.print`) break lines here.

    Rich has no setting for its line breaker: `rich.text` calls the `divide_line` it imported, so
    that name is replaced (tests/test_linebreak.py fails if a Rich upgrade moves it)."""
    import rich.text

    if not hasattr(rich.text, "divide_line"):
        raise RuntimeError("rich.text.divide_line is gone: coach's line breaking needs updating")
    rich.text.divide_line = break_offsets
