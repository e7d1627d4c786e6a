"""The central PostgreSQL results store: its schema and roles, sync from a workstation's SQLite
history, and reports computed in SQL.

psycopg (the `central` extra) is imported only here, and only by the commands that need it.
Every message that may contain the connection string goes through `target.mask`.
"""
