"""Fuzzing with Hypothesis (issue 10, "How"): zero tracebacks and zero hangs.

- Scenario files: random bytes, random YAML-ish text and mutated valid scenarios go through the
  loader and the linter; whatever the linter calls valid, the engine plays to an ending on the best
  path, and any other play ends or stops with SessionOver (a message), never another exception.
- CLI arguments: random argv for every subcommand, run in-process through coach.cli.main with stdin
  closed and a temporary history database: only exit codes 0-3, no traceback, no escape sequence.

Derandomized (the same examples on every run, as CI needs) with bounded example counts; each
example has a wall-clock bound (SIGALRM), so a hang fails the test instead of stalling the suite.
`pytest tests/hardening/test_fuzz.py --hypothesis-show-statistics` prints the examples run.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import signal
import sys
from pathlib import Path

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.hardening.hostile_inputs import BAD, OSC52, hostile_db  # noqa: E402

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
VALID = sorted((ROOT / "scenarios").glob("*.yaml"))[:6] + [FIXTURES / "engine" / "order.yaml"]
PER_EXAMPLE = 10.0  # seconds: far above a normal example on a loaded machine, far below a hang

# COACH_FUZZ_SCALE=10 COACH_FUZZ_RANDOM=1 runs ten times the examples with fresh randomness (a
# deeper hunt by hand); CI runs the fixed, derandomized set.
SCALE = max(1, int(os.environ.get("COACH_FUZZ_SCALE", "1") or 1))
FUZZ = settings(derandomize=not os.environ.get("COACH_FUZZ_RANDOM"), deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
COUNTS: dict[str, int] = {}


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_bound(seconds: float = PER_EXAMPLE):
    def alarm(signum, frame):
        raise Hang(f"an example ran longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    sys.stderr.write("\nfuzz examples run: " + ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items()))
                     + f" (total {sum(COUNTS.values())})\n")


# ---- scenario files ---------------------------------------------------------------------------


def check_scenario_bytes(data: bytes) -> None:
    from coach.engine import Session, SessionOver
    from coach.scenario.loader import load_scenario_text

    with time_bound():
        result = load_scenario_text(data, "fuzz.yaml")
        for d in result.diagnostics:
            assert d.line >= 1 and d.col >= 1
            d.format()
        if result.scenario is None:
            assert result.errors
            return
        scenario = result.scenario
        if result.ok:  # what validate calls valid, the engine plays to an ending on the best path
            count("(scenarios the linter called valid, then played)")
            session = Session(scenario)
            session.play_best()
            assert session.finished
            session.scorecard().to_dict("en")
        rng = random.Random(len(data))
        for _ in range(3):  # any other play: an ending, or SessionOver (a message), nothing else
            try:
                session = Session(scenario)
                while not session.finished and session.step.choices:  # no choices: a lint error
                    session.choose(rng.randrange(len(session.step.choices)))
                session.scorecard().to_dict("zh")
            except SessionOver:  # round a loop past the move cap, or a graph the linter refused
                pass


@settings(FUZZ, max_examples=400 * SCALE)
@given(st.binary(max_size=1500))
def test_random_bytes_as_a_scenario(data):
    count("scenario bytes")
    check_scenario_bytes(data)


YAML_TOKENS = [
    "id: ", "title: ", "start: ", "steps:", "choices:", "next: ", "ending: retained", "- ", "  ", "    ",
    "\n", ": ", "{", "}", "[", "]", ",", "&a ", "*a", "<<: ", "!!int ", "!!str ", "!!python/object ", "'",
    '"', "#", "---", "...", "0x" + "f" * 40, "9" * 60, "1e999", ".nan", "-.inf", "~", "null", "yes", "on",
    "\t", "\x1b[2J", "\u202e", "\ufeff", "%TAG ", "? ", "|", ">", "zh", "en", "mood: ", "scores: ",
    "respect", "calm_first", "act: soothe", "phase: calming", "customer:", "type: agitated", "languages: [zh, en]",
]


@settings(FUZZ, max_examples=400 * SCALE)
@given(st.lists(st.sampled_from(YAML_TOKENS) | st.text(max_size=8), max_size=80))
def test_random_yaml_ish_text_as_a_scenario(tokens):
    count("yaml-ish text")
    check_scenario_bytes("".join(tokens).encode("utf-8", "surrogatepass"))


def _valid_trees() -> list[dict]:
    return [yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in VALID]


TREES = _valid_trees()
ODD_VALUES = st.sampled_from([
    None, True, 0, -1, 101, 10**40, -(10**40), 1e308, float("inf"), float("nan"), "", " ", "x" * 300,
    OSC52, "[/]", "[@click=app.quit]", "start", "kept", "nowhere", [], {}, [1, 2], {"zh": 1}, {"fr": "x"},
]) | st.text(max_size=12) | st.integers() | st.floats()


def _paths(tree, prefix=()):
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated_scenarios(draw):
    import copy

    tree = copy.deepcopy(draw(st.sampled_from(TREES)))
    steps = list(tree["steps"])
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(tree) if p]
        path = draw(st.sampled_from(paths))
        parent = tree
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        how = draw(st.sampled_from(["value", "delete", "next", "start", "swap-scores"]))
        if how == "delete":
            del parent[key]
        elif how == "next" and steps:  # rewire the graph: loops, dead ends, self-links
            parent[key] = draw(st.sampled_from(steps + ["missing"]))
        elif how == "start":
            tree["start"] = draw(st.sampled_from(steps + ["missing"]))
        elif how == "swap-scores" and isinstance(parent, dict) and isinstance(parent.get(key), dict):
            parent[key] = {k: -v if isinstance(v, int) else v for k, v in parent[key].items()}
        else:
            parent[key] = draw(ODD_VALUES)
        if not isinstance(tree, dict) or "steps" not in tree or not isinstance(tree["steps"], dict):
            break
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode("utf-8", "surrogatepass")


@settings(FUZZ, max_examples=500 * SCALE)
@given(mutated_scenarios())
def test_mutated_valid_scenarios(data):
    count("mutated scenarios")
    check_scenario_bytes(data)


# ---- CLI arguments ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """Copies of fixtures (a command may overwrite what it is given), a history with attempts and a
    hostile one, an --answers file; every path an example can name lives here."""
    root = tmp_path_factory.mktemp("fuzz-cli")
    lib = root / "lib"
    lib.mkdir()
    for p in VALID:
        shutil.copy(p, lib / p.name)
    (lib / "broken.yaml").write_text("id: [x\n", encoding="utf-8")
    from tests.reports.conftest import make_db

    good = make_db(root / "good.sqlite3", [("Ann", [0, 0, 0, 0]), ("Bob", [1, 0])])
    bad = hostile_db(root / "hostile.sqlite3")
    (root / "answers.json").write_text('{"order": [1, 1, 1, 1]}', encoding="utf-8")
    (root / "nested.json").write_text("[" * 50_000, encoding="utf-8")
    (root / "junk.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    return {"root": root, "lib": lib, "good": good, "bad": bad}


def _pools(sb) -> dict[str, list[str]]:
    """Values for each kind of argument; `any` mixes everything with hostile and huge values."""
    root, lib = sb["root"], sb["lib"]
    scenario = [str(lib / "order.yaml"), str(lib / VALID[0].name), str(lib / "broken.yaml"), "order",
                "atm-kept-card", VALID[1].stem, str(root / "missing.yaml")]
    db = [str(sb["good"]), str(sb["bad"]), str(root / "junk.sqlite3"), str(root / "new" / "h.sqlite3"),
          str(root)]
    pools = {
        "scenario": scenario, "paths": [str(lib), *scenario[:3]], "dbs": db, "--db": db,
        "--dir": [str(lib), str(root / "missing")], "--scenarios": [str(lib), "order", "order,atm-kept-card", "x,,y"],
        "--answers": [str(root / "answers.json"), str(root / "nested.json"), "-", str(root / "none.json")],
        "--teller": ["Ann", "Bob", "Li", "王芳", OSC52, "=1+1", " ", ""],
        # TODO(merge): add "0001-01-01" and "9999-12-31T23:59" once the store half's --since fix is in
        "--since": ["2026-11-01", "1970-01-02", "yesterday", "2026-02-30", "2026-11-01T25:00"],
        "--choose": ["1,1,1,1", "2,1", "9", "1," * 600, "0", "a"],
        "--out": [str(root / "out.txt"), str(root / "out" / "deep" / "x.csv"), str(root)],
        "--minutes": ["1", "10", "0", "121", "9" * 5000], "--pass-mark": ["0", "80", "101", "-1"],
        "--limit": ["1", "0", "-3", "9" * 5000], "--homepage": ["https://lms.example", "ftp://x", "not a url"],
        "id": ["fresh-one", "Bad Id", OSC52, "x" * 70, "a-b-c"], "--lang": ["zh", "en", "zh,en", "fr"],
        "--scenario": ["order", OSC52, "x" * 5000],
    }
    pools["--html"] = pools["-o"] = pools["--output"] = pools["--out"]
    pools["any"] = sorted({v for vs in pools.values() for v in vs}) + [
        "-", "", "0", "-1", "9" * 5000, "1e999", "nan", "[/]", "x" * 5000, "../../etc/passwd", "a\x00b"]
    return pools


def _actions(command: str) -> list:
    """The subcommand's argparse actions, from the real parser (help and --watch left out)."""
    from coach.cli import _available_commands, build_parser

    parser = build_parser(_available_commands(command))
    sub = parser._subparsers._group_actions[0].choices[command]
    # --watch runs until Ctrl+C by design
    return [a for a in sub._actions if not set(a.option_strings) & {"-h", "--help", "--watch"}]


COMMAND_NAMES = ["validate", "schema", "play", "check", "history", "report", "export", "graph", "new", "run"]


@st.composite
def argvs(draw, pools):
    """Mostly well-formed argv (positionals filled, fitting values, valid choices, one of play's
    modes), with wrong, hostile and missing values and junk mixed in, so most examples get past
    argparse into the command itself."""
    command = draw(st.sampled_from(COMMAND_NAMES))
    actions = _actions(command)

    def value(kind: str) -> str:
        fitting = pools.get(kind)
        if fitting and draw(st.integers(0, 3)):
            return draw(st.sampled_from(fitting))
        return draw(st.sampled_from(pools["any"]) | st.text(max_size=6))

    argv = [command]
    for action in actions:
        if action.option_strings:
            continue
        n = {None: 1, "?": draw(st.integers(0, 1)), "+": draw(st.integers(1, 2))}.get(action.nargs, 1)
        argv += [value(action.dest) for _ in range(n)]
    if command == "export" and draw(st.integers(0, 4)):
        argv.append("--xapi")
    if command == "play" and draw(st.integers(0, 4)):
        argv.append(draw(st.sampled_from(["--best", "--worst", "--choose"])))
        if argv[-1] == "--choose":
            argv.append(value("--choose"))
    options = [a for a in actions if a.option_strings]
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(options))
        flag = draw(st.sampled_from(action.option_strings))
        argv.append(flag)
        if action.nargs == 0:
            continue
        if action.choices and draw(st.integers(0, 4)):
            argv.append(draw(st.sampled_from(list(action.choices))))
        elif draw(st.integers(0, 12)):  # now and then the value is missing
            argv.append(value(flag if flag in pools else action.option_strings[-1]))
    if not draw(st.integers(0, 9)):
        argv.insert(draw(st.integers(1, len(argv))), draw(st.text(max_size=10)))
    return argv


def _no_terminal(app, *args, **kwargs):
    """Stands in for App.run: the fuzz checks argument handling, not drawing on the test's terminal."""
    return None


@pytest.fixture
def cli_env(sandbox, monkeypatch):
    monkeypatch.setenv("COACH_DB", str(sandbox["root"] / "default.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(sandbox["root"] / "xdg"))
    monkeypatch.chdir(sandbox["root"])
    from textual.app import App

    monkeypatch.setattr(App, "run", _no_terminal)
    return sandbox


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    from coach.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = None, out, err  # stdin closed, as with `<&-`
    try:
        with time_bound():
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_cli_fuzz(cli_env):
    pools = _pools(cli_env)

    @settings(FUZZ, max_examples=800 * SCALE)
    @given(argvs(pools))
    def one(argv):
        count("cli argv")
        code, out, err = run_cli(argv)
        count(f"(cli exit {code})")
        assert code in (0, 1, 2, 3), (argv, code, err[-500:])
        assert "Traceback" not in out + err, (argv, err[-800:])
        for ch in BAD:
            assert ch not in out and ch not in err, (argv, ch)

    one()
