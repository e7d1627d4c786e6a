"""`coach serve`: the coach in a browser, for a training room.

Each browser tab runs its own `coach run` (its own teller prompt) and every tab writes to the same
history file (SQLite in WAL mode takes writers from several processes). Binds to loopback unless
told otherwise. Needs the optional extra: `pip install 'coach[serve]'`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from coach.serve import DEFAULT_MAX_SESSIONS

LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}
MAX_SESSIONS_LIMIT = 1000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this PC only; 0.0.0.0 opens it to the network)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--lang", choices=("zh", "en"), default=None,
                   help="language of every session (default: from the locale; F2 switches in a tab)")
    p.add_argument("--assess", action="store_true",
                   help="assessment mode in every tab: no feedback until the end, choices shuffled")
    p.add_argument("--scenarios", metavar="DIR", action="append", default=[], type=Path,
                   help="also list the scenarios in this folder (repeatable)")
    p.add_argument("--max-sessions", metavar="N", type=int, default=DEFAULT_MAX_SESSIONS,
                   help=f"most tabs open at once; a tab beyond it is told the room is full "
                        f"(default {DEFAULT_MAX_SESSIONS}, 1 to {MAX_SESSIONS_LIMIT})")
    p.add_argument("--launch", choices=("auto", "fork", "spawn"), default="auto",
                   help="how each tab's session starts: fork (from a pre-loaded parent: quick and light; "
                        "Linux), spawn (a fresh Python per tab), auto (fork where it can; the default)")
    from coach.store.cli_support import add_db_arguments

    add_db_arguments(p)


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def session_arguments(args: argparse.Namespace, db: Path, lang: str) -> list[str]:
    """The `coach` arguments of each tab's session: this history, this language."""
    # Every tab asks who is practising: a training room's PCs are shared.
    argv = ["run", "--db", str(db), "--lang", lang, "--ask-teller"]
    if args.assess:
        argv.append("--assess")
    for folder in args.scenarios:
        argv += ["--scenarios", str(folder.resolve())]
    return argv


def run(args: argparse.Namespace) -> int:
    prog = "coach serve"
    if not 1 <= args.port <= 65535:
        print(f"{prog}: --port must be between 1 and 65535, not {args.port}", file=sys.stderr)
        return 2
    if not 1 <= args.max_sessions <= MAX_SESSIONS_LIMIT:
        print(f"{prog}: --max-sessions must be between 1 and {MAX_SESSIONS_LIMIT}, not {args.max_sessions}",
              file=sys.stderr)
        return 2
    if args.launch == "fork":
        from coach.serve.sessions import fork_supported

        if not fork_supported():
            print(f"{prog}: --launch fork needs Linux (fork and pidfds); use --launch spawn", file=sys.stderr)
            return 2
    for folder in args.scenarios:
        if not folder.is_dir():
            print(f"{prog}: --scenarios {folder} is not a folder", file=sys.stderr)
            return 2
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print(f"{prog}: the browser server is an optional part of coach; install it with "
              f"pip install 'coach[serve]'", file=sys.stderr)
        return 2

    from coach.store.cli_support import open_db
    from coach.store.db import default_path
    from coach.tui.i18n import default_lang

    # Open (and if needed create or migrate) the history once here, so a problem with the file is
    # told to the trainer now rather than in every tab.
    conn, code = open_db(args, prog)
    if conn is None:
        return code
    conn.close()
    db = default_path(args.db).resolve()
    lang = args.lang or default_lang()

    if not is_loopback(args.host):
        print(f"{prog}: warning: listening on {args.host}: anyone who can reach this PC on the network "
              f"can use the coach and write to its history. Use --host 127.0.0.1 to keep it to this PC.",
              file=sys.stderr)

    from coach.serve.server import CoachServer

    def announce(url: str) -> None:
        print(f"coach serve: open {url} in a browser (one tab per teller, up to {args.max_sessions}). "
              f"History: {db}. Ctrl+C stops the server and every session.", flush=True)

    server = CoachServer(session_arguments(args, db, lang), host=args.host, port=args.port, lang=lang,
                         announce=announce, env=dict(os.environ), launch=args.launch,
                         max_sessions=args.max_sessions)
    try:
        server.serve()
    except OSError as exc:
        print(f"{prog}: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}. "
              f"Is another server using that port? Try --port.", file=sys.stderr)
        return 1
    print(f"{prog}: stopped; {server.started} session(s) served, all closed.", file=sys.stderr)
    return 0
