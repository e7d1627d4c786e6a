"""The history store: SQLite, stdlib sqlite3, plain SQL. Imports neither textual nor rich."""

from coach.store.db import (
    SCHEMA_VERSION,
    BrokenDatabase,
    DatabasePathError,
    NewerSchema,
    StoreError,
    connect,
    default_path,
    move_aside,
)


def __getattr__(name: str):
    # The Recorder (and the write records behind it) only when asked for: `coach run` reads the
    # history before its first screen and writes after it (issue 11: start-up time).
    if name == "Recorder":
        from coach.store.recorder import Recorder

        return Recorder
    raise AttributeError(f"module 'coach.store' has no attribute {name!r}")


__all__ = [
    "SCHEMA_VERSION", "BrokenDatabase", "DatabasePathError", "NewerSchema", "Recorder", "StoreError",
    "connect", "default_path", "move_aside",
]
