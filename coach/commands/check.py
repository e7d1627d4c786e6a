"""`coach check`: the pre-shift self-assessment, ending in "ready" or "review: <principles>"."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from coach.store.cli_support import add_db_arguments

EPILOG = """\
Interactive (the default): the check runs in the terminal UI in assessment mode, time-boxed to
--minutes, on scenarios chosen for your weakest principles and least recent practice (a new teller
gets a spread over the three customer types), never the same scenario twice.

Scripted (for scripts and tests; no terminal UI):
  --auto best|worst     take the best (or worst) choice at every step of every chosen scenario
  --answers FILE        a JSON object of 1-based choices per scenario id ('-' reads stdin), e.g.
                        {"atm-card": [1, 1, 1, 1], "fee-confusion": [2, 1]}
                        a list that ends before an ending stops that scenario there (scored as far
                        as it went); a chosen scenario missing from FILE is an error unless --auto
                        is also given, which then plays it
  --scenarios ID,ID     play exactly these scenarios instead of the automatic choice
  --plan                print the chosen scenarios and exit (nothing is stored)
Every answer, attempt and the verdict with its numbers are stored in the history database, as in
the terminal UI. Exit status: 0 ready, 3 review, 1 or 2 on an error.

  coach check --teller Li --auto best --format json
  coach check --teller Li --plan --format json
"""


def _int_in(lo: int, hi: int, what: str):
    def parse(raw: str) -> int:
        try:
            n = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{raw}' is not a whole number") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"{what} must be from {lo} to {hi}, not {n}")
        return n
    return parse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = EPILOG
    p.add_argument("--minutes", type=_int_in(1, 120, "--minutes"), default=10, metavar="N",
                   help="time box in minutes, 1–120 (default 10)")
    p.add_argument("--pass-mark", type=_int_in(0, 100, "--pass-mark"), default=80, metavar="N",
                   help="score needed overall and in every principle, 0–100 (default 80)")
    p.add_argument("--teller", metavar="NAME", help="who takes the check (asked for when missing)")
    add_db_arguments(p)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.add_argument("--dir", action="append", type=Path, metavar="DIR",
                   help="choose from the scenarios in DIR (repeatable) instead of the library")
    p.add_argument("--auto", choices=("best", "worst"), help="scripted: take the best or worst choice everywhere")
    p.add_argument("--answers", metavar="FILE", help="scripted: JSON {scenario id: [1-based choices]}; '-' for stdin")
    p.add_argument("--scenarios", metavar="ID,ID", help="play exactly these scenario ids")
    p.add_argument("--plan", action="store_true", help="print the chosen scenarios and exit")


def _err(msg: str, code: int = 2) -> int:
    print(f"coach check: {msg}", file=sys.stderr)
    return code


def _folders(args) -> list[Path]:
    if args.dir:
        return list(args.dir)
    from coach.library import bundled_dir, user_dir

    return [bundled_dir(), user_dir()]


def _load_answers(raw: str) -> dict[str, list[int]] | str:
    try:
        if raw == "-":
            if sys.stdin is None or sys.stdin.closed:
                return "--answers - reads standard input, which is closed"
            text = sys.stdin.read()
        else:
            text = Path(raw).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a NUL byte in the name
        return f"cannot read --answers {raw}: {getattr(exc, 'strerror', None) or exc}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"--answers {raw} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except RecursionError:  # 100,000 nested [
        return f"--answers {raw} nests too deeply to be a list of choices"
    except ValueError:  # a number past Python's int/str conversion limit
        return f"--answers {raw} holds a number too long to be a choice"
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(type(n) is int and n >= 1 for n in v)
        for k, v in data.items()
    ):
        return f"--answers {raw} must be a JSON object of scenario id -> list of 1-based choices"
    return data


def run(args: argparse.Namespace) -> int:
    from coach import check
    from coach.store import queries
    from coach.store.cli_support import open_db
    from coach.store.db import StoreError
    from coach.store.tellers import clean_name, tellers, teller_id

    for d in args.dir or []:
        if not d.is_dir():
            return _err(f"--dir {d} is not a folder")
    scripted = bool(args.auto or args.answers)
    answers: dict[str, list[int]] = {}
    if args.answers:
        loaded = _load_answers(args.answers)
        if isinstance(loaded, str):
            return _err(loaded)
        answers = loaded
    if args.teller is not None:
        try:
            clean_name(args.teller)
        except StoreError as exc:
            return _err(f"--teller: {exc}")

    library, skipped = check.load_library(_folders(args))
    if not library:
        where = ", ".join(str(f) for f in _folders(args))
        return _err(f"no valid scenarios to choose from in {where}", 1)

    conn, code = open_db(args, "coach check")
    if conn is None:
        return code
    try:
        name = args.teller
        if name is None:
            known = tellers(conn)
            if scripted or args.plan or len(known) == 1:
                if len(known) != 1:
                    return _err("say who takes the check with --teller NAME")
                name = known[0]
        if not scripted and not args.plan:
            return _interactive(args, conn, name, library)
        tid = teller_id(conn, name)
        by_id = {c.id: c for c in library}
        if args.scenarios:
            ids = [s for s in (x.strip() for x in args.scenarios.split(",")) if s]
            unknown = [s for s in ids if s not in by_id]
            if unknown or not ids:
                return _err(f"--scenarios: no valid scenario '{', '.join(unknown) or args.scenarios}' "
                            f"(available: {', '.join(sorted(by_id))})")
            chosen = [by_id[s] for s in dict.fromkeys(ids)]
        else:
            chosen = check.select(library, args.minutes, queries.principle_averages(conn, tid),
                                  queries.last_practised(conn, tid))
        if args.plan:
            plan = [{"id": c.id, "type": c.type, "focus": c.focus, "minutes": c.minutes} for c in chosen]
            if args.format == "json":
                print(json.dumps({"teller": name, "minutes": args.minutes, "scenarios": plan},
                                 ensure_ascii=False, indent=2))
            else:
                for c in plan:
                    print(f"{c['id']}  ({c['type']}; {', '.join(c['focus'])}; ~{c['minutes']:.1f} min)")
            return 0
        plays = _plan_choices(chosen, answers, args.auto)
        if isinstance(plays, str):
            return _err(plays)
        verdict, check_id = _record(conn, name, args, plays, library)
        from coach.review import due_for_verdict

        due_items = due_for_verdict(conn, teller_id(conn, name), verdict, library)
    except StoreError as exc:
        return _err(str(exc), 1)
    except sqlite3.DatabaseError as exc:
        from coach.store.cli_support import damaged
        from coach.store.db import default_path

        return damaged("coach check", default_path(args.db), exc)
    finally:
        conn.close()
    if args.format == "json":
        data = {"teller": name, "check_id": check_id, "minutes": args.minutes, **verdict.to_dict(args.lang),
                "review_items": due_items}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        from coach.linebreak import output_width, reflow

        lines = verdict.lines(args.lang)
        if due_items:
            zh = args.lang == "zh"
            lines.append(("待复习的时刻 (coach review): " if zh else "Moments to review (coach review): ")
                         + ", ".join(f"{d['scenario']} @ {d['step']}" for d in due_items))
        print(reflow("\n".join(lines), output_width()))
    return 0 if verdict.ready else 3


def _plan_choices(chosen, answers: dict[str, list[int]], auto: str | None):
    """Dry-run every scenario before anything is stored: [(candidate, [0-based choices])] or an error."""
    from coach.engine import SessionOver

    try:
        return _dry_run(chosen, answers, auto)
    except SessionOver as exc:  # a loop the linter cannot forbid (the worst path may go round one)
        return f"a chosen scenario cannot be played to an ending: {exc}"


def _dry_run(chosen, answers: dict[str, list[int]], auto: str | None):
    from coach.engine import Session

    plays = []
    for cand in chosen:
        session = Session(cand.scenario)
        if cand.id in answers:
            for n, pick in enumerate(answers[cand.id], 1):
                if session.finished:
                    return f"--answers for '{cand.id}': the scenario ended after {n - 1} choices"
                count = len(session.step.choices)
                if pick > count:
                    return (f"--answers for '{cand.id}': choice {n} is {pick}, but step "
                            f"'{session.step_id}' has {count} choices")
                session.choose(pick - 1)
        elif auto:
            while not session.finished:
                step = session.step
                if auto == "best":
                    session.choose(step.best_index())
                else:
                    session.choose(min(range(len(step.choices)), key=lambda i: (step.choices[i].total, i)))
        else:
            return (f"--answers has no choices for '{cand.id}'; the check chose: "
                    f"{', '.join(c.id for c in chosen)} (add --auto best|worst to play the rest, "
                    f"or fix the selection with --scenarios)")
        plays.append((cand, session.choices_made))
    return plays


def _record(conn, name: str, args, plays, library):
    """Play each scenario through a Recorder, as the terminal UI does, and store the verdict."""
    from coach import check
    from coach.engine import Session
    from coach.store.db import transaction
    from coach.store.recorder import Recorder

    # one transaction: a full disk or a lock leaves nothing half-stored (never a check with no verdict)
    with transaction(conn):
        rec = Recorder(conn, name)
        rec.start_check(args.minutes, args.pass_mark)  # the calls the terminal UI's Outbox gets
        cards = []
        for cand, picks in plays:
            attempt = rec.start(cand.scenario, cand.sha256, "assessment", args.lang)
            session = Session(cand.scenario)
            for i in picks:
                rec.answer(attempt, session.choose(i), None)
            card = session.scorecard()
            card.pass_mark = args.pass_mark
            if session.finished:
                rec.finish(attempt, card)
            else:  # stopped before an ending: never stored (or exported) as a finished attempt
                rec.stop(attempt, card)
            cards.append((cand.id, card, session.finished))
        verdict = check.verdict(cards, args.pass_mark, library)
        rec.finish_check(rec.check_id, verdict)
    return verdict, rec.check_id


def _interactive(args, conn, name, library) -> int:
    if not (sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()):  # `<&-` leaves None
        return _err("the interactive check needs a terminal; in a script use --auto best|worst or "
                    "--answers FILE (see coach check --help)", 2)
    try:
        from coach.tui.store_apps import run_check  # the check screen, in the terminal UI
    except ImportError:
        return _err("the interactive check needs the terminal UI, which is not available here; "
                    "use --auto best|worst or --answers FILE (see coach check --help)", 1)
    return int(run_check(args, conn, name, library) or 0)
