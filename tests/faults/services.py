"""A PostgreSQL and a Redis of the fault suite's own, on free ports in a temporary folder, to break.

The machine's shared PostgreSQL (5432) and Redis (6379) serve other test runs: the fault tests
stop, restart and flush only these. PostgreSQL's server refuses to run as root, so as root its
commands run as the `postgres` user (`runuser`), on a folder that user owns.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import sqlalchemy as sa

from store.migrate import upgrade
from tests.support import Process, free_port


def postgres_bin(name: str) -> str:
    """A PostgreSQL server binary (initdb, pg_ctl): on PATH, else Debian's newest version folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError(f"{name} not found: install PostgreSQL's server package (Debian: postgresql)")
    return candidates[-1]


def as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Postgres:
    """A throw-away cluster: trust auth, loopback only, fsync off; `stop()`/`start()` make an outage."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="incidents-faults-pg-"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self._run(
            postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.folder / "postgres.log")
        self._run(postgres_bin("pg_ctl"), "start", "-D", str(self.data), "-w", "-t", "60", "-l", log, "-o", options)

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (what a restart does); `immediate` is a crash."""
        self._run(postgres_bin("pg_ctl"), "stop", "-D", str(self.data), "-w", "-t", "60", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def create_database(self, name: str) -> str:
        """A new database, migrated to head; returns its URL."""
        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        upgrade(self.url(name))
        return self.url(name)

    def log(self) -> str:
        path = self.folder / "postgres.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, *argv: str) -> None:
        result = subprocess.run(as_postgres(list(argv)), capture_output=True, text=True, cwd="/", timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed: {result.stdout}{result.stderr}\n{self.log()}")


class Redis:
    """redis-server as a child process, nothing saved: a restart comes back empty (flushed)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="incidents-faults-redis-"))
        self.port = free_port()
        self.process: Process | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--daemonize", "no", "--dir", str(self.folder)]
        self.process = Process(argv, env=dict(os.environ), log_path=self.folder / f"redis-{time.time_ns()}.log")
        self._wait()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def flush(self) -> int:
        """FLUSHALL on this Redis (never the shared one); returns how many keys were there."""
        client = redis.Redis.from_url(self.url)
        try:
            keys = client.dbsize()
            client.flushall()
            return keys
        finally:
            client.close()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _wait(self, timeout: float = 20) -> None:
        client, deadline = redis.Redis.from_url(self.url, socket_connect_timeout=1), time.monotonic() + timeout
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self.process.popen.poll() is not None:
                        raise RuntimeError(f"redis-server did not start:\n{self.process.log()}") from None
                    time.sleep(0.05)
        finally:
            client.close()
