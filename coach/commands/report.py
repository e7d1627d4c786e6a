"""`coach report DB…`: results across tellers from one or more history databases (read-only).

Exit status: 0 shown, 1 bad input (a missing or broken database, no attempts for the filters,
an output that cannot be written), 2 usage (a bad --since date).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dbs", nargs="+", metavar="DB",
                   help="history databases (*.sqlite3), or folders of them (every *.sqlite3 and *.db inside)")
    p.add_argument("--since", metavar="DATE", help="only attempts started on or after DATE (2026-11-01)")
    p.add_argument("--teller", metavar="NAME", help="only this teller")
    p.add_argument("--scenario", metavar="ID", help="only this scenario")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    p.add_argument("--view", choices=("all", "tellers", "principles", "scenarios", "items"), default="all",
                   help="one view only (default: all)")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page with charts")
    p.add_argument("--out", metavar="FILE", help="write the table, CSV or JSON to FILE instead of standard output")
    first = p.add_mutually_exclusive_group()
    first.add_argument("--first-only", dest="first_only", action="store_true", default=True,
                       help="item analysis on each teller's first attempt at a scenario (default)")
    first.add_argument("--all-attempts", dest="first_only", action="store_false",
                       help="item analysis on every finished attempt")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of headings and choice texts")
    p.add_argument("--scenarios", metavar="DIR", action="append", default=[],
                   help="a folder of scenario files, for choice texts and best points (bundled and your own are searched too)")


def _fail(message: str, code: int = 1) -> int:
    print(f"coach report: {message}", file=sys.stderr)
    return code


def input_files(dbs: list[str], scenario_dirs: list[str]) -> list[Path]:
    """Every file a report or export reads: the databases and the scenario files of --scenarios."""
    from coach.library import scenario_files
    from coach.reports.merge import db_files

    files = list(db_files(dbs))
    for d in scenario_dirs:
        files.extend(scenario_files(Path(d)))
    return files


def run(args: argparse.Namespace) -> int:
    from coach.commands._output import check_outputs, emit
    from coach.reports import ReportError, build, scenario_finder
    from coach.reports.merge import Filters, known_values, merge, parse_since
    from coach.reports.render import VIEWS, to_csv, to_json, to_table

    try:
        inputs = input_files(args.dbs, args.scenarios)
    except ReportError as exc:
        return _fail(str(exc))
    code = check_outputs("coach report", {"--out": args.out, "--html": args.html}, inputs)
    if code:
        return code
    try:
        since = parse_since(args.since) if args.since is not None else None
    except ReportError as exc:
        return _fail(str(exc), 2)
    filters = Filters(since=since, teller=args.teller and " ".join(args.teller.split()), scenario=args.scenario)
    try:
        data = merge(args.dbs, filters)
        from coach.store.rows import report as report_rows

        report_rows(data.problems, "coach report")
        if not data.attempts:
            if args.teller and args.teller not in known_values(args.dbs, "teller"):
                known = known_values(args.dbs, "teller")
                return _fail(f"no teller named '{args.teller}' in these databases"
                             + (f" (tellers: {', '.join(known[:10])})" if known else ""))
            if args.scenario and args.scenario not in known_values(args.dbs, "scenario"):
                known = known_values(args.dbs, "scenario")
                return _fail(f"no attempts of scenario '{args.scenario}' in these databases"
                             + (f" (scenarios: {', '.join(known[:10])})" if known else ""))
            return _fail("no finished attempts in these databases" + (" for these filters" if any(
                (args.since, args.teller, args.scenario)) else ""))
    except ReportError as exc:
        return _fail(str(exc))

    finder = scenario_finder(tuple(Path(d) for d in args.scenarios))
    report = build(data, first_only=args.first_only, scenario_for=finder, lang=args.lang)
    views = VIEWS if args.view == "all" else (args.view,)

    if args.html:
        from coach.reports.html import to_html

        if emit(to_html(report, views, args.lang), args.html, "coach report", inputs):
            return 1

    if args.format == "csv":
        payload = to_csv(report, views, args.lang)
    elif args.format == "json":
        payload = to_json(report, views)
    else:
        import shutil

        width = shutil.get_terminal_size((120, 24)).columns if not args.out and sys.stdout.isatty() else 120
        payload = to_table(report, views, args.lang, width=max(80, width)).encode("utf-8")
    if emit(payload, args.out, "coach report", inputs):
        return 1
    if args.html:
        print(f"Wrote {args.html}", file=sys.stderr)
    return 0
