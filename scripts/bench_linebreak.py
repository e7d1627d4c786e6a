#!/usr/bin/env python3
"""The line breaker (coach/linebreak.py) against Rich's own wrap, in the same run.

What a screen wraps: the texts of every bundled scenario (situations, what customers say, choices,
feedback) in Chinese and in English, at the widths of coach's boxes at 60, 80 and 120 columns.

1. `break_offsets` vs Rich's `divide_line` on each text and width: the first call for a text (ICU
   asked) and later calls (its units cached, as when a box is redrawn or the window resized).
2. A paragraph through `Text.wrap` (what a table cell or Static costs), with Rich's breaker and ours.

Prints the time per wrap and the ratio ours/Rich's. The target: a key press redraws a handful of
paragraphs, so a wrap must stay well under a millisecond (< 0.2 ms per paragraph); the ratio is
printed for the record (ours asks ICU where Rich only looks for spaces).

    .venv/bin/python scripts/bench_linebreak.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTHS = (56, 72, 76, 116)  # the text boxes of a 60-, 80- and 120-column window
TARGET_MS = 0.2


def texts() -> list[str]:
    """Every localized text of the bundled scenarios, both languages."""
    import yaml

    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if set(node) <= {"zh", "en"} and all(isinstance(v, str) for v in node.values()):
                out.extend(v for v in node.values() if v.strip())
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def per_call(fn, items, repeat: int) -> float:
    """Median seconds per call of fn over items."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for item in items:
            fn(*item)
        runs.append((time.perf_counter() - started) / len(items))
    return statistics.median(runs)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()

    import rich.text
    from rich._wrap import divide_line
    from rich.console import Console
    from rich.text import Text

    from coach import linebreak

    corpus = texts()
    zh = sum(1 for t in corpus if any("\u4e00" <= c <= "\u9fff" for c in t))
    calls = [(t, w) for t in corpus for w in WIDTHS]
    print(f"{len(corpus)} texts ({zh} Chinese), {len(WIDTHS)} widths: {len(calls)} wraps a round")

    linebreak.units("预热")  # ICU's import, once per process (~3 ms), is not a wrap's cost
    linebreak.units.cache_clear()
    started = time.perf_counter()
    for t in corpus:
        linebreak.break_offsets(t, WIDTHS[0])
    first = (time.perf_counter() - started) / len(corpus)
    ours = per_call(linebreak.break_offsets, calls, args.repeat)
    rich_ = per_call(divide_line, calls, args.repeat)
    print(f"first wrap of a text (ICU asked):  {first * 1e3:.3f} ms")
    print(f"break_offsets, units cached:       {ours * 1e3:.3f} ms   Rich divide_line: {rich_ * 1e3:.3f} ms"
          f"   ratio {ours / rich_:.2f}x")

    console = Console(width=200, file=open("/dev/null", "w"), color_system=None)
    paragraphs = [(Text(t), w) for t, w in calls]

    def wrap(text, width):
        text.wrap(console, width)

    original = rich.text.divide_line
    try:
        rich.text.divide_line = divide_line
        rich_text = per_call(wrap, paragraphs, args.repeat)
        rich.text.divide_line = linebreak.break_offsets
        our_text = per_call(wrap, paragraphs, args.repeat)
    finally:
        rich.text.divide_line = original
    print(f"Text.wrap with ours:               {our_text * 1e3:.3f} ms   with Rich's: {rich_text * 1e3:.3f} ms"
          f"   ratio {our_text / rich_text:.2f}x")
    worst = max(first, our_text)
    ok = worst * 1e3 < TARGET_MS
    print(f"target < {TARGET_MS} ms per paragraph: {'met' if ok else 'MISSED'} ({worst * 1e3:.3f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
