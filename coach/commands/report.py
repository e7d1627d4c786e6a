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
                   help="history databases (*.sqlite3), or folders of them (every *.sqlite3 and *.db inside), "
                        "or one central store's PostgreSQL URL (postgresql://…)")
    p.add_argument("--branch", metavar="ID", help="only this branch (a central store's URL only)")
    p.add_argument("--since", metavar="DATE", help="only attempts started on or after DATE (2026-11-01)")
    p.add_argument("--teller", metavar="NAME", help="only this teller")
    p.add_argument("--scenario", metavar="ID", help="only this scenario")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    p.add_argument("--view", choices=("all", "tellers", "principles", "scenarios", "items"), default="all",
                   help="one view only (default: all)")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page with charts")
    p.add_argument("--out", metavar="FILE", help="write the table, CSV or JSON to FILE instead of standard output "
                   "(CSV of every view: one file per view, FILE-tellers.csv, FILE-principles.csv, …)")
    first = p.add_mutually_exclusive_group()
    first.add_argument("--first-only", dest="first_only", action="store_true", default=True,
                       help="item analysis on each teller's first attempt at a scenario (default)")
    first.add_argument("--all-attempts", dest="first_only", action="store_false",
                       help="item analysis on every finished attempt")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of headings and choice texts")
    p.add_argument("--replies", action="store_true",
                   help="list the replies tellers typed in their own words, per scenario and step (text or --format json)")
    p.add_argument("--scenarios", metavar="DIR", action="append", default=[],
                   help="a folder of scenario files, for choice texts and best points (bundled and your own are searched too)")


def _fail(message: str, code: int = 1) -> int:
    print(f"coach report: {message}", file=sys.stderr)
    return code


def input_files(dbs: list[str], scenario_dirs: list[str]) -> list[Path]:
    """Every file a report or export reads: the databases and the scenario files of --scenarios
    (a central store's URL is no file)."""
    from coach.central.target import is_url
    from coach.library import scenario_files
    from coach.reports.merge import db_files

    local = [d for d in dbs if not is_url(d)]
    files = list(db_files(local)) if local else []
    for d in scenario_dirs:
        files.extend(scenario_files(Path(d)))
    return files


def run(args: argparse.Namespace) -> int:
    from coach.commands._output import check_outputs
    from coach.reports import ReportError, build, scenario_finder
    from coach.reports.merge import Filters, known_values, merge, parse_since
    from coach.untrusted import one_line

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
    if args.replies:
        return _replies(args)
    filters = Filters(since=since, teller=args.teller and " ".join(args.teller.split()), scenario=args.scenario)
    finder = scenario_finder(tuple(Path(d) for d in args.scenarios))
    central = _central(args, filters, finder)
    if isinstance(central, int):
        return central
    if central is not None:
        return _show(args, central, inputs)
    if args.branch:
        return _fail("--branch needs a central store's URL (history files have no branches)", 2)
    try:
        data = merge(args.dbs, filters)
        from coach.store.rows import report as report_rows

        report_rows(data.problems, "coach report")
        if not data.attempts:
            if args.teller and args.teller not in known_values(args.dbs, "teller"):
                known = known_values(args.dbs, "teller")
                return _fail(f"no teller named '{args.teller}' in these databases"
                             + (f" (tellers: {', '.join(one_line(k) for k in known[:10])})" if known else ""))
            if args.scenario and args.scenario not in known_values(args.dbs, "scenario"):
                known = known_values(args.dbs, "scenario")
                return _fail(f"no attempts of scenario '{args.scenario}' in these databases"
                             + (f" (scenarios: {', '.join(one_line(k) for k in known[:10])})" if known else ""))
            return _fail("no finished attempts in these databases" + (" for these filters" if any(
                (args.since, args.teller, args.scenario)) else ""))
    except ReportError as exc:
        return _fail(str(exc))

    return _show(args, build(data, first_only=args.first_only, scenario_for=finder, lang=args.lang), inputs)


def _central(args: argparse.Namespace, filters, finder) -> dict | int | None:
    """The report from a central store when the argument is its URL; an exit code on failure;
    None for history files."""
    from coach.central.target import is_url

    urls = [d for d in args.dbs if is_url(d)]
    if not urls:
        return None
    if len(args.dbs) > 1:
        return _fail("give either one central store's URL or history files, not both", 2)
    from coach.central import report as central_report
    from coach.central import schema
    from coach.central.target import CentralError, classify, connect, describe

    url = urls[0]
    try:
        pg = connect(url, application="coach report")
    except CentralError as exc:
        return _fail(str(exc))
    import psycopg

    try:
        schema.require(pg)
        pg.commit()
        report = central_report.build(pg, url, filters, branch=args.branch, first_only=args.first_only,
                                      scenario_for=finder, lang=args.lang)
        if report["attempts"]:
            return report
        where = f"the central store {describe(url)}" + (f", branch {args.branch}" if args.branch else "")
        for column, value, what in (("teller", filters.teller, "no teller named '{}'"),
                                    ("scenario", filters.scenario, "no attempts of scenario '{}'")):
            if value:
                known = central_report.known_values(pg, column, args.branch)
                if value not in known:
                    return _fail(what.format(value) + f" in {where}"
                                 + (f" ({column}s: {', '.join(known[:10])})" if known else ""))
        return _fail(f"no finished attempts in {where}" + (" for these filters" if any(
            (args.since, args.teller, args.scenario)) else ""))
    except (schema.NotInitialised, schema.NewerCentral) as exc:
        return _fail(f"{describe(url)}: {exc}")
    except psycopg.Error as exc:
        return _fail(classify(exc, url))
    finally:
        pg.close()


def _show(args: argparse.Namespace, report: dict, inputs: list[Path]) -> int:
    from coach.commands._output import emit
    from coach.reports.render import VIEWS, to_csv, to_json, to_table

    views = VIEWS if args.view == "all" else (args.view,)

    if args.html:
        from coach.reports.html import to_html

        if emit(to_html(report, views, args.lang), args.html, "coach report", inputs):
            return 1

    if args.format == "csv":
        if len(views) == 1:
            payload = to_csv(report, views, args.lang)
        elif not args.out:
            return _fail("a CSV table holds one view: choose one with --view tellers|principles|scenarios|items, "
                         "or give --out FILE.csv to write one file per view", 2)
        else:
            from coach.reports.render import csv_path

            for view in views:
                if emit(to_csv(report, view, args.lang), csv_path(args.out, view), "coach report", inputs):
                    return 1
            print("Wrote " + ", ".join(csv_path(args.out, v) for v in views), file=sys.stderr)
            if args.html:
                print(f"Wrote {args.html}", file=sys.stderr)
            return 0
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


def _replies(args: argparse.Namespace) -> int:
    """`--replies`: what tellers said in their own words ("say it yourself"), per step."""
    import json

    from coach.commands._output import emit
    from coach.reports import ReportError
    from coach.reports.replies import read_replies, replies_table

    try:
        rows = read_replies(args.dbs, args.teller, args.scenario)
    except ReportError as exc:
        return _fail(str(exc))
    if args.format == "json":
        payload = json.dumps({"replies": rows}, ensure_ascii=False, indent=2) + "\n"
    else:
        payload = replies_table(rows)
    return 1 if emit(payload, args.out, "coach report") else 0
