"""`coach history`: a teller's past attempts, weakest principles and checks, as text, JSON or CSV."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys

from coach.store.cli_support import add_db_arguments

FIELDS = ("id", "teller", "started", "ended", "scenario_id", "mode", "lang", "status", "overall",
          "outcome", "answers")


def _positive(raw: str) -> int:
    try:
        n = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{raw}' is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--teller", metavar="NAME", help="only this teller (also shows weakest principles and trend)")
    add_db_arguments(p)
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument("--limit", type=_positive, metavar="N", help="only the N most recent attempts")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the text output")


def run(args: argparse.Namespace) -> int:
    from coach.store import queries
    from coach.store.cli_support import open_db
    from coach.store.db import StoreError, default_path
    from coach.store.tellers import find_teller, tellers
    from coach.untrusted import one_line

    path = default_path(args.db)
    if not path.exists() and not path.is_symlink():
        return _emit(args, str(path), None, [], {}, note=f"No history yet ({path} does not exist).")
    conn, code = open_db(args, "coach history", read_only=True)  # never migrates or writes the file
    if conn is None:
        return code
    try:
        teller_id = None
        if args.teller is not None:
            try:
                teller_id = find_teller(conn, args.teller)
            except StoreError as exc:
                print(f"coach history: {exc}", file=sys.stderr)
                return 2
            if teller_id is None:
                known = ", ".join(one_line(n) for n in tellers(conn) if isinstance(n, str)) or "none yet"
                print(f"coach history: no teller named '{one_line(args.teller)}' in {one_line(path)} (known: {known}).",
                      file=sys.stderr)
                return 1
        from coach.store.rows import Problems, report

        problems = Problems(str(path))
        rows = queries.history(conn, teller_id, args.limit, problems)
        extra: dict = {}
        if teller_id is not None:
            extra = {
                "weakest": [{"principle": p, "mean": m} for p, m in queries.weakest(conn, teller_id)],
                "trend": queries.trend(conn, teller_id),
                "best_last": {sid: {"best": b, "last": last}
                              for sid, (b, last) in queries.best_and_last(conn, teller_id).items()},
                "checks": queries.checks(conn, teller_id, 5, problems),
            }
        report(problems.lines, "coach history")
        return _emit(args, str(path), args.teller, rows, extra)
    except sqlite3.DatabaseError as exc:
        from coach.store.cli_support import damaged

        return damaged("coach history", path, exc)
    finally:
        conn.close()


def _emit(args, path: str, teller: str | None, rows, extra: dict, note: str = "") -> int:
    if args.format == "json":
        data = {"db": path, "teller": teller, "attempts": [r.to_dict() for r in rows], **extra}
        # compact (the C encoder) for scripts; indented only for a person at a terminal
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent) + "\n")
    elif args.format == "csv":
        from coach.csvout import SafeWriter  # the report's writer: no cell runs as a formula

        w = SafeWriter(sys.stdout, lineterminator="\n")
        w.writerow(FIELDS)
        for r in rows:
            w.writerow([getattr(r, f) for f in FIELDS])
    else:
        _text(args.lang, rows, extra, note)
    return 0


def _text(lang: str, rows, extra: dict, note: str) -> None:
    from coach.cells import fit
    from coach.linebreak import output_width, reflow
    from coach.principles import OUTCOME_NAMES, PRINCIPLES, pick
    from coach.untrusted import one_line

    zh = lang == "zh"
    out = sys.stdout
    if note:
        print(note)
        return
    if not rows:
        print("还没有练习记录。" if zh else "No attempts yet.")
        return
    head = ("柜员", "日期", "场景", "模式", "得分", "结果", "答题") if zh else \
        ("Teller", "Date", "Scenario", "Mode", "Score", "Outcome", "Answers")
    widths = ((12, "<"), (16, "<"), (24, "<"), (10, "<"), (5, ">"), (12, "<"), (7, ">"))

    def row(cells) -> str:
        return " ".join(fit(one_line(c), w, a) for c, (w, a) in zip(cells, widths)).rstrip()

    lines = [row(head)]
    for r in rows:
        score = "-" if r.overall is None else str(r.overall)
        outcome = r.outcome or ({"open": "unfinished", "abandoned": "abandoned"}.get(r.status, ""))
        if zh:
            outcome = pick(OUTCOME_NAMES[outcome], lang) if outcome in OUTCOME_NAMES else \
                {"unfinished": "未完成", "abandoned": "已放弃"}.get(outcome, outcome)
        mode = {"practice": "练习", "assessment": "考核", "check": "上岗自测"}.get(r.mode, r.mode) if zh else r.mode
        lines.append(row((r.teller, r.started[:16].replace("T", " "), r.scenario_id, mode, score, outcome, r.answers)))
    out.write("\n".join(lines) + "\n")
    if extra.get("weakest"):
        print()
        print("最弱的原则：" if zh else "Weakest principles:")
        for w in extra["weakest"]:
            p = PRINCIPLES.get(w["principle"])
            if p is None:
                continue
            spark = _spark(extra["trend"].get(w["principle"], []))
            print(f"  {w['mean']:5.1f}  {p.name(lang)} ({p.id})  {spark}")
            print(reflow(f"         {p.quote_zh}" if zh else f"         {p.gloss_en}", output_width()))


def _spark(values: list[int]) -> str:
    bars = "▁▂▃▄▅▆▇█"
    return "".join(bars[min(7, max(0, v * 8 // 101))] for v in values[-20:])
