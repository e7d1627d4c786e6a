"""`coach serve`: the coach in a browser for a training room, through textual-serve.

Each browser tab gets its own `coach run` process (its own teller prompt); all of them write to the
same history. Imported only by `coach serve`, so the optional `textual-serve` extra is needed only there.
"""

#: Most tabs open at once by default; measured: 40 sessions fit a 2-core PC (docs/performance.md).
DEFAULT_MAX_SESSIONS = 40
