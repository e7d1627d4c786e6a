"""`coach play`: play a scenario without the terminal UI and print its scorecard."""

from __future__ import annotations

import argparse
import json
import sys

from coach.principles import OUTCOME_NAMES, PHASE_NAMES, PRINCIPLES, aside, colon, pick


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file, or the id of a bundled one")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--choose", metavar="N,N,…", help="1-based choice at each decision step, in file order")
    how.add_argument("--best", action="store_true", help="take the best choice at every step")
    how.add_argument("--worst", action="store_true", help="take the worst choice at every step")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the text output")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _parse_choose(raw: str) -> list[int] | None:
    try:
        picks = [int(x) for x in raw.replace(" ", "").split(",") if x]
    except ValueError:
        return None
    return picks if picks and all(n >= 1 for n in picks) else None


def run(args: argparse.Namespace) -> int:
    from coach.engine import Session, SessionOver
    from coach.library import resolve
    from coach.scenario.loader import load_scenario

    path = resolve(args.scenario)
    if path is None:
        print(f"coach play: no scenario file or bundled id '{args.scenario}'", file=sys.stderr)
        return 2
    result = load_scenario(path, lint=False)  # the engine itself refuses a broken graph
    if result.scenario is None or not result.ok:
        for d in result.diagnostics:
            if d.severity == "error":
                print(d.format(), file=sys.stderr)
        print(f"coach play: {path} has errors; fix them first (coach validate {path})", file=sys.stderr)
        return 1
    scenario = result.scenario
    picks: list[int] | None = None
    if args.choose is not None:
        picks = _parse_choose(args.choose)
        if picks is None:
            print("coach play: --choose takes positive numbers separated by commas, e.g. 2,1,3", file=sys.stderr)
            return 2
    try:
        session = Session(scenario)  # a missing start step is SessionOver too
        if picks is not None:
            for n, pick_ in enumerate(picks, 1):
                if session.finished:
                    print(f"coach play: the scenario ended after {n - 1} choices; --choose gave {len(picks)}",
                          file=sys.stderr)
                    return 2
                count = len(session.step.choices)
                if pick_ > count:
                    print(f"coach play: choice {n} is {pick_}, but step '{session.step_id}' has {count} choices",
                          file=sys.stderr)
                    return 2
                session.choose(pick_ - 1)
            if not session.finished:
                print(f"coach play: --choose ran out at step '{session.step_id}' "
                      f"({len(session.step.choices)} choices) before an ending", file=sys.stderr)
                return 2
        else:
            while not session.finished:
                step = session.step
                if args.best:
                    session.choose(step.best_index())
                else:
                    worst = min(range(len(step.choices)), key=lambda i: (step.choices[i].total, i))
                    session.choose(worst)
    except SessionOver as exc:
        print(f"coach play: {exc}", file=sys.stderr)
        return 1
    card = session.scorecard()
    if args.format == "json":
        data = card.to_dict(args.lang)
        data["choices"] = [t.index + 1 for t in session.turns]
        data["path"] = [t.step for t in session.turns] + [session.step_id]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_text(card, session, args.lang)
    return 0


def _print_text(card, session, lang: str) -> None:
    from coach.linebreak import output_width, reflow
    from coach.scenario.model import localize

    zh = lang == "zh"
    lines: list[str] = []
    out = lines.append  # collected, then wrapped to the terminal's width at once
    out(localize(session.scenario.title, lang))
    # A critical mistake decides the verdict whatever the score, so it comes before the numbers.
    for c in card.critical:
        out(("严重错误" if zh else "Critical mistake") + f" @ {c.step}" + colon(lang) + localize(c.reason, lang))
    out(("总分" if zh else "Overall") + colon(lang) + f"{card.overall}/100  "
        + (("可以上岗" if zh else "ready") if card.ready else ("需要复习" if zh else "review")))
    out(("结果" if zh else "Outcome") + colon(lang) + pick(OUTCOME_NAMES[card.outcome], lang))
    out(("原则" if zh else "Principles") + colon(lang).rstrip())
    for pid, tally in card.principles.items():
        out(f"  {tally.score:3d}  {PRINCIPLES[pid].name(lang)}{aside(pid, lang)}")
    out(("阶段" if zh else "Phases") + colon(lang).rstrip())
    for phase, tally in card.phases.items():
        out(f"  {tally.score:3d}  {pick(PHASE_NAMES[phase], lang)}")
    out(("情绪" if zh else "Mood") + colon(lang) + " → ".join(str(m) for m in card.mood))
    for ev in card.rules:
        mark = "✓" if ev.kept else "✗"
        out(f"  {mark} {ev.rule} @ {ev.step}")
    for line in card.narrative(lang):
        out(line)
    print(reflow("\n".join(lines), output_width()))
