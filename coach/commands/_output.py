"""Where a command's output goes: a file named by the user, or stdout."""

from __future__ import annotations

import sys


def emit(payload: str | bytes, out: str | None, prog: str) -> int:
    """Write `payload` (UTF-8) to the file `out`, or to stdout when `out` is None.

    Returns 0, or 1 after a plain message when the file cannot be written.
    """
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    if out:
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
