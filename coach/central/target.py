"""Where the central store is (a PostgreSQL connection string), connecting to it, and keeping its
password out of every message.

The password comes from the URL, `PGPASSWORD` or `~/.pgpass`, exactly as libpq finds it (we pass
the string through untouched). It is never printed: `mask` replaces it in a URL or key=value
string, and `scrub` removes it from any text (a driver error may quote the connection string).
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit, urlunsplit

ENV_VAR = "COACH_CENTRAL"
MASK = "***"
CONNECT_TIMEOUT = 10


class CentralError(Exception):
    """A problem with the central store, in plain words with no password in them (str(exc))."""


def is_url(text: str) -> bool:
    """A PostgreSQL connection string rather than a file path."""
    t = text.strip()
    return t.startswith(("postgresql://", "postgres://")) or bool(re.match(r"^\s*\w+\s*=", t) and "=" in t
                                                                    and not os.path.exists(t))


def from_env(explicit: str | None) -> str | None:
    return explicit or os.environ.get(ENV_VAR) or None


def _password(url: str) -> str | None:
    if url.startswith(("postgresql://", "postgres://")):
        try:
            pw = urlsplit(url).password
        except ValueError:
            pw = None
        if pw:
            return unquote(pw)
        m = re.search(r"[?&]password=([^&]*)", url)
        return unquote(m.group(1)) if m else None
    m = re.search(r"(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", url)
    if m:
        value = m.group(1)
        return value[1:-1] if value.startswith("'") else value
    return None


def mask(url: str) -> str:
    """The connection string with its password (if any) replaced by ***."""
    if url.startswith(("postgresql://", "postgres://")):
        try:
            parts = urlsplit(url)
            netloc = parts.netloc
            if "@" in netloc:
                userinfo, host = netloc.rsplit("@", 1)
                if ":" in userinfo:
                    userinfo = userinfo.split(":", 1)[0] + ":" + MASK
                netloc = userinfo + "@" + host
            query = re.sub(r"(^|&)password=[^&]*", r"\1password=" + MASK, parts.query)
            return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
        except ValueError:
            return re.sub(r"//[^@/]*@", "//" + MASK + "@", url)
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\g<1>" + MASK, url)


def scrub(text: str, url: str | None = None) -> str:
    """`text` with every password we know of (the URL's, PGPASSWORD) and the raw URL masked."""
    out = str(text)
    if url:
        out = out.replace(url, mask(url))
    for secret in (_password(url) if url else None, os.environ.get("PGPASSWORD")):
        if secret:
            out = out.replace(secret, MASK)
    return out


def describe(url: str) -> str:
    """user@host:port/db for messages (no password), from what libpq would use."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        d = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - a malformed string is described by its masked form
        return mask(url)
    host = d.get("host") or os.environ.get("PGHOST") or "localhost"
    port = d.get("port") or os.environ.get("PGPORT") or "5432"
    user = d.get("user") or os.environ.get("PGUSER") or ""
    db = d.get("dbname") or os.environ.get("PGDATABASE") or user
    return f"{user + '@' if user else ''}{host}:{port}/{db}"


def _driver():
    try:
        import psycopg
    except ImportError:
        raise CentralError("the central store needs the PostgreSQL driver: pip install 'coach[central]' "
                           "(psycopg)") from None
    return psycopg


def classify(exc: BaseException, url: str) -> str:
    """A driver error as one plain sentence, password removed."""
    raw = " ".join(str(exc).split())
    low = raw.lower()
    where = describe(url)
    if "password authentication failed" in low or "no password supplied" in low or "authentication failed" in low:
        detail = "password refused" if "password authentication failed" in low else "no password given"
        return (f"the central database at {where} refused the credentials ({detail}); check the user "
                "and the password in the URL, PGPASSWORD or ~/.pgpass")
    if "does not exist" in low and "database" in low:
        return f"the central database at {where} does not exist ({scrub(raw, url)})"
    if "role" in low and "does not exist" in low:
        return f"the central database at {where} has no such user ({scrub(raw, url)})"
    if any(w in low for w in ("connection refused", "could not connect", "timeout expired", "no route",
                              "could not translate host", "network is unreachable", "server closed",
                              "terminating connection", "connection is lost", "consuming input failed",
                              "the connection is closed", "connection not open", "ssl syscall")):
        return (f"cannot reach the central database at {where} (server down, network down or the "
                f"connection was cut): {scrub(raw, url)}")
    if "permission denied" in low or "row-level security" in low:
        return f"the central database at {where} refused this (permission denied): {scrub(raw, url)}"
    return f"the central database at {where}: {scrub(raw, url)}"


def connect(url: str, *, autocommit: bool = False, application: str = "coach"):
    """A psycopg connection, or CentralError with a plain, password-free message."""
    psycopg = _driver()
    if not url or not url.strip():
        raise CentralError(f"no central database given: pass a PostgreSQL URL or set {ENV_VAR}")
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT,
                               application_name=application)
    except psycopg.Error as exc:
        raise CentralError(classify(exc, url)) from None
    except Exception as exc:  # noqa: BLE001 - a malformed connection string raises ProgrammingError etc.
        raise CentralError(f"not a usable PostgreSQL connection string ({scrub(str(exc), url)}): {mask(url)}") from None
