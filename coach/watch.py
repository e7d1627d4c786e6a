"""`coach validate --watch PATH…`: re-validate on each save and re-play the best path.

Polls the files' modification times and sizes (no extra dependency, works on every file system and
editor, including those that save by renaming a temporary file). Each round prints the diagnostics,
the summary line, and for every valid scenario the score and ending of its best path, so a trainer
sees errors and the best score as they type. Ctrl+C ends it cleanly (exit 0).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, TextIO

Snapshot = dict[str, tuple[int, int]]


def snapshot(paths: list[str]) -> tuple[list[Path], Snapshot, list[str]]:
    """The scenario files under the paths, their (mtime_ns, size), and problems (a missing path)."""
    from coach.library import collect

    files, problems = collect(paths)
    state: Snapshot = {}
    for f in files:
        try:
            st = f.stat()
            state[str(f)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            state[str(f)] = (-1, -1)
    for raw in paths:  # a folder gaining or losing files changes too
        p = Path(raw)
        if p.is_dir():
            try:
                state[str(p) + "/"] = (p.stat().st_mtime_ns, 0)
            except OSError:
                pass
    return files, state, problems


def best_line(scenario, lang: str = "en") -> str:
    """`id: best path 100/100, Customer retained (start → calm → end)`, or why it cannot be played."""
    from coach.engine import Session, SessionOver
    from coach.principles import OUTCOME_NAMES, pick

    try:
        session = Session(scenario)
        session.play_best()
    except (SessionOver, IndexError) as exc:
        return f"  {scenario.id}: the best path cannot be played ({exc})"
    card = session.scorecard()
    path = " → ".join([t.step for t in session.turns] + [session.step_id])
    outcome = pick(OUTCOME_NAMES[card.outcome], lang) if card.outcome else "no ending"
    return f"  {scenario.id}: best path {card.overall}/100, {outcome} ({path})"


def check_once(files: list[Path], problems: list[str], out: TextIO, *, lint: bool = True) -> tuple[int, int]:
    """Validate and re-play; print one round. Returns (errors, warnings)."""
    from coach.scenario.loader import load_scenario

    stamp = datetime.now().strftime("%H:%M:%S")
    out.write(f"── {stamp} ──\n")
    for line in problems:
        out.write(f"coach validate: {line}\n")
    n_err = n_warn = n_valid = 0
    best: list[str] = []
    for f in files:
        result = load_scenario(f, lint=lint)
        for d in result.diagnostics:
            out.write(d.format() + "\n")
        n_err += len(result.errors)
        n_warn += len(result.warnings)
        if result.ok and result.scenario is not None:
            n_valid += 1
            best.append(best_line(result.scenario))
    n = len(files)
    out.write(f"{n} file{'s' if n != 1 else ''}: {n_valid} valid, {n - n_valid} with errors; "
              f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}\n")
    for line in best:
        out.write(line + "\n")
    out.flush()
    return n_err, n_warn


def watch(paths: list[str], *, interval: float = 0.5, lint: bool = True, out: TextIO | None = None,
          max_iterations: int | None = None, sleep: Callable[[float], None] | None = None) -> int:
    """Check now, then again after every change, until Ctrl+C (or `max_iterations` polls, for tests)."""
    out = out or sys.stdout
    sleep = sleep or time.sleep
    try:
        files, state, problems = snapshot(paths)
        check_once(files, problems, out, lint=lint)
        out.write("Watching for changes; Ctrl+C to stop.\n")
        out.flush()
        polls = 0
        while max_iterations is None or polls < max_iterations:
            sleep(interval)
            polls += 1
            files, now, problems = snapshot(paths)
            if now != state:
                state = now
                check_once(files, problems, out, lint=lint)
    except KeyboardInterrupt:
        out.write("\nStopped watching.\n")
        out.flush()
    return 0
