#!/usr/bin/env python
"""Benchmark the terminal output path: coach's Outlet against Textual's WriterThread, same run.

The Outlet (coach/tui/outlet.py) replaced Textual's writer so that a terminal that goes away can
never hold the app (docs/reliability.md). It must not cost the teller anything while the terminal is
there. Both writers feed the slave side of a real pseudo-terminal whose master a thread drains (as
a terminal emulator does):

1. throughput: FRAMES full-screen frames of a 100x30 screen in 24-bit colour (~56 KiB each, as Textual
   writes a repaint), written as fast as the app can, until the last byte reaches the master. Target: the
   Outlet's time <= 1.1x the WriterThread's.
2. latency: one small write (a cursor move, as after a key press), then wait until it arrives;
   median and p95 over SMALL writes. Target: the Outlet's median <= 1.1x the WriterThread's + 0.1 ms.

Alternating runs, medians.

    .venv/bin/python scripts/bench_output.py [--runs 7] [--frames 400] [--small 400]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import threading
import time
import tty
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.drivers._writer_thread import WriterThread  # noqa: E402

from coach.tui.outlet import Outlet  # noqa: E402

THROUGHPUT_TARGET = 1.1
LATENCY_TARGET = 1.1


def frame(n: int) -> str:
    """One repaint of a 100x30 screen, every cell in its own 24-bit colour (~56 KiB)."""
    rows = []
    for y in range(30):
        cells = "".join(f"\x1b[38;2;{(x * 7 + n) % 256};{y * 8};120m{chr(0x41 + (x + y + n) % 26)}"
                        for x in range(100))
        rows.append(f"\x1b[{y + 1};1H{cells}")
    return "".join(rows) + "\x1b[0m"


class Terminal:
    """A pty whose master a thread drains, counting bytes."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no newline translation: bytes in = bytes out
        self.got = 0
        self.cond = threading.Condition()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            with self.cond:
                self.got += len(chunk)
                self.cond.notify_all()

    def wait_for(self, total: int) -> None:
        with self.cond:
            while self.got < total:
                self.cond.wait(5)

    def close(self) -> None:
        os.close(self.slave)
        os.close(self.master)


def writer(kind: str, term: Terminal):
    if kind == "outlet":
        return Outlet(term.slave)
    stream = io.TextIOWrapper(io.FileIO(term.slave, "w", closefd=False), encoding="utf-8", write_through=False)
    thread = WriterThread(stream)
    thread.start()
    return thread


def stop(kind: str, w) -> None:
    if kind == "outlet":
        w.close(5.0)
    else:
        w.stop()


def throughput(kind: str, frames: list[str]) -> float:
    term = Terminal()
    w = writer(kind, term)
    total = sum(len(f.encode()) for f in frames)
    t0 = time.perf_counter()
    for f in frames:
        w.write(f)
    if kind != "outlet":
        w.flush()
    term.wait_for(total)
    took = time.perf_counter() - t0
    stop(kind, w)
    term.close()
    return took


def latency(kind: str, n: int) -> list[float]:
    term = Terminal()
    w = writer(kind, term)
    out, total = [], 0
    for i in range(n):
        text = f"\x1b[{i % 30 + 1};{i % 100 + 1}H"
        total += len(text)
        t0 = time.perf_counter()
        w.write(text)
        term.wait_for(total)
        out.append((time.perf_counter() - t0) * 1000)
    stop(kind, w)
    term.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--frames", type=int, default=400)
    ap.add_argument("--small", type=int, default=400)
    args = ap.parse_args()
    frames = [frame(n) for n in range(args.frames)]
    size = sum(len(f.encode()) for f in frames) / len(frames)
    times: dict[str, list[float]] = {"textual": [], "outlet": []}
    lat: dict[str, list[float]] = {"textual": [], "outlet": []}
    for _ in range(args.runs):
        for kind in ("textual", "outlet") if _ % 2 else ("outlet", "textual"):
            times[kind].append(throughput(kind, frames))
            lat[kind] += latency(kind, args.small)
    ok = True
    t_ratio = statistics.median(times["outlet"]) / statistics.median(times["textual"])
    print(f"throughput: {args.frames} frames of {size / 1024:.1f} KiB into a pty, median of {args.runs}: "
          f"Textual WriterThread {statistics.median(times['textual']) * 1000:.0f} ms, "
          f"Outlet {statistics.median(times['outlet']) * 1000:.0f} ms, ratio {t_ratio:.2f}x "
          f"(target <= {THROUGHPUT_TARGET}x)")
    ok &= t_ratio <= THROUGHPUT_TARGET

    def p95(v):
        return sorted(v)[int(len(v) * 0.95)]

    med = {k: statistics.median(v) for k, v in lat.items()}
    print(f"latency of a small write: Textual median {med['textual']:.3f} ms p95 {p95(lat['textual']):.3f} ms; "
          f"Outlet median {med['outlet']:.3f} ms p95 {p95(lat['outlet']):.3f} ms; "
          f"ratio {med['outlet'] / med['textual']:.2f}x (target <= {LATENCY_TARGET}x + 0.1 ms)")
    ok &= med["outlet"] <= med["textual"] * LATENCY_TARGET + 0.1
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
