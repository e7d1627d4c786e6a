"""`coach validate PATH…`: check scenario files and folders, one `file:line:col` line per problem.

Exit status: 0 all valid, 1 errors (or warnings with --strict), 2 usage (a path that does not exist,
a folder with no scenario files).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders (searched for *.yaml, *.yml)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as failures (exit 1)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--no-lint", dest="lint", action="store_false", help="check the format only, not the step graph")
    parser.add_argument("--watch", action="store_true",
                        help="keep watching: re-validate on each save and re-play the best path (Ctrl+C stops)")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Checked:
    """One file's result for the report, from the validation cache or a fresh load (same fields)."""

    def __init__(self, path: Path, checked) -> None:
        self.path = str(path)
        self.sha256 = checked.sha256
        self.diagnostics = checked.diagnostics(self.path)
        self.scenario_id = checked.summary.id if checked.summary is not None else None
        self.id_at = checked.id_at

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def errors(self) -> list:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list:
        return [d for d in self.diagnostics if d.severity == "warning"]


def _check_all(files: list[Path], lint: bool) -> list[_Checked]:
    """Every file through the validation cache (coach/scenario/cache.py): unchanged bytes are not
    validated again, and pydantic is not even imported when every file is a hit."""
    from coach.scenario.cache import Checked, ScenarioCache, check_file

    cache = ScenarioCache()
    results = []
    for f in files:
        try:
            checked, _ = check_file(f, cache, lint=lint)
        except Exception:  # the cache is an optimisation: on any surprise, validate for real
            from coach.scenario.loader import load_scenario

            checked = Checked.of(load_scenario(f, lint=lint))
        results.append(_Checked(f, checked))
    cache.save()
    return results


def run(args: argparse.Namespace) -> int:
    from coach.library import collect
    from coach.scenario.diagnostics import Diagnostic

    files, problems = collect(args.paths)
    if problems:
        for line in problems:
            print(f"coach validate: {line}", file=sys.stderr)
        return 2
    if getattr(args, "watch", False):
        if args.format == "json":
            print("coach validate: --watch prints text; leave out --format json", file=sys.stderr)
            return 2
        from coach.watch import watch

        return watch(args.paths, lint=args.lint)

    results = _check_all(files, args.lint)

    # Two files declaring the same scenario id: the later ones are errors.
    first_of: dict[str, str] = {}
    for r in results:
        if r.scenario_id is None:
            continue
        sid = r.scenario_id
        if sid in first_of:
            line, col = r.id_at
            r.diagnostics.append(Diagnostic(
                r.path, line, col, "error",
                f"scenario id '{sid}' is already declared in {first_of[sid]}", "duplicate-id",
            ))
        else:
            first_of[sid] = r.path

    n_err = sum(len(r.errors) for r in results)
    n_warn = sum(len(r.warnings) for r in results)
    n_valid = sum(1 for r in results if r.ok)
    n_bad = len(results) - n_valid
    summary = {
        "files": len(results), "valid": n_valid, "with_errors": n_bad,
        "errors": n_err, "warnings": n_warn,
    }
    failed = n_err > 0 or (args.strict and n_warn > 0)

    if args.format == "json":
        doc = {
            "files": [
                {
                    "path": r.path, "valid": r.ok, "errors": len(r.errors), "warnings": len(r.warnings),
                    "sha256": r.sha256,
                    "diagnostics": [d.to_dict() for d in r.diagnostics],
                }
                for r in results
            ],
            "summary": {**summary, "ok": not failed},
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 1 if failed else 0

    out = sys.stdout
    for r in results:
        for d in r.diagnostics:
            out.write(d.format() + "\n")
    out.write(
        f"{_plural(len(results), 'file')}: {n_valid} valid, {n_bad} with errors; "
        f"{_plural(n_err, 'error')}, {_plural(n_warn, 'warning')}\n"
    )
    return 1 if failed else 0
