"""`coach review`: the moments a teller got wrong come back, spaced by FSRS (docs/review.md)."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from coach.store.cli_support import add_db_arguments

EPILOG = """\
Interactive (the default): the due items in the terminal UI, one decision each; answer with 1–9,
or press s to say it in your own words first, then rate yourself.

Scripted (for scripts and tests; no terminal UI):
  --list                print the due items (scenario, step, due, stability) and exit
  --auto best|worst     answer every due item with its best (or worst) choice; FSRS reschedules it
Exit status: 0 done (or nothing due), 1 a problem with the history file, 2 bad input.

  coach review --teller Li --list --format json
  coach review --teller Li --auto best --format json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = EPILOG
    p.add_argument("--teller", metavar="NAME", help="whose review (needed when the history has several tellers)")
    add_db_arguments(p)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="print the due items and exit")
    what.add_argument("--auto", choices=("best", "worst"), help="scripted: answer every due item best or worst")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=("zh", "en"), default=None, help="language (default: from the locale)")
    p.add_argument("--dir", action="append", type=Path, metavar="DIR",
                   help="scenarios from DIR (repeatable) instead of the library")


def _err(msg: str, code: int = 2) -> int:
    print(f"coach review: {msg}", file=sys.stderr)
    return code


def _folders(args) -> list[Path]:
    if args.dir:
        return list(args.dir)
    from coach.library import bundled_dir, user_dir

    return [bundled_dir(), user_dir()]


def run(args: argparse.Namespace) -> int:
    from coach.store.cli_support import open_db
    from coach.store.db import StoreError
    from coach.store.tellers import clean_name, find_teller, tellers
    from coach.tui.i18n import default_lang

    from coach.untrusted import one_line

    lang = args.lang or default_lang()
    for d in args.dir or []:
        if not d.is_dir():
            return _err(f"--dir {one_line(d)} is not a folder")
    if args.teller is not None:
        try:
            clean_name(args.teller)
        except StoreError as exc:
            return _err(f"--teller: {exc}")
    scripted = bool(args.list or args.auto)
    if not scripted and not (sys.stdin.isatty() and sys.stdout.isatty()):
        return _err("the interactive review needs a terminal; in a script use --list or --auto best|worst "
                    "(see coach review --help)")
    conn, code = open_db(args, "coach review")
    if conn is None:
        return code
    try:
        known = tellers(conn)
        shown = ", ".join(one_line(t) for t in known)  # names from the database go into a line
        name = args.teller
        if name is None:
            if len(known) != 1:
                return _err("say whose review with --teller NAME" + (f" (known: {shown})" if known else
                                                                     " (no teller has practised yet)"))
            name = known[0]
        tid = find_teller(conn, name)
        if tid is None:
            hint = f"known tellers: {shown}" if known else "no teller has practised yet"
            return _err(f"no teller named '{one_line(name)}' in this history ({hint})")
        if not scripted:
            return _interactive(conn, name, lang, args)
        from coach.check import load_library

        library, _skipped = load_library(_folders(args))
        pool = [(c.scenario, c.sha256) for c in library]
        if args.list:
            return _list(conn, tid, name, pool, args.format, lang)
        return _auto(conn, tid, name, pool, args.auto, args.format, lang)
    except StoreError as exc:
        return _err(str(exc), 1)
    except sqlite3.DatabaseError as exc:
        from coach.store.cli_support import damaged
        from coach.store.db import default_path

        return damaged("coach review", default_path(args.db), exc)
    finally:
        conn.close()


def _list(conn, tid: int, name: str, pool, fmt: str, lang: str) -> int:
    from coach import review
    from coach.store import review as cards

    deck = review.build(conn, tid, pool, seed=0)
    items = [i.card.to_dict() | {"title": i.to_dict(lang)["title"]} for i in deck.items]
    tomorrow = cards.count_due_tomorrow(conn, tid)
    if fmt == "json":
        print(json.dumps({"teller": name, "due": items, "retired": deck.retired, "due_tomorrow": tomorrow},
                         ensure_ascii=False, indent=2))
        return 0
    from rich.cells import cell_len

    from coach.linebreak import output_width, reflow

    width = output_width()
    if not items:
        print("Nothing due for review." if lang != "zh" else "现在没有需要复习的内容。")
    for it in items:
        stab = "new" if it["stability"] is None else f"{it['stability']:.1f} d"
        # the title (a scenario's text, often Chinese) on a line of its own when it would wrap
        head = f"{it['due'][:16].replace('T', ' ')}  {it['scenario']} @ {it['step']}  ({stab})"
        line = f"{head}  {it['title']}"
        print(line if width is None or cell_len(line) <= width else head + "\n" + reflow("    " + it["title"], width))
    print(("Due by tomorrow: " if lang != "zh" else "到明天为止待复习：") + str(tomorrow))
    return 0


def _auto(conn, tid: int, name: str, pool, how: str, fmt: str, lang: str) -> int:
    from coach import review
    from coach.store import review as cards

    deck = review.build(conn, tid, pool, seed=0)
    done = []
    for item in deck.items:
        step = item.step
        if how == "best":
            index = item.best_index()
        else:
            index = min(range(len(step.choices)), key=lambda i: (step.choices[i].total, i))
        graded = item.grade(item.order.index(index), None)
        after = cards.review(conn, item.card.id, graded.rating, how="choice", choice=index)
        done.append({"card": item.card.id, "scenario": item.card.scenario_id, "step": item.card.step,
                     "choice": index + 1, "verdict": graded.verdict, "rating": cards.RATING_NAMES[graded.rating],
                     "due": after.due, "stability": after.stability})
    tomorrow = cards.count_due_tomorrow(conn, tid)
    if fmt == "json":
        print(json.dumps({"teller": name, "reviewed": done, "retired": deck.retired, "due_tomorrow": tomorrow},
                         ensure_ascii=False, indent=2))
        return 0
    for d in done:
        print(f"{d['scenario']} @ {d['step']}: choice {d['choice']} ({d['verdict']}, {d['rating']}) "
              f"→ due {d['due'][:16].replace('T', ' ')}")
    print(f"Reviewed {len(done)}. " + ("Due by tomorrow: " if lang != "zh" else "到明天为止待复习：") + str(tomorrow))
    return 0


def _interactive(conn, name: str, lang: str, args) -> int:
    try:
        from coach.tui.app import CoachApp
    except ImportError:
        return _err("the interactive review needs the terminal UI; use --list or --auto (see --help)", 1)
    from coach.tui.controllers.link import StoreLink

    app = CoachApp(lang=lang, store=StoreLink(conn, name), extra_dirs=list(args.dir or []),
                   bundled=not args.dir, user=not args.dir, open_review=True)
    from coach.tui import launch

    launch.run(app, "coach review")
    return int(app.return_code or 0)  # 128 + n after a signal or a hang-up
