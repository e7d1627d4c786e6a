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
from coach.store.recorder import Recorder

__all__ = [
    "SCHEMA_VERSION", "BrokenDatabase", "DatabasePathError", "NewerSchema", "Recorder", "StoreError",
    "connect", "default_path", "move_aside",
]
