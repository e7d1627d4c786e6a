"""Where a command's output goes: a file named by the user, or stdout.

An output file is never one of the command's inputs: `coach report x.db --out x.db` would turn the
history into a CSV. `check_outputs` refuses, before any work, an output that is an input, a link
(symbolic or hard) to one, a database's `-wal`/`-shm`/`-journal`, or another output of the same
command; `emit` checks again right before it opens the file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterable, Mapping

#: Files SQLite keeps beside a database: writing one of them damages the database too.
SIDE_FILES = ("-wal", "-shm", "-journal")


def _same(a: Path, b: Path) -> bool:
    try:
        if os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b):
            return True  # the same inode: the path itself, a symbolic link or a hard link
    except OSError:
        pass
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


def clash(out: str | os.PathLike, inputs: Iterable[str | os.PathLike]) -> str | None:
    """The input that `out` would overwrite (itself, through a link, or a database's side file)."""
    target = Path(out).expanduser()
    for raw in inputs:
        inp = Path(raw).expanduser()
        if _same(target, inp):
            return str(raw)
        for ext in SIDE_FILES:
            if _same(target, inp.with_name(inp.name + ext)):
                return f"{raw} (its {ext} file)"
    return None


def check_outputs(prog: str, outputs: Mapping[str, str | None], inputs: Iterable[str | os.PathLike]) -> int:
    """0, or 2 after a plain message if an output would overwrite an input or another output.

    `outputs` maps each option (e.g. "--out") to the file given, or None when not used."""
    inputs = list(inputs)
    given = [(opt, path) for opt, path in outputs.items() if path]
    for n, (opt, path) in enumerate(given):
        hit = clash(path, inputs)
        if hit is not None:
            print(f"{prog}: {opt} {path} is one of the inputs ({hit}); nothing was written. "
                  "Choose another file for the output.", file=sys.stderr)
            return 2
        for other_opt, other in given[:n]:
            if clash(path, [other]) is not None:
                print(f"{prog}: {opt} and {other_opt} name the same file ({path}); nothing was written. "
                      "Give each output its own file.", file=sys.stderr)
                return 2
    return 0


def emit(payload: str | bytes, out: str | None, prog: str,
         inputs: Iterable[str | os.PathLike] = ()) -> int:
    """Write `payload` (UTF-8) to the file `out`, or to stdout when `out` is None.

    Returns 0, or 1 after a plain message when the file cannot be written or is one of `inputs`.
    """
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    if out:
        hit = clash(out, inputs)
        if hit is not None:
            print(f"{prog}: {out} is one of the inputs ({hit}); nothing was written.", file=sys.stderr)
            return 1
        try:
            with open(out, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            print(f"{prog}: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.flush()
    try:
        sys.stdout.buffer.write(data)
    except AttributeError:  # a text-only stream (tests capturing output)
        sys.stdout.write(data.decode("utf-8"))
    sys.stdout.flush()
    return 0
