"""`coach graph SCENARIO`: the step graph with phases, acts and endings as Mermaid or DOT.

Exit status: 0 drawn (lint errors such as a missing step are drawn too, and listed on stderr),
1 the file cannot be read as a scenario or the output cannot be written, 2 no such scenario.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file, or the id of a bundled one")
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="output format (default: mermaid)")
    p.add_argument("--lang", choices=("zh", "en"), default=None,
                   help="language of the labels (default: the scenario's first language)")
    p.add_argument("-o", "--out", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace) -> int:
    from coach.graph import render
    from coach.library import resolve
    from coach.scenario.loader import load_scenario

    path = resolve(args.scenario)
    if path is None:
        print(f"coach graph: no scenario file or bundled id '{args.scenario}'", file=sys.stderr)
        return 2
    from coach.commands._output import check_outputs, emit

    if check_outputs("coach graph", {"-o": args.out}, [path]):
        return 2
    result = load_scenario(path)
    if result.scenario is None:
        for d in result.errors:
            print(d.format(), file=sys.stderr)
        print(f"coach graph: {path} cannot be read as a scenario; fix it first (coach validate {path})",
              file=sys.stderr)
        return 1
    for d in result.errors:  # graph problems: still drawn, so the trainer can see them
        print(d.format(), file=sys.stderr)
    text = render(result.scenario, args.format, args.lang)
    return emit(text, args.out, "coach graph", [path])
