#!/usr/bin/env python3
"""A training room on one PC: N tellers play in N browser tabs of one `coach serve` (issue 22).

For each launch mode (fork: sessions forked from a pre-loaded parent, the default; spawn: a fresh
Python per tab, as before, the baseline) and each room size N (default 1, 10, 20, 40), it starts
`coach serve` on 127.0.0.1 (a free port, a throwaway history), opens N tabs over the page's real
WebSocket protocol (scripts/room_client.py: what textual-serve's page sends and receives, without
a browser), and each teller:

1. opens the page and types a name at the "who is practising?" prompt (first screen: from asking
   for the page until the prompt is on screen);
2. finds a bundled scenario and plays its best path, a key press every 2-5 s (random, seeded), each
   timed until the first screen update that follows it (key press to screen update).

The tabs arrive together (a burst: the trainer says "open the coach now"; `--arrive S` spreads them
over S seconds instead). Meanwhile it samples every process of the server (server, fork server,
sessions) for memory (PSS and USS from /proc/PID/smaps_rollup) and CPU time (/proc/PID/stat).
Afterwards it checks that every teller's answers are in the history (a finished attempt with every
answer), closes the tabs, stops the server with SIGTERM, and checks that no process is left.

It prints, per mode and N: first screen median/p95, key press median/p95, total PSS at the peak,
USS per session, memory per extra session (growth of total PSS from N=1, per extra session), CPU,
and the ratios fork/spawn measured in the same run, and the targets at N=40: first screen p95
<= 3 s, key press p95 <= 150 ms, <= 40 MiB unique memory per extra session.

    .venv/bin/python scripts/bench_room.py                  # both modes, N = 1, 10, 20, 40 (~10 min)
    .venv/bin/python scripts/bench_room.py --modes fork --sizes 1,40

Needs the test extras (aiohttp from coach[serve], pyte): `scripts/test --co -q` installs them. Linux
(it reads /proc). The bench's own CPU (the 40 clients) is printed too: on a real room the browsers
run on the tellers' PCs, here they share the 2 cores with the server, so its figures are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

try:
    from room_client import ENTER, DEBRIEF, Tab, log_in, open_scenario  # noqa: E402
except ImportError as exc:  # pragma: no cover - a clean clone without the test extras
    raise SystemExit(f"bench_room: {exc}; run scripts/test --co -q once (it installs the test extras)")

from coach.engine import Session  # noqa: E402
from coach.library import bundled_dir  # noqa: E402
from coach.scenario.loader import load_scenario  # noqa: E402
from coach.scenario.model import localize  # noqa: E402

TARGETS = {"first_p95": 3.0, "key_p95": 0.150, "extra_uss_mib": 40.0}
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
NAME = "Teller {:02d}"


# ---- the scenarios the tellers play ---------------------------------------------------------------


@dataclass
class Play:
    scenario_id: str
    customer: str
    keys: list[tuple[str, str]]  # (text that shows the step is up, key to press)


def plays(lang: str) -> list[Play]:
    """Every bundled scenario's best path as keys: a choice's number, then Enter past its feedback."""
    found = []
    for path in sorted(bundled_dir().glob("*.yaml")):
        scenario = load_scenario(path).scenario
        if scenario is None:
            continue
        session, keys = Session(scenario), []
        while not session.finished:
            index = session.step.best_index()
            keys.append((localize(session.step.choices[index].text, lang)[:12], str(index + 1)))
            keys.append(("", ENTER))
            session.choose(index)
        found.append(Play(scenario.id, localize(scenario.customer.name, lang), keys))
    return found


# ---- /proc ----------------------------------------------------------------------------------------


def _cmdline(pid: int) -> list[bytes]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def room_processes(server_pid: int, db: Path) -> list[int]:
    """The server and every process started for its history (the fork server, the sessions)."""
    found = [server_pid]
    key = str(db).encode()
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != server_pid:
            cmd = _cmdline(int(name))
            if b"run" in cmd and key in cmd:
                found.append(int(name))
    return found


def memory(pid: int) -> tuple[int, int] | None:
    """(PSS, USS) in bytes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = {}
            for line in f.read().splitlines()[1:]:
                key, value = line.split(":", 1)
                fields[key] = int(value.split()[0]) * 1024
    except (OSError, ValueError):
        return None
    return fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"]


def cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(parts[11]) + int(parts[12])) / CLK


@dataclass
class Sampler:
    """Memory at the peak (the largest total PSS seen with every session up) and CPU time used."""

    server_pid: int
    db: Path
    peak_pss: int = 0
    peak_sessions_uss: list[int] = field(default_factory=list)
    peak_server_pss: int = 0
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> last CPU seconds seen
    before: dict[int, float] = field(default_factory=dict)  # CPU of the processes up before the room opened

    def sample(self, sessions_expected: int) -> None:
        pids = room_processes(self.server_pid, self.db)
        first = not self.cpu
        total, uss, server = 0, [], 0
        for pid in pids:
            c = cpu_seconds(pid)
            if c is not None:
                self.cpu[pid] = c
                if first:
                    self.before[pid] = c
            m = memory(pid)
            if m is None:
                continue
            total += m[0]
            if pid == self.server_pid or self._is_fork_server(pid):
                server += m[0]  # there once per room, whatever its size
            else:
                uss.append(m[1])
        if total > self.peak_pss and len(uss) >= sessions_expected:
            self.peak_pss, self.peak_sessions_uss, self.peak_server_pss = total, uss, server

    def _is_fork_server(self, pid: int) -> bool:
        return _parent(pid) == self.server_pid and b"coach.commands._fork_server" in b" ".join(_cmdline(pid))

    def cpu_used(self) -> float:
        return sum(c - self.before.get(pid, 0.0) for pid, c in self.cpu.items())


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


# ---- one room ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Result:
    mode: str
    n: int
    first: list[float] = field(default_factory=list)
    keys: list[float] = field(default_factory=list)
    peak_pss: int = 0
    sessions_uss: list[int] = field(default_factory=list)
    base_pss: int = 0  # server + fork server
    cpu: float = 0.0
    wall: float = 0.0
    client_cpu: float = 0.0
    lost: int = 0
    spontaneous: int = 0
    start_cpu: float | None = None  # CPU of the room's processes until every first screen was up
    pressed: dict[str, int] = field(default_factory=dict)  # teller -> choices given
    completed: set[str] = field(default_factory=set)  # tellers who reached the debrief
    tabs: list = field(default_factory=list)
    stage: dict[str, str] = field(default_factory=dict)  # teller -> what they were doing last
    screens: dict[str, Tab] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    orphans: int = 0
    exit_code: int | None = None


async def teller(index: int, url: str, play: Play, args, rng: random.Random, result: Result) -> str:
    name = NAME.format(index)
    await asyncio.sleep(rng.uniform(0, args.arrive) if args.arrive else 0)
    tab = Tab(url, width=100, height=30, emulate=False)
    result.stage[name] = "opening the page"
    result.screens[name] = tab
    try:
        await tab.open()
        result.stage[name] = "logging in"
        result.first.append(await log_in(tab, name, lang=args.lang, known_prefix="Teller ",
                                         timeout=args.max_seconds, think=rng.uniform(*args.gap)))
        await asyncio.sleep(rng.uniform(*args.gap))
        result.stage[name] = f"opening {play.scenario_id}"
        await open_scenario(tab, play.scenario_id, play.customer, lang=args.lang, timeout=args.max_seconds)
        for shown, key in play.keys[: args.keys]:
            result.stage[name] = f"{play.scenario_id}: waiting for {shown!r}, then {key!r}"
            # The teller reads, then looks for the choice (by then the screen has settled: one look).
            gap = rng.uniform(*args.gap)
            await asyncio.sleep(min(1.0, gap))
            settled = tab.frames
            await asyncio.sleep(gap - min(1.0, gap))
            result.spontaneous += tab.frames - settled  # frames no key asked for (they would flatter a press)
            if shown:
                await tab.wait_for(shown, timeout=args.max_seconds)
            result.keys.append(await tab.press(key, timeout=args.max_seconds))
            if shown:  # a choice: stored the moment it is given
                result.pressed[name] = result.pressed.get(name, 0) + 1
        result.stage[name] = f"{play.scenario_id}: waiting for the debrief"
        if len(play.keys) <= args.keys:
            await tab.wait_for(DEBRIEF[args.lang], timeout=args.max_seconds)
            result.completed.add(name)
        return name
    finally:
        result.tabs.append(tab)


def stored(db: Path) -> tuple[dict[str, int], set[str]]:
    """Answers per teller, and the tellers with a finished attempt."""
    with sqlite3.connect(db) as conn:
        answers = conn.execute(
            "SELECT t.name, count(x.attempt_id) FROM tellers t JOIN attempts a ON a.teller_id = t.id"
            " JOIN answers x ON x.attempt_id = a.id AND x.undone IS NULL GROUP BY t.name").fetchall()
        finished = conn.execute("SELECT DISTINCT t.name FROM tellers t JOIN attempts a ON a.teller_id = t.id"
                                " WHERE a.status = 'finished'").fetchall()
    return dict(answers), {name for (name,) in finished}


async def room(mode: str, n: int, args, work: Path, all_plays: list[Play]) -> Result:
    result = Result(mode, n)
    db = work / f"{mode}-{n}.sqlite3"
    port = free_port()
    env = {**os.environ, "XDG_DATA_HOME": str(work / "data"), "XDG_CACHE_HOME": str(work / "cache"),
           "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "coach", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db),
           "--lang", args.lang, "--launch", mode, "--max-sessions", str(max(n, 40))]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        _wait_listening(server, port)
        await asyncio.sleep(args.settle)  # the fork server imports the coach once, before the room opens
        sampler = Sampler(server.pid, db)
        sampler.sample(0)
        rng = random.Random(args.seed * 1000 + n)
        chosen = [all_plays[i % len(all_plays)] for i in range(n)]
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.monotonic()
        tasks = [asyncio.create_task(teller(i + 1, f"http://127.0.0.1:{port}", chosen[i], args,
                                            random.Random(rng.random()), result)) for i in range(n)]
        pending = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, timeout=args.sample)
            sampler.sample(n if not done or pending else 0)
            if result.start_cpu is None and len(result.first) == n:  # every first screen is up
                result.start_cpu = sampler.cpu_used()
            if time.monotonic() - start > args.max_seconds:
                break
        for index, task in enumerate(tasks):
            if task in pending:
                task.cancel()
                name = NAME.format(index + 1)
                screen = result.screens[name].text() if name in result.screens else ""
                result.errors.append(f"{name} did not finish in time: {result.stage.get(name)}\n{screen}")
        await asyncio.gather(*pending, return_exceptions=True)
        names = []
        for task in tasks:
            if task.cancelled():
                continue
            if task.exception() is not None:
                result.errors.append(f"{type(task.exception()).__name__}: {str(task.exception())[:300]}")
            else:
                names.append(task.result())
        result.wall = time.monotonic() - start
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        result.client_cpu = (client_after.ru_utime + client_after.ru_stime
                             - client_before.ru_utime - client_before.ru_stime)
        result.peak_pss, result.sessions_uss = sampler.peak_pss, sampler.peak_sessions_uss
        result.base_pss = sampler.peak_server_pss
        result.cpu = sampler.cpu_used()
        # Every answer given is in the history: a finished attempt per teller with all its answers.
        answers, finished = stored(db)
        for name, given in result.pressed.items():
            result.lost += max(0, given - answers.get(name, 0))
        result.lost += len(result.completed - finished)  # a debrief shown but its attempt not finished
        for tab in result.tabs:
            await tab.close()
    finally:
        result.exit_code, result.orphans = _stop(server, db)
    return result


def _wait_listening(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench_room: coach serve exited: {server.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("bench_room: coach serve did not listen within 60 s")


def _stop(server: subprocess.Popen, db: Path) -> tuple[int | None, int]:
    """SIGTERM, then count what is left of the room (after a moment for the kernel to tidy)."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.communicate()
    left = [pid for pid in room_processes(-1, db) if pid != -1 and _cmdline(pid) != [b""]]
    for pid in left:  # leave the machine clean, but report them
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return server.returncode, len(left)


# ---- report ----------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


MIB = 1024 * 1024


def summary(r: Result, one: Result | None) -> dict:
    extra = ((r.peak_pss - one.peak_pss) / (r.n - 1) / MIB) if one and r.n > 1 and one.peak_pss else None
    return {
        "mode": r.mode, "n": r.n,
        "first_median": statistics.median(r.first) if r.first else float("nan"),
        "first_p95": pct(r.first, 0.95),
        "key_median": statistics.median(r.keys) if r.keys else float("nan"),
        "key_p95": pct(r.keys, 0.95), "keys": len(r.keys),
        "total_pss_mib": r.peak_pss / MIB, "base_pss_mib": r.base_pss / MIB,
        "session_uss_mib": statistics.mean(r.sessions_uss) / MIB if r.sessions_uss else float("nan"),
        "extra_session_mib": extra,
        "start_cpu_per_session_s": (r.start_cpu / r.n) if r.start_cpu is not None else float("nan"),
        "cpu_s": r.cpu, "cpu_cores": r.cpu / r.wall if r.wall else 0.0, "client_cpu_s": r.client_cpu,
        "spontaneous_frames": r.spontaneous, "lost": r.lost, "errors": r.errors, "orphans": r.orphans, "exit": r.exit_code,
    }


def print_table(rows: list[dict]) -> None:
    head = (f"{'mode':6} {'N':>3} | {'first med':>9} {'p95':>6} | {'key med':>7} {'p95':>6} {'keys':>5} | "
            f"{'PSS tot':>8} {'USS/ses':>8} {'+/ses':>7} | {'start':>6} {'CPU s':>6} {'cores':>5} {'bench':>6} | lost orph")
    print(head)
    print("-" * len(head))
    for s in rows:
        extra = f"{s['extra_session_mib']:.1f}" if s["extra_session_mib"] is not None else "—"
        print(f"{s['mode']:6} {s['n']:>3} | {s['first_median']:8.2f}s {s['first_p95']:5.2f}s | "
              f"{s['key_median'] * 1000:5.0f}ms {s['key_p95'] * 1000:4.0f}ms {s['keys']:>5} | "
              f"{s['total_pss_mib']:6.0f}Mi {s['session_uss_mib']:6.1f}Mi {extra:>5}Mi | "
              f"{s['start_cpu_per_session_s'] * 1000:4.0f}ms {s['cpu_s']:6.1f} {s['cpu_cores']:5.2f} {s['client_cpu_s']:5.1f}s | {s['lost']:>4} {s['orphans']:>4}")
        for error in s["errors"][:2]:
            print(f"         error: {error}")
        if len(s["errors"]) > 2:
            print(f"         ... and {len(s['errors']) - 2} more errors")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1,10,20,40", help="room sizes N, comma-separated (default 1,10,20,40)")
    p.add_argument("--modes", default="fork,spawn", help="launch modes; the first is ours, the second the baseline")
    p.add_argument("--keys", type=int, default=40, help="most play keys per teller (default: the whole best path)")
    p.add_argument("--gap", type=float, nargs=2, default=(2.0, 5.0), metavar=("MIN", "MAX"),
                   help="seconds between a teller's key presses (default 2 5)")
    p.add_argument("--arrive", type=float, default=0.0,
                   help="spread the tabs' arrival over this many seconds (default 0: all at once)")
    p.add_argument("--settle", type=float, default=3.0, help="seconds between the server listening and the room opening")
    p.add_argument("--max-seconds", type=float, default=300.0, help="bound on one room's play (default 300)")
    p.add_argument("--sample", type=float, default=1.0, help="seconds between memory and CPU samples")
    p.add_argument("--lang", choices=("zh", "en"), default="en")
    p.add_argument("--seed", type=int, default=22)
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)
    try:
        sizes = [int(x) for x in args.sizes.split(",")]
        modes = [m.strip() for m in args.modes.split(",")]
    except ValueError:
        p.error("--sizes takes numbers such as 1,10,20,40")
    if any(n < 1 or n > 200 for n in sizes) or any(m not in ("fork", "spawn") for m in modes):
        p.error("--sizes between 1 and 200; --modes fork and/or spawn")
    if args.keys < 1 or args.gap[0] < 0 or args.gap[1] < args.gap[0]:
        p.error("--keys >= 1 and 0 <= MIN <= MAX for --gap")

    all_plays = plays(args.lang)
    load = os.getloadavg()
    print(f"bench_room: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"rooms {sizes} x {modes}; a key every {args.gap[0]:g}-{args.gap[1]:g} s; "
          f"{'all tabs at once' if not args.arrive else f'tabs over {args.arrive:g} s'}", flush=True)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="coach-room-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "XDG_DATA_HOME": str(work / "data")}
        # A trainer's PC has run the coach before: the validation cache is warm.
        subprocess.run([sys.executable, "-m", "coach", "validate", str(bundled_dir())], cwd=ROOT, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        for mode in modes:
            ones: Result | None = None
            for n in sizes:
                result = asyncio.run(room(mode, n, args, work, all_plays))
                if n == 1:
                    ones = result
                rows.append(summary(result, ones))
                print_table([rows[-1]])
                print(flush=True)
    print()
    print_table(rows)
    print()
    _ratios(rows, modes)
    failed = _verdict(rows, modes[0])
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=float), encoding="utf-8")
    return 1 if failed else 0


def _ratios(rows: list[dict], modes: list[str]) -> None:
    if len(modes) < 2:
        return
    ours, base = modes[0], modes[1]
    print(f"ratios {ours} / {base} (same run; below 1 is better):")
    by = {(r["mode"], r["n"]): r for r in rows}
    for (mode, n), r in by.items():
        b = by.get((base, n))
        if mode != ours or b is None:
            continue
        parts = []
        for key, label in (("first_p95", "first p95"), ("key_p95", "key p95"), ("total_pss_mib", "total PSS"),
                           ("session_uss_mib", "USS/session"),
                           ("start_cpu_per_session_s", "start CPU/session"), ("cpu_s", "CPU")):
            if b[key] and b[key] == b[key]:
                parts.append(f"{label} {r[key] / b[key]:.2f}x")
        print(f"  N={n:>3}: " + ", ".join(parts))


def _verdict(rows: list[dict], ours: str) -> bool:
    big = [r for r in rows if r["mode"] == ours]
    if not big:
        return False
    r = max(big, key=lambda r: r["n"])
    extra = r["extra_session_mib"]
    checks = [
        (f"first screen p95 at N={r['n']}", r["first_p95"], TARGETS["first_p95"], "s"),
        (f"key press p95 at N={r['n']}", r["key_p95"] * 1000, TARGETS["key_p95"] * 1000, "ms"),
        (f"memory per extra session at N={r['n']} (PSS growth)", extra if extra is not None else float("nan"),
         TARGETS["extra_uss_mib"], "MiB"),
        (f"USS per session at N={r['n']}", r["session_uss_mib"], TARGETS["extra_uss_mib"], "MiB"),
    ]
    failed = False
    print(f"targets ({ours}):")
    for label, value, target, unit in checks:
        ok = value <= target
        failed |= not ok
        print(f"  {'ok  ' if ok else 'MISS'} {label}: {value:.2f} {unit} (target <= {target:g} {unit})")
    for row in big + [x for x in rows if x["mode"] != ours]:
        if row["lost"] or row["orphans"] or row["errors"] or row["exit"] != 0:
            failed = True
            print(f"  FAIL {row['mode']} N={row['n']}: {row['lost']} answers lost, {row['orphans']} processes "
                  f"left, {len(row['errors'])} errors, server exit {row['exit']}")
    if not failed:
        print("  no answer lost, no process left, every server stopped with SIGTERM exit 0")
    spontaneous = sum(row["spontaneous_frames"] for row in rows)
    print(f"  frames that came while no key was pressed (they would flatter a key's time): {spontaneous}")
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
