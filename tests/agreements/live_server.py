"""A real server process (gunicorn with gevent, as in production) on a free loopback port, for socket tests."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
import socketio

from tests.agreements.wire import NAMESPACE, YClient

ROOT = Path(__file__).resolve().parents[2]
BOOT_SECONDS = 60


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """One gunicorn -k gevent -w 1 process serving the app on a database file; can be killed and restarted."""

    def __init__(self, database: Path, log: Path):
        self.database = database
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "SECRET_KEY": "agreements-live-test",
            "RATELIMIT_ENABLED": "0",
            "APP_ENV": "development",
        }
        env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [gunicorn, "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{self.port}", "app:create_app()"],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
            )
        deadline = time.monotonic() + BOOT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                requests.get(f"{self.url}/login", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)  # waiting for the process to listen, not for time to pass
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """kill -9 every process of the server, at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Stop the server gracefully."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def login(self, email: str, password: str) -> str:
        """Sign in through the real form; return the Cookie header of the session."""
        session = requests.Session()
        page = session.get(f"{self.url}/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        answer = session.post(f"{self.url}/login", data={"email": email, "password": password, "csrf_token": token},
                              allow_redirects=False)
        assert answer.status_code == 302, answer.text[:300]
        return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


class RemotePartner(YClient):
    """A pycrdt client over python-socketio (msgpack, WebSocket only) against a LiveServer."""

    def __init__(self, server: LiveServer, cookie: str, timeout: float = 30):
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.timeout = timeout
        super().__init__(self._call)
        self.sio.on("yjs", self.receive, namespace=NAMESPACE)
        self.sio.connect(server.url, headers={"Cookie": cookie, "Origin": server.url}, namespaces=[NAMESPACE],
                         transports=["websocket"], wait_timeout=10)

    def _call(self, event, *args):
        return self.sio.call(event, args if len(args) > 1 else args[0], namespace=NAMESPACE, timeout=self.timeout)

    def send_later(self, message: bytes, on_ack) -> None:
        """Send without waiting; on_ack(answer) runs when the server acknowledges."""
        self.sio.emit("yjs", (self.document_id, message), namespace=NAMESPACE, callback=on_ack)

    def reply(self, message: bytes) -> None:
        """Answer without waiting: this runs on the client's receiving thread."""
        self.send_later(message, self.acks.append)

    def close(self) -> None:
        """Disconnect (quietly if the server is already gone)."""
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001 - the server may have been killed
            pass


def run_in_threads(*jobs) -> None:
    """Run the callables at the same time and re-raise the first failure."""
    failures = []

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
    if failures:
        raise failures[0]
