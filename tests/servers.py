"""Real server processes for tests that need one: gunicorn with the gevent worker, as in production."""
from __future__ import annotations

import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, extra: dict) -> dict:
    """The environment of a test server process on this database (SECRET_KEY shared by all of a test's servers)."""
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-server-secret",
            "QUICK_EXIT_URL": "about:blank", **extra}


class Process:
    """A server process started in its own process group, logging to log_path."""

    process: subprocess.Popen | None = None
    log_path: Path

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

    def _ready_or_stopped(self, wait, timeout: float) -> None:
        """Wait until the process is ready; if it is not, stop it, so nothing is left running and no log open."""
        try:
            wait(timeout)
        except BaseException:
            self.stop()
            raise

    def _close_log(self) -> None:
        log = getattr(self, "_log", None)
        if log and not log.closed:
            log.close()


class Server(Process):
    """One `gunicorn -k gevent -w 1 'app:create_app()'` process on loopback, with its own database and log."""

    def __init__(self, workdir: Path, database_url: str, port: int | None = None, env: dict | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        self.env = server_env(database_url, {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8",
                                           "RATELIMIT_ENABLED": "0", **(env or {})})
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
        self._ready_or_stopped(self._wait_answering, timeout)
        return self

    def _wait_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/login", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer in {timeout}s; see {self.log_path}")

def sqlite_copy(template: Path, directory: Path, name: str = "server.sqlite") -> str:
    """A DATABASE_URL for a fresh copy of the migrated template database."""
    path = directory / name
    shutil.copy(template, path)
    return f"sqlite:///{path}"


class Relay(Process):
    """One `python -m relay` process on loopback (the agreements documents' live channel), with its own log."""

    def __init__(self, workdir: Path, database_url: str, app_url: str, port: int | None = None,
                 env: dict | None = None):
        self.port = port or free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self.log_path = workdir / f"relay-{self.port}.log"
        self.env = server_env(database_url, {"APP_URL": app_url, **(env or {})})
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "Relay":
        """Start the process and wait until it accepts connections."""
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "relay", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self._ready_or_stopped(self._wait_listening, timeout)
        return self

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"relay exited early; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"relay did not listen in {timeout}s; see {self.log_path}")


def run_in_threads(*jobs, failures: list | None = None) -> None:
    """Run the callables at the same time; re-raise the first failure (or collect them into `failures`)."""
    collect = failures is not None
    failures = [] if failures is None else failures

    def guarded(job):
        try:
            job()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures and not collect:
        raise failures[0]
