"""A real, throwaway PostgreSQL server on loopback, for the tests and the benchmark (Debian's
postgresql package) - and for an instructor who wants to try parallel grading on one machine.

``PostgresServer().start()`` runs ``initdb`` into a new temporary folder and ``pg_ctl start`` on
127.0.0.1 and a free port; ``stop()`` shuts it down and deletes the folder. The binaries come from
Debian's ``postgresql`` package (``/usr/lib/postgresql/<version>/bin``), which `.ci/run` installs.
PostgreSQL refuses to run as root, so under root the server runs as the package's ``postgres``
user. Durability settings are off (fsync, synchronous commit): this is a test server.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "grader"


def find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return versions[-1] if versions else None


def available() -> str | None:
    """None when a server can be started here, else why not."""
    missing = [n for n in ("initdb", "pg_ctl", "postgres") if not find_bin(n)]
    if missing:
        return (f"PostgreSQL server programs not found ({', '.join(missing)}): install Debian's "
                "`postgresql` package (`.ci/run` does: apt-get install postgresql)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without `runuser` to start PostgreSQL as the postgres user"
    if os.geteuid() == 0:
        try:
            import pwd
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="course-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.log = self.folder / "server.log"
        self.as_postgres = os.geteuid() == 0

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        if self.as_postgres:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=self.folder)
        if check and result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}")
        return result

    def start(self) -> "PostgresServer":
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(find_bin("initdb"), "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=100")
        self._run(find_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        return self

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg2://{USER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.data.exists():
            self._run(find_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        for _ in range(50):
            try:
                shutil.rmtree(self.folder)
                return
            except OSError:
                time.sleep(0.1)
