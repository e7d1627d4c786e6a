"""`coach run [SCENARIO]`: the teller's coach in the terminal (the default command).

SCENARIO (a file or a bundled id) skips the library. The Textual app is imported only inside
`run()`, so building the parser for other commands never pays for it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="SCENARIO", nargs="?",
                   help="a scenario file or id: skip the library and start with its briefing")
    p.add_argument("--scenarios", metavar="DIR", action="append", default=[], type=Path,
                   help="also list the scenarios in this folder (repeatable)")
    p.add_argument("--lang", choices=("zh", "en"), default=None,
                   help="language (default: from the locale; F2 switches at any time)")
    p.add_argument("--assess", action="store_true",
                   help="assessment mode: no feedback until the end, no take-backs, choices shuffled")
    from coach.tui.controllers.link import add_store_arguments

    add_store_arguments(p)  # --teller, --db, --yes: the history store


def prepare(args: argparse.Namespace) -> dict | int:
    """The CoachApp's arguments, or an exit code after a plain message on stderr."""
    from coach.tui.i18n import default_lang

    dirs: list[Path] = list(args.scenarios or [])
    for folder in dirs:
        if not folder.is_dir():
            what = "does not exist" if not folder.exists() else "is not a folder"
            print(f"coach run: --scenarios {folder} {what}", file=sys.stderr)
            return 2
    kwargs: dict = {"lang": args.lang or default_lang(), "assess": bool(args.assess), "extra_dirs": dirs}
    if args.scenario:
        from coach.library import resolve
        from coach.tui.catalog import open_entry

        path = resolve(args.scenario, dirs)
        if path is None:
            print(f"coach run: no scenario file or bundled id '{args.scenario}'", file=sys.stderr)
            return 2
        entry = open_entry(path)  # hashed now; validated unless the cache knows these bytes
        if not entry.ok:
            print(entry.error, file=sys.stderr)
            print(f"coach run: {path} cannot be played; see `coach validate {path}`", file=sys.stderr)
            return 2
        kwargs["start"] = entry
    return kwargs


def build_app(args: argparse.Namespace, app_class=None):
    """The CoachApp for these arguments (with the history store), or an exit code after a message.

    `app_class` lets scripts/bench_tui.py time exactly this path with a subclass.
    """
    kwargs = prepare(args)
    if isinstance(kwargs, int):
        return kwargs
    from coach.tui.controllers.link import open_store

    link = open_store(args, kwargs["lang"])
    if isinstance(link, int):
        return link
    kwargs["store"] = link
    if app_class is None:
        from coach.tui.app import CoachApp as app_class

    return app_class(**kwargs)


def run(args: argparse.Namespace) -> int:
    from coach.tui import launch, quiet_gc

    quiet_gc.hold()  # no garbage collection until the first screen is up (coach/tui/quiet_gc.py)
    try:
        app = build_app(args)
        if isinstance(app, int):
            return app
        try:
            result = launch.run(app, "coach run")  # a signal or a hang-up: a line on stderr, code 128+n
        except KeyboardInterrupt:
            return 130
    finally:
        quiet_gc.release()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code)
