"""Real server processes for tests that need one: gunicorn with the gevent worker, as in production."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `gunicorn -k gevent -w 1 'app:create_app()'` process on loopback, with its own database and log."""

    def __init__(self, workdir: Path, database_url: str, port: int | None = None, env: dict | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-server-secret",
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_KIB": "8",
            "RATELIMIT_ENABLED": "0",
            "QUICK_EXIT_URL": "about:blank",
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "Server":
        """Start the process and wait until it answers."""
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [gunicorn, "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "2",
             "app:create_app()"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/login", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer in {timeout}s; see {self.log_path}")

    def kill(self) -> None:
        """kill -9 the whole process group: no clean shutdown, as in a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._close_log()

    def stop(self) -> None:
        """Stop the server politely, and hard if it does not go."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self) -> None:
        log = getattr(self, "_log", None)
        if log and not log.closed:
            log.close()


def sqlite_copy(template: Path, directory: Path, name: str = "server.sqlite") -> str:
    """A DATABASE_URL for a fresh copy of the migrated template database."""
    path = directory / name
    shutil.copy(template, path)
    return f"sqlite:///{path}"
