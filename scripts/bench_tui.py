#!/usr/bin/env python
"""Benchmark the teller's TUI the way a person sees it, against a bare Textual app in the same run.

1. Start-up, in a real terminal (a pty, 80x24): from process start until the first screen's text is
   on screen, for a bare one-line Textual app, `coach run FIXTURE` (the briefing) and `coach run`
   (the library, its row count shown), both with the history store on. Fresh processes, alternating,
   medians; the ratios to the bare app are printed. Target <= 1.2x (aim 1.1x).
2. A library of 3,000 generated scenarios (a temp folder, its own validation cache):
   - the first ever start: when the progress appears, and when the list is complete (run once);
   - later starts: the list complete, against the 16-scenario start (alternating). Target <= 1.5x;
   - `coach validate` of the 3,000 unchanged files. Target <= 1 s;
   - a search keystroke until the list is redrawn, and the peak memory (in one process). Targets
     < 50 ms and < 300 MiB.
3. Every key press that changes screen (library -> briefing -> conversation -> feedback -> next step
   -> quit dialog -> library), through the app's driver: median and p95. Target p95 < 50 ms.

    .venv/bin/python scripts/bench_tui.py [--runs 9] [--presses 20] [--scenarios 3000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "tui" / "rates.yaml"
FIXTURE_TITLE = b"Comparing deposit rates"
START_TARGET, START_AIM = 1.2, 1.1
BIG_TARGET = 1.5
SEARCH_TARGET_MS = 50.0
MEMORY_TARGET_MIB = 300.0
VALIDATE_TARGET_S = 1.0
KEY_TARGET_MS = 50.0

BARE = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("bare app ready")
Bare().run()
"""


# ---- a real terminal ----------------------------------------------------------------------------

CPU: dict[str, list[float]] = {}  # user+system seconds of each child, by kind (less noisy on a busy machine)


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def in_pty(argv: list[str], markers: list[bytes], env: dict, timeout: float = 120.0,
           kind: str | None = None) -> list[float | None]:
    """Seconds from spawning `argv` in an 80x24 pty until each marker is in its output, then kill it."""
    cpu0 = _children_cpu()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    found: list[float | None] = [None] * len(markers)
    buf = b""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    try:
        while None in found and time.perf_counter() - t0 < timeout:
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break
            now = time.perf_counter() - t0
            buf = buf[-4096:] + chunk
            for i, marker in enumerate(markers):
                if found[i] is None and marker in buf:
                    found[i] = now
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        os.close(master)
    if kind is not None:
        CPU.setdefault(kind, []).append(_children_cpu() - cpu0)
    if found[-1] is None:
        text = re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]|\x1b\][^\x07]*\x07", b"", buf)[-600:]
        raise RuntimeError(f"{' '.join(argv[-6:])}: {markers[-1]!r} never appeared; last output: {text!r}")
    return found


def child_env(tmp: Path, cache: str = "cache") -> dict:
    env = dict(os.environ, TERM="xterm-256color", COACH_CACHE_DIR=str(tmp / cache),
               XDG_DATA_HOME=str(tmp / "data"))  # an empty user scenario folder
    env.pop("COACH_DB", None)
    return env


def coach(*args: str, tmp: Path) -> list[str]:
    return [sys.executable, "-m", "coach", "run", *args, "--lang", "en", "--db", str(tmp / "history.db"),
            "--teller", "bench"]


def count_marker(n: int) -> bytes:
    return f"{n} scenarios".encode()


def bundled_count() -> int:
    sys.path.insert(0, str(ROOT))
    from coach.tui.catalog import files

    return len(files(bundled=True, user=False))


def startup(runs: int, tmp: Path) -> dict:
    env = child_env(tmp)
    kinds = {
        "bare": ([sys.executable, "-c", BARE], b"bare app ready"),
        "scenario": (coach(str(FIXTURE), tmp=tmp), FIXTURE_TITLE),
        "library": (coach(tmp=tmp), count_marker(bundled_count())),
    }
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for argv, marker in kinds.values():  # warm the file cache, the validation cache and the database
        in_pty(argv, [marker], env)
    for _ in range(runs):
        for kind, (argv, marker) in kinds.items():
            times[kind].append(in_pty(argv, [marker], env, kind=kind)[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    cpu = {k: statistics.median(CPU[k]) for k in kinds}
    return {"bare_ms": ms(med["bare"]), "scenario_ms": ms(med["scenario"]), "library_ms": ms(med["library"]),
            "scenario_ratio": round(med["scenario"] / med["bare"], 3),
            "library_ratio": round(med["library"] / med["bare"], 3), "runs": runs,
            "cpu_ms": {k: ms(v) for k, v in cpu.items()},
            "cpu_scenario_ratio": round(cpu["scenario"] / cpu["bare"], 3),
            "cpu_library_ratio": round(cpu["library"] / cpu["bare"], 3),
            "load_average": round(os.getloadavg()[0], 2)}


# ---- 3,000 scenarios ----------------------------------------------------------------------------

def generate(folder: Path, n: int) -> int:
    """n scenario files: the bundled ones with new ids (and so new content hashes)."""
    sys.path.insert(0, str(ROOT))
    from coach.library import bundled_dir, scenario_files

    sources = [p.read_text(encoding="utf-8") for p in scenario_files(bundled_dir())]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = sources[i % len(sources)]
        new = re.sub(r"^id: ([a-z0-9-]+)", lambda m: f"id: {m.group(1)}-{i:05d}", text, count=1, flags=re.M)
        (folder / f"s{i:05d}.yaml").write_text(new, encoding="utf-8")
    return n


def big(runs: int, n: int, tmp: Path) -> dict:
    lib = tmp / "lib"
    generate(lib, n)
    total = n + bundled_count()
    small_argv, small_marker = coach(tmp=tmp), count_marker(bundled_count())
    big_argv, big_marker = coach("--scenarios", str(lib), tmp=tmp), count_marker(total)
    env = child_env(tmp)
    in_pty(small_argv, [small_marker], env)  # the database and the bundled scenarios' cache

    first = in_pty(big_argv, [b"Checking scenarios", big_marker], env, timeout=900)  # the first ever start
    times: dict[str, list[float]] = {"small": [], "big": []}
    for _ in range(runs):
        times["small"].append(in_pty(small_argv, [small_marker], env)[0])
        times["big"].append(in_pty(big_argv, [big_marker], env)[0])
    small, large = statistics.median(times["small"]), statistics.median(times["big"])

    validate = []
    cmd = [sys.executable, "-m", "coach", "validate", str(lib)]
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        validate.append(time.perf_counter() - t0)

    proc = subprocess.run([sys.executable, __file__, "--child", "search", str(lib)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    search = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "scenarios": total,
        "first_start_progress_ms": ms(first[0]), "first_start_complete_ms": ms(first[1]),
        "start_16_ms": ms(small), "start_big_ms": ms(large), "start_ratio": round(large / small, 3),
        "validate_unchanged_s": round(statistics.median(validate), 3),
        **search,
    }


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0)


async def _after_refresh(widget) -> None:
    done = asyncio.get_running_loop().create_future()
    widget.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done


def _send(app, key: str) -> None:
    """A key as the driver delivers it (Pilot.press adds fixed idle waits of about 80 ms)."""
    from textual import events

    character = " " if key == "space" else key if len(key) == 1 else None
    event = events.Key(key, character)
    event.set_sender(app)
    app._driver.send_message(event)


async def search_child(lib: Path) -> dict:
    """In one process: the library of `lib`, then search keystrokes until the list is redrawn."""
    import resource

    sys.path.insert(0, str(ROOT))
    from coach.tui.app import CoachApp

    app = CoachApp(None, lang="en", extra_dirs=[lib], user=False)
    latencies = []
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.entries is not None and not app.screen.pending)
        await pilot.pause()
        screen = app.screen
        await pilot.press("slash")
        typed = ""
        for key in [*"fee", "backspace", "backspace", "backspace", *"card", *["backspace"] * 4, *"wu ms"]:
            typed = typed[:-1] if key == "backspace" else typed + (" " if key == "space" else key)
            t0 = time.perf_counter()
            _send(app, "space" if key == " " else key)
            await _until(lambda: screen.query_text == typed)
            await _after_refresh(screen)
            latencies.append((time.perf_counter() - t0) * 1000)
        rows = screen.query_one("#lib-table").row_count
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"search_median_ms": round(statistics.median(latencies), 2), "search_max_ms": round(max(latencies), 2),
            "search_p95_ms": round(p95(latencies), 2), "rows_after_search": rows,
            "library_entries": len(app.entries), "peak_memory_mib": round(peak, 1)}


# ---- key presses --------------------------------------------------------------------------------

async def _key_to_screen(app, key: str, screen: str) -> float:
    """ms from a key reaching the app's driver to the next screen mounted and refreshed once."""
    t0 = time.perf_counter()
    _send(app, key)
    await _until(lambda: type(app.screen).__name__ == screen and app.screen.is_mounted)
    await _after_refresh(app.screen)
    return (time.perf_counter() - t0) * 1000


async def keys(presses: int, tmp: Path) -> dict:
    os.environ.update({"COACH_CACHE_DIR": str(tmp / "cache")})
    sys.path.insert(0, str(ROOT))
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Static

    from coach.tui.app import CoachApp

    folder = tmp / "keys"  # one scenario of three steps: the library's first row
    folder.mkdir(exist_ok=True)
    shutil.copy(FIXTURE, folder / FIXTURE.name)
    app = CoachApp(None, lang="en", extra_dirs=[folder], bundled=False, user=False)
    steps = [("enter", "BriefingScreen", "library→briefing"), ("enter", "ConversationScreen", "briefing→conversation"),
             ("1", "FeedbackScreen", "choice→feedback"), ("enter", "ConversationScreen", "feedback→next step"),
             ("escape", "ConfirmQuitScreen", "conversation→leave dialog"), ("y", "LibraryScreen", "leave→library")]
    found: dict[str, list[float]] = {label: [] for _, _, label in steps}
    import gc

    full = []  # full (oldest-generation) collections during the presses: coach/tui/quiet_gc.py

    def count(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(1)

    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.entries is not None and not app.screen.pending)
        gc.callbacks.append(count)
        for _ in range(presses):
            for key, screen, label in steps:
                await pilot.pause(0.05)  # a person reads the screen before the next key (quickly)
                found[label].append(await _key_to_screen(app, key, screen))
        gc.callbacks.remove(count)

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
    result = {k: summary(v) for k, v in found.items()}
    every = [x for v in found.values() for x in v]
    result["every screen change"] = summary(every)
    result["bare push_screen"] = summary(base)
    result["full_collections"] = len(full)
    return result


# ---- helpers ------------------------------------------------------------------------------------

def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def summary(values: list[float]) -> dict:
    return {"median_ms": round(statistics.median(values), 2), "p95_ms": round(p95(values), 2),
            "max_ms": round(max(values), 2), "n": len(values)}


def imports(top: int = 6) -> list[tuple[str, float]]:
    """The biggest top-level imports of the first screen's modules (python -X importtime), in ms."""
    code = ("import coach.cli, coach.commands.run, coach.tui.app, coach.tui.controllers.link, coach.tui.catalog, "
            "coach.tui.screens.briefing, coach.tui.screens.library")
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


def report(start: dict, large: dict | None, key: dict) -> tuple[list[str], bool]:
    lines = [
        f"start-up (pty 80x24, median of {start['runs']} alternating runs, history store on): "
        f"bare Textual app {start['bare_ms']:.0f} ms",
        f"  coach run FIXTURE  {start['scenario_ms']:.0f} ms  ratio {start['scenario_ratio']:.2f}x "
        f"(target ≤ {START_TARGET}x, aim {START_AIM}x)",
        f"  coach run          {start['library_ms']:.0f} ms  ratio {start['library_ratio']:.2f}x "
        f"(target ≤ {START_TARGET}x, aim {START_AIM}x)",
        f"  CPU time until the first screen (user+system, less noisy on a busy machine): bare "
        f"{start['cpu_ms']['bare']:.0f} ms, FIXTURE {start['cpu_scenario_ratio']:.2f}x, library "
        f"{start['cpu_library_ratio']:.2f}x; load average {start['load_average']}",
    ]
    ok = start["scenario_ratio"] <= START_TARGET and start["library_ratio"] <= START_TARGET
    if large is not None:
        lines += [
            f"{large['scenarios']} scenarios: first ever start shows progress after "
            f"{large['first_start_progress_ms']:.0f} ms, complete after {large['first_start_complete_ms'] / 1000:.1f} s",
            f"  later starts {large['start_big_ms']:.0f} ms vs 16 scenarios {large['start_16_ms']:.0f} ms: "
            f"ratio {large['start_ratio']:.2f}x (target ≤ {BIG_TARGET}x)",
            f"  search keystroke: median {large['search_median_ms']:.1f} ms, p95 {large['search_p95_ms']:.1f} ms, "
            f"max {large['search_max_ms']:.1f} ms (target < {SEARCH_TARGET_MS:.0f} ms)",
            f"  peak memory {large['peak_memory_mib']:.0f} MiB (target < {MEMORY_TARGET_MIB:.0f} MiB)",
            f"  coach validate of the unchanged files {large['validate_unchanged_s']:.2f} s "
            f"(target ≤ {VALIDATE_TARGET_S:.0f} s)",
        ]
        ok = ok and (large["start_ratio"] <= BIG_TARGET and large["search_max_ms"] < SEARCH_TARGET_MS
                     and large["peak_memory_mib"] < MEMORY_TARGET_MIB
                     and large["validate_unchanged_s"] <= VALIDATE_TARGET_S
                     and large["first_start_progress_ms"] is not None)
    key = dict(key)
    full = key.pop("full_collections", None)
    for label, v in key.items():
        lines.append(f"key press {label}: median {v['median_ms']:.1f} ms, p95 {v['p95_ms']:.1f} ms, "
                     f"max {v['max_ms']:.1f} ms" + (f" (target p95 < {KEY_TARGET_MS:.0f} ms)"
                                                     if label == "every screen change" else ""))
    if full is not None:
        lines.append(f"  full garbage collections during the {key['every screen change']['n']} presses: {full} "
                     "(they wait for a pause in the input: coach/tui/quiet_gc.py)")
    ok = ok and key["every screen change"]["p95_ms"] < KEY_TARGET_MS
    return lines, ok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--presses", type=int, default=20)
    p.add_argument("--scenarios", type=int, default=3000, help="size of the big library (0 skips it)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", nargs=2, metavar=("KIND", "ARG"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(search_child(Path(args.child[1])))))
        return 0
    # Bytecode as a person's start has it: scripts/run compiles coach (scripts/_bootstrap.sh), as
    # pip does for Textual; otherwise PYTHONDONTWRITEBYTECODE would make coach alone compile each run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "coach")], check=True,
                   stdout=subprocess.DEVNULL)
    tmp = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    try:
        start = startup(args.runs, tmp)
        start["imports_ms"] = {name: round(t, 1) for name, t in imports()}
        large = big(max(3, args.runs // 2), args.scenarios, tmp) if args.scenarios else None
        key = asyncio.run(keys(args.presses, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines, ok = report(start, large, key)
    if args.json:
        print(json.dumps({"startup": start, "library": large, "keys": key, "ok": ok}))
    else:
        print("\n".join(lines))
        print("largest imports of the first screen (cumulative ms): "
              + ", ".join(f"{n} {t:.0f}" for n, t in start["imports_ms"].items()))
        print("OK" if ok else "MISSED A TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
