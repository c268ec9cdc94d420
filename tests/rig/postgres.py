"""Debian's PostgreSQL for the tests: one private cluster per test session.

The cluster lives in a directory of its own (on /dev/shm when there is room: creating a
database there is about ten times quicker), listens only on a Unix socket in that
directory, and runs with durability off: nothing here must survive a power cut. It is
never the system's cluster and never port 5432 on TCP. One template database holds the
migrated schema; each test gets a copy of it and drops it after.

PostgreSQL refuses to run as root, so as root the server programs run as the ``postgres``
system user the Debian package creates; the tests still connect over the socket.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

PG_BIN = Path(os.environ.get("MAILBOT_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "mailbot_template"


def available() -> bool:
    return (PG_BIN / "initdb").is_file() and (PG_BIN / "pg_ctl").is_file()


def _scratch() -> str:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and shutil.disk_usage(shm).free > 512 * 2**20 else tempfile.gettempdir()


class PostgresServer:
    def __init__(self, *, durable: bool = False) -> None:
        """``durable``: on disk with PostgreSQL's own defaults (fsync on), as a council would
        run it: for the benchmarks, where the cost of a commit is part of the figure."""
        self.durable = durable
        # Not pytest's tmp_path: its parent is 0700 and owned by root, which locks the
        # postgres user out. A short path: the socket's full path must fit 107 bytes.
        self.base = Path(tempfile.mkdtemp(prefix="mbpg-", dir=tempfile.gettempdir() if durable else _scratch()))
        self.data = self.base / "data"
        with socket.socket() as s:  # a port number unique on this machine names the socket
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

    def _run(self, *args: str) -> None:
        owner: dict[str, object] = {}
        if os.geteuid() == 0:
            owner = {"user": "postgres", "group": "postgres", "extra_groups": []}
        done = subprocess.run([str(PG_BIN / args[0]), *args[1:]], capture_output=True, text=True,
                              check=False, **owner)  # type: ignore[call-overload]
        if done.returncode:
            log = (self.base / "log").read_text(errors="replace")[-2000:] if (self.base / "log").exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()}\n{log}")

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"listen_addresses = ''\nport = {self.port}\nunix_socket_directories = '{self.base}'\n"
                       "shared_buffers = 32MB\nmax_connections = 100\n")
            if not self.durable:
                conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        # -l: without a log file the server keeps our pipes open and the start never returns.
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "log"), "-w", "start")
        self._create(TEMPLATE)
        from mailbot.adapters.engine import connect, upgrade

        engine = connect(self.url(TEMPLATE))
        upgrade(engine)
        engine.dispose()  # a template must have no sessions open
        return self

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.base}&port={self.port}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.base), port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def _create(self, name: str, template: str | None = None) -> None:
        self._admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))

    def fresh(self, *, migrated: bool = True) -> str:
        """The URL of a new database: the migrated, empty schema, or nothing at all."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._create(name, TEMPLATE if migrated else None)
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.split("/", 3)[3].split("?", 1)[0]
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
