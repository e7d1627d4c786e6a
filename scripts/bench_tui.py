#!/usr/bin/env python
"""Benchmark the teller's TUI.

1. Start-up: `coach run FIXTURE` (argument parsing, loading the scenario, building the app) until the
   first interactive screen is ready, against a bare Textual app showing one line, measured in the
   same run as fresh processes, alternating; the median ratio is printed. Target: at most 1.2x.
2. Key press to next screen, through Textual's Pilot: Enter on the briefing to the conversation,
   a number key to the feedback, Enter to the next step. Target: under 50 ms.

    .venv/bin/python scripts/bench_tui.py [--runs 15] [--presses 20] [--json]

Both apps run headless (no terminal output) so the comparison is of the same work. Imports are
measured separately with `python -X importtime -c "import coach.tui.app"`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "tui" / "rates.yaml"
START_TARGET = 1.2
KEY_TARGET_MS = 50.0


def child(kind: str) -> None:  # noqa: C901
    """Run one app until its first screen is ready, then exit (used in a fresh process)."""
    if kind == "bare":
        from textual.app import App
        from textual.widgets import Static

        class Bare(App):
            def compose(self):
                yield Static("coach")

            def on_ready(self) -> None:
                self.exit()

        Bare().run(headless=True)
        return
    sys.path.insert(0, str(ROOT))
    from coach import cli
    from coach.commands import run as run_cmd

    argv = ["run", str(FIXTURE), "--lang", "en"]
    if kind == "coach":  # the real command: the history store too (a scratch database)
        argv += ["--db", str(Path(os.environ["BENCH_TUI_TMP"]) / "history.db"), "--teller", "bench"]
    args = cli.build_parser({"run": run_cmd}).parse_args(argv)
    from coach.tui.app import CoachApp

    class Bench(CoachApp):
        def on_ready(self) -> None:
            self.exit()

    if kind == "coach":
        app = run_cmd.build_app(args, app_class=Bench)
    else:  # coach-nostore: the same without the history store, to show what the store costs
        app = Bench(**run_cmd.prepare(args))
    assert not isinstance(app, int), app
    app.run(headless=True)


def time_child(kind: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child", kind], check=True, cwd=ROOT)
    return time.perf_counter() - t0


def startup(runs: int) -> dict:
    kinds = ("bare", "coach", "coach-nostore")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BENCH_TUI_TMP"] = tmp
        for kind in kinds:  # warm the file cache and create the scratch database
            time_child(kind)
        for _ in range(runs):
            for kind in kinds:
                times[kind].append(time_child(kind))
    b, c, n = (statistics.median(times[k]) for k in kinds)
    return {"bare_s": round(b, 4), "coach_s": round(c, 4), "coach_nostore_s": round(n, 4),
            "ratio": round(c / b, 3), "ratio_nostore": round(n / b, 3), "target": START_TARGET}


async def _key_to_screen(app, key: str, screen: str) -> float:
    """ms from a key reaching the app's driver to the next screen mounted and refreshed once.

    Pilot.press adds fixed idle waits (about 80 ms even for a bare app here), so the key is sent
    the way the driver sends it and the loop polls at asyncio granularity instead.
    """
    import asyncio as aio

    from textual import events

    t0 = time.perf_counter()
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    while type(app.screen).__name__ != screen or not app.screen.is_mounted:
        await aio.sleep(0)
    done = aio.get_running_loop().create_future()
    app.screen.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done
    return (time.perf_counter() - t0) * 1000


async def keys(presses: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Static

    from coach.tui.app import CoachApp
    from coach.tui.catalog import load_entry

    entry = load_entry(FIXTURE)
    app = CoachApp([], lang="en", start=entry, bundled=False, user=False)
    found: dict[str, list[float]] = {"briefing→conversation": [], "choice→feedback": [], "feedback→next step": []}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(presses):
            found["briefing→conversation"].append(await _key_to_screen(app, "enter", "ConversationScreen"))
            found["choice→feedback"].append(await _key_to_screen(app, "1", "FeedbackScreen"))
            found["feedback→next step"].append(await _key_to_screen(app, "enter", "ConversationScreen"))
            await pilot.pause()
            app.show_briefing(entry)
            await pilot.pause()

    class Second(Screen):
        def compose(self):
            yield Static("two")

    class Bare(App):
        def compose(self):
            yield Static("one")

        def on_key(self, event) -> None:
            if event.key == "x":
                self.push_screen(Second())

    bare = Bare()
    base = []
    async with bare.run_test(size=(80, 24)) as pilot:
        for _ in range(presses):
            await pilot.pause()
            base.append(await _key_to_screen(bare, "x", "Second"))
            bare.pop_screen()
    result = {k: {"median_ms": round(statistics.median(v), 2), "max_ms": round(max(v), 2)}
              for k, v in found.items()}
    result["bare push_screen"] = {"median_ms": round(statistics.median(base), 2), "max_ms": round(max(base), 2)}
    return result | {"target_ms": KEY_TARGET_MS}


def imports(top: int = 8) -> list[tuple[str, float]]:
    """The biggest top-level imports of `coach run` (python -X importtime), in ms, cumulative."""
    code = "import coach.cli, coach.commands.run, coach.scenario.loader, coach.tui.app, coach.tui.store_glue"
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stderr
    found = []
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):  # top level only
            found.append((name.strip(), int(cumulative) / 1000))
    return sorted(found, key=lambda x: -x[1])[:top]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--presses", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", choices=("bare", "coach", "coach-nostore"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child)
        return 0
    start = startup(args.runs)
    start["imports_ms"] = {name: round(ms, 1) for name, ms in imports()}
    key = asyncio.run(keys(args.presses))
    ok = start["ratio"] <= START_TARGET and all(v["median_ms"] < KEY_TARGET_MS for k, v in key.items()
                                                 if isinstance(v, dict))
    if args.json:
        print(json.dumps({"startup": start, "keys": key, "ok": ok}))
    else:
        print(f"start-up: bare Textual app {start['bare_s'] * 1000:.0f} ms, coach run FIXTURE "
              f"{start['coach_s'] * 1000:.0f} ms, ratio {start['ratio']:.2f}x (target ≤ {START_TARGET}x); "
              f"without the history store {start['coach_nostore_s'] * 1000:.0f} ms, "
              f"{start['ratio_nostore']:.2f}x")
        print("largest imports (cumulative ms): " + ", ".join(f"{n} {ms:.0f}" for n, ms in start["imports_ms"].items()))
        for label, v in key.items():
            if isinstance(v, dict):
                print(f"key press {label}: median {v['median_ms']:.1f} ms, max {v['max_ms']:.1f} ms "
                      f"(target < {KEY_TARGET_MS:.0f} ms)")
        print("OK" if ok else "MISSED A TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
