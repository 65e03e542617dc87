"""Real PostgreSQL and Redis servers on loopback for the tests, from Debian's packages, in a temporary folder."""
from __future__ import annotations

from contextlib import contextmanager
import glob
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import time

from tests.servers import ROOT, Relay, Server, free_port


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def postgres_bin(tool: str) -> str:
    """The path of a PostgreSQL server tool (initdb, pg_ctl), newest installed version first."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), reverse=True)
    if not found:
        raise RuntimeError("PostgreSQL server tools not found: install Debian's postgresql package "
                           "(`make test` does it when run as root)")
    return found[0]


class PostgresServer:
    """A throwaway PostgreSQL cluster: trust auth on 127.0.0.1, fsync off (tests only)."""

    def __init__(self):
        # Not under pytest's private tmp folder: the postgres user must be able to reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="cg-postgres-"))
        self.data = self.directory / "pgdata"
        self.port = free_port()

    def start(self) -> "PostgresServer":
        """initdb and start; returns when it accepts connections."""
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(_as_postgres([postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                     "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off " \
                  "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        subprocess.run(_as_postgres([postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
                                     str(self.directory / "postgres.log"), "start"]), check=True, capture_output=True)
        return self

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE / DROP DATABASE)."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        """Stop the cluster at once."""
        subprocess.run(_as_postgres([postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)


class RedisServer:
    """A throwaway Redis without persistence."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        """Start redis-server on loopback; returns when it answers PING."""
        import redis

        self.directory.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        """The redis:// URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        """Stop the server."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


DATABASE = "common_ground"


def migrate(database_url: str) -> None:
    """Run every Alembic migration against the database, as `flask db upgrade` does."""
    subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": database_url}, check=True, capture_output=True)


@contextmanager
def cluster(ports: list[int | None], workdir: Path, env: dict | None = None,
            relay_ports: list[int | None] = (None, None)):
    """Yield (postgres url, redis url, [Server], [Relay]): one app process per port, one relay per relay port
    (None: a free one); stop them all on exit."""
    ports = [port or free_port() for port in ports]
    relay_ports = [port or free_port() for port in relay_ports]
    app_urls = [f"http://127.0.0.1:{port}" for port in ports]
    postgres = PostgresServer().start()
    redis = RedisServer(workdir / "redis").start()
    servers: list[Server] = []
    relays: list[Relay] = []
    try:
        postgres.execute(f"CREATE DATABASE {DATABASE}")
        url = postgres.url(DATABASE)
        migrate(url)
        relay_env = {"SOCKETIO_ALLOWED_ORIGINS": ",".join(app_urls[1:]), **(env or {})}
        for port in relay_ports:
            relays.append(Relay(workdir, url, app_urls[0], port=port, env=relay_env).start())
        shared = {"SOCKETIO_MESSAGE_QUEUE": redis.url, "RELAY_URL": " ".join(relay.url for relay in relays),
                  **(env or {})}
        for port in ports:
            servers.append(Server(workdir, url, port=port, env=shared).start())
        yield url, redis.url, servers, relays
    finally:
        for process in servers + relays:
            process.stop()
        redis.stop()
        postgres.stop()
