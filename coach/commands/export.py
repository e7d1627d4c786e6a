"""`coach export --xapi DB…`: finished attempts as xAPI 1.0.3 statements, one JSON object a line.

Exit status: 0 exported, 1 bad input (a missing or broken database, nothing to export, an output
that cannot be written), 2 usage (no format, a bad --homepage, --pass-mark or --since).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dbs", nargs="+", metavar="DB",
                   help="history databases (*.sqlite3), or folders of them, or one central store's PostgreSQL URL")
    p.add_argument("--branch", metavar="ID", help="only this branch (a central store's URL only)")
    p.add_argument("--xapi", action="store_true", help="export as xAPI 1.0.3 statements (JSON lines)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--homepage", metavar="URL", default=None,
                   help="home page of the tellers' accounts and base of the activity ids (your LMS)")
    p.add_argument("--pass-mark", metavar="N", type=int, default=80, help="overall score that passes, 0-100 (default 80)")
    p.add_argument("--since", metavar="DATE", help="only attempts started on or after DATE (2026-11-01)")
    p.add_argument("--teller", metavar="NAME", help="only this teller")
    p.add_argument("--scenario", metavar="ID", help="only this scenario")
    p.add_argument("--scenarios", metavar="DIR", action="append", default=[],
                   help="a folder of scenario files, for step texts and correct answers")


def _fail(message: str, code: int = 1) -> int:
    print(f"coach export: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from coach.commands._output import check_outputs, emit
    from coach.commands.report import input_files
    from coach.reports import ReportError, scenario_finder
    from coach.reports.merge import Filters, merge, parse_since
    from coach.reports.xapi import DEFAULT_HOMEPAGE, Exporter, check_homepage
    from coach.untrusted import one_line

    if not args.xapi:
        return _fail("choose the export format: --xapi", 2)
    homepage = args.homepage or DEFAULT_HOMEPAGE
    problem = check_homepage(homepage)
    if problem:
        return _fail(problem, 2)
    if not 0 <= args.pass_mark <= 100:
        return _fail(f"--pass-mark is an overall score from 0 to 100, not {args.pass_mark}", 2)
    from coach.central.target import is_url

    try:
        # The files read (a central store's URL is no file): an output may never be one of them.
        inputs = input_files(args.dbs, args.scenarios)
    except ReportError as exc:
        return _fail(str(exc))
    code = check_outputs("coach export", {"--out": args.out}, inputs)
    if code:
        return code

    exporter = Exporter(homepage, args.pass_mark, scenario_finder(tuple(Path(d) for d in args.scenarios)))
    lines = []
    if any(is_url(d) for d in args.dbs):
        if len(args.dbs) > 1:
            return _fail("give either one central store's URL or history files, not both", 2)
        try:
            since = parse_since(args.since) if args.since is not None else None
        except ReportError as exc:
            return _fail(str(exc), 2)
        filters = Filters(since=since, teller=args.teller, scenario=args.scenario)
        attempts = _central_statements(args.dbs[0], filters, args.branch, exporter, lines)
        if isinstance(attempts, str):
            return _fail(attempts)
    else:
        if args.branch:
            return _fail("--branch needs a central store's URL (history files have no branches)", 2)
        try:
            since = parse_since(args.since) if args.since is not None else None
            data = merge(args.dbs, Filters(since=since, teller=args.teller, scenario=args.scenario))
        except ReportError as exc:
            return _fail(str(exc), 2 if "--since" in str(exc) else 1)
        from coach.store.rows import report as report_rows

        report_rows(data.problems, "coach export")  # rows that could not be read are named, then skipped
        for attempt in data.attempts:
            for st in exporter.statements(attempt):
                lines.append(json.dumps(st, ensure_ascii=False, separators=(",", ":")))
        attempts = len(data.attempts)
    if not attempts:
        return _fail("no finished attempts to export" + (" for these filters" if any(
            (args.since, args.teller, args.scenario, args.branch)) else ""))
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    if emit(payload, args.out, "coach export", inputs):
        return 1
    if exporter.missing:
        print("coach export: no scenario file of the same version for "
              + ", ".join(one_line(sid) for sid in sorted(exporter.missing))
              + ": their steps are exported without choices or correct answers (add --scenarios DIR)",
              file=sys.stderr)
    if args.homepage is None:
        print(f"coach export: accounts use the placeholder home page {DEFAULT_HOMEPAGE}; "
              "give your LMS with --homepage URL", file=sys.stderr)
    print(f"coach export: {len(lines)} statements for {attempts} attempts", file=sys.stderr)
    return 0


def _central_statements(url: str, filters, branch: str | None, exporter, lines: list[str]) -> int | str:
    """Statements of a central store's finished attempts, streamed; the count, or a message."""
    from coach.central import report as central_report
    from coach.central import schema
    from coach.central.target import CentralError, classify, connect, describe

    try:
        pg = connect(url, application="coach export")
    except CentralError as exc:
        return str(exc)
    import psycopg

    n = 0
    try:
        schema.require(pg)
        pg.commit()
        for attempt in central_report.attempt_rows(pg, filters, branch):
            n += 1
            for st in exporter.statements(attempt):
                lines.append(json.dumps(st, ensure_ascii=False, separators=(",", ":")))
    except (schema.NotInitialised, schema.NewerCentral) as exc:
        return f"{describe(url)}: {exc}"
    except psycopg.Error as exc:
        return classify(exc, url)
    finally:
        pg.close()
    return n
