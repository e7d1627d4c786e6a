#!/usr/bin/env python3
"""Benchmarks. Run all: `.venv/bin/python scripts/bench.py`; some: `scripts/bench.py loader validate_cli`.

Each benchmark is a function `bench_<name>() -> bool` (False when a target is missed) registered in
BENCHMARKS; add yours there. Times are the best of several repetitions, in one process.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPEAT = 3


def best_of(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    """The fastest of `repeat` runs of fn, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


# --------------------------------------------------------------------------------------------
# A realistic library of generated scenarios

PHASES = ["preparation", "calming", "explanation", "follow_up"]
ACTS = {"preparation": "prepare", "calming": "soothe", "explanation": "explain", "follow_up": "follow_up"}
PRINCIPLES = ["understanding", "respect", "composure", "preparation", "attitude", "options", "calm_first",
              "type_fit", "root_cause", "proactive"]
ZH = "客户走到柜台前，看起来有些着急。我们需要先了解他的需求，再给出清楚的说明和可选的方案。"
EN = ("The customer comes to the counter looking a little anxious. Find out what they need first, "
      "then give a clear explanation and a few options to choose from.")


def _text(rng: random.Random, n_zh: int = 30, n_en: int = 90) -> dict[str, str]:
    a = rng.randrange(len(ZH) - n_zh)
    b = rng.randrange(len(EN) - n_en)
    return {"zh": ZH[a : a + n_zh], "en": EN[b : b + n_en].strip()}


def make_scenario(i: int, n_decisions: int = 7) -> dict:
    """A valid bilingual scenario: a chain of decision steps (3 choices each) and 3 endings."""
    rng = random.Random(i)
    ids = [f"s{k}" for k in range(n_decisions)]
    steps: dict[str, dict] = {}
    for k, sid in enumerate(ids):
        phase = PHASES[min(k * len(PHASES) // n_decisions, len(PHASES) - 1)]
        following = ids[k + 1] if k + 1 < n_decisions else "retained"
        choices = []
        for c in range(3):
            principles = rng.sample(PRINCIPLES, 2)
            points = 3 - 2 * c  # 3, 1, -1: one clear best
            choices.append({
                "text": _text(rng, 20, 60),
                "act": ACTS[phase] if c < 2 else "deflect",
                "scores": {principles[0]: points, principles[1]: max(-3, points - 1)},
                "mood": -10 + 10 * c,
                "feedback": _text(rng, 25, 70),
                "next": following if c < 2 else ("at-risk" if k % 2 else "lost"),
            })
        step: dict = {"phase": phase, "situation": _text(rng)}
        if k % 2 == 0:
            step["customer"] = _text(rng, 15, 50)
        step["choices"] = choices
        steps[sid] = step
    steps["retained"] = {"ending": "retained", "text": _text(rng)}
    steps["at-risk"] = {"ending": "at_risk", "text": _text(rng)}
    steps["lost"] = {"ending": "lost", "text": _text(rng)}
    return {
        "id": f"bench-{i:04d}",
        "title": _text(rng, 12, 40),
        "languages": ["zh", "en"],
        "difficulty": 1 + i % 3,
        "tags": ["bench", ["atm", "fees", "cards"][i % 3]],
        "customer": {
            "name": {"zh": "王先生", "en": "Mr Wang"},
            "type": ["requesting", "confused", "agitated"][i % 3],
            "mood": 40 + i % 50,
            "profile": _text(rng),
            "wants": _text(rng, 20, 50),
        },
        "start": ids[0],
        "steps": steps,
    }


def write_library(folder: Path, count: int = 1000) -> list[Path]:
    import yaml

    paths = []
    for i in range(count):
        path = folder / f"bench-{i:04d}.yaml"
        path.write_text(
            yaml.dump(make_scenario(i), Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
        paths.append(path)
    return paths


# --------------------------------------------------------------------------------------------
# Benchmarks


def bench_loader() -> bool:
    """Plain yaml.load (C loader) of 1,000 scenarios vs the whole in-process validate."""
    import yaml

    from coach.scenario.loader import load_scenario

    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        paths = write_library(Path(tmp))
        size = sum(p.stat().st_size for p in paths)

        def plain() -> None:
            for p in paths:
                with open(p, "rb") as fh:
                    yaml.load(fh, Loader=yaml.CSafeLoader)

        def validate() -> None:
            for p in paths:
                result = load_scenario(p)
                if not result.ok:
                    raise SystemExit("\n".join(d.format() for d in result.diagnostics))

        validate()  # warm up, and check the generated library is valid
        t_plain = best_of(plain)
        t_validate = best_of(validate)
    ratio = t_validate / t_plain
    print(f"loader: {len(paths)} scenarios, {size / len(paths) / 1024:.1f} KiB each")
    print(f"  yaml.load (CSafeLoader)          {t_plain * 1000:8.1f} ms")
    print(f"  load + model + lint (validate)   {t_validate * 1000:8.1f} ms")
    print(f"  ratio                            {ratio:8.2f}x   (target <= 1.5x)")
    return ratio <= 1.5


def bench_validate_cli() -> bool:
    """Wall time of `coach validate scenarios/` as a subprocess (target < 0.3 s)."""
    folder = ROOT / "scenarios"
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else []
    if not files:
        print("validate_cli: scenarios/ has no scenario files yet; skipped")
        return True
    cmd = [sys.executable, "-m", "coach", "validate", str(folder)]

    def once() -> None:
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    once()  # warm the filesystem and bytecode caches
    wall = best_of(once)
    print(f"validate_cli: coach validate scenarios/ ({len(files)} files)  {wall * 1000:.0f} ms   (target < 300 ms)")
    return wall < 0.3


BENCHMARKS: dict[str, Callable[[], bool]] = {
    "loader": bench_loader,
    "validate_cli": bench_validate_cli,
}


def main(argv: list[str] | None = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv) or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    missed = [name for name in names if not BENCHMARKS[name]()]
    if missed:
        print(f"targets missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
