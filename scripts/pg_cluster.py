"""A throwaway PostgreSQL cluster for the central-store tests and scripts/bench_central.py.

Why our own small helper and not pytest-postgresql: its executor runs `initdb`/`pg_ctl` as the
current user, and `initdb` refuses root, which is what CI and these sessions run as. Here, as root,
the cluster's folder is given to an unprivileged user (`coachpg` if it exists, else `nobody`) and
the server is started as that user with `runuser`; otherwise it runs as ourselves. It listens on
127.0.0.1 only, on a free port, with password (SCRAM) authentication, and is removed at the end.

    with Cluster.start() as pg:   # or pg = Cluster.start(); …; pg.stop()
        pg.url("postgres")        # postgresql://coach_admin:…@127.0.0.1:PORT/postgres
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

ADMIN = "coach_admin"


class ClusterUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def bindir() -> Path:
    """The newest PostgreSQL bin folder with initdb, pg_ctl and postgres."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                        if Path(p).parent.name.isdigit() else 0, reverse=True)
    found = shutil.which("pg_config")
    if found:
        try:
            candidates.append(subprocess.run([found, "--bindir"], capture_output=True, text=True,
                                             check=True).stdout.strip())
        except (OSError, subprocess.CalledProcessError):
            pass
    for folder in candidates:
        if all((Path(folder) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return Path(shutil.which("initdb")).parent
    raise ClusterUnavailable("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; "
                             "scripts/test installs them with apt-get (package postgresql)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("coachpg", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ClusterUnavailable("running as root and no unprivileged user (coachpg or nobody) to run PostgreSQL")


class Cluster:
    def __init__(self, root: Path, port: int, password: str, bin_: Path, user: str | None) -> None:
        self.root, self.port, self.password, self.bin, self.user = root, port, password, bin_, user
        self.data = root / "data"

    def _run(self, *cmd: str, timeout: float = 120) -> subprocess.CompletedProcess:
        argv = [*(["runuser", "-u", self.user, "--"] if self.user else []), *cmd]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=self.root)

    @classmethod
    def start(cls, settings: dict[str, str] | None = None) -> "Cluster":
        bin_ = bindir()
        user = _server_user()
        root = Path(tempfile.mkdtemp(prefix="coach-pg-"))
        password = secrets.token_urlsafe(18)
        (root / "pw").write_text(password + "\n")
        if user:
            info = pwd.getpwnam(user)
            for p in (root, root / "pw"):
                os.chown(p, info.pw_uid, info.pw_gid)
        os.chmod(root, 0o700)
        self = cls(root, free_port(), password, bin_, user)
        out = self._run(str(bin_ / "initdb"), "-D", str(self.data), "-U", ADMIN, f"--pwfile={root / 'pw'}",
                        "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8",
                        "--locale=C", "--no-sync")
        (root / "pw").unlink()
        if out.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"initdb failed: {out.stderr or out.stdout}")
        self.settings = {
            "listen_addresses": "127.0.0.1", "port": str(self.port), "unix_socket_directories": str(root),
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
            "max_connections": "80", "shared_buffers": "64MB", **(settings or {}),
        }
        try:
            self.resume()
        except Exception:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return self

    def resume(self) -> None:
        """Start (or start again after `halt`) the server on the same port."""
        opts = " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        out = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
                        "-w", "-t", "60", "-o", opts, "start")
        if out.returncode != 0:
            log = (self.root / "log").read_text(errors="replace") if (self.root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {out.stderr or out.stdout}\n{log[-2000:]}")

    def halt(self, mode: str = "immediate") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def stop(self) -> None:
        self.halt("fast")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres", user: str = ADMIN, password: str | None = None) -> str:
        pw = self.password if password is None and user == ADMIN else password
        auth = f"{user}:{pw}" if pw else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{dbname}"

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
