"""Clients of a real server process (tests.servers.Server): python-socketio partners speaking the wire protocol."""
from __future__ import annotations

import re
import threading

import requests
import socketio

from tests.agreements.wire import NAMESPACE, YClient
from tests.servers import Server

def sign_in(server: Server, email: str, password: str) -> str:
    """Sign in through the real form; return the Cookie header of the session."""
    session = requests.Session()
    page = session.get(f"{server.url}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = session.post(f"{server.url}/login", data={"email": email, "password": password, "csrf_token": token},
                          allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


class RemotePartner(YClient):
    """A pycrdt client over python-socketio (msgpack, WebSocket only) against a real server."""

    def __init__(self, server: Server, cookie: str, timeout: float = 30):
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.timeout = timeout
        super().__init__(self._call)
        self.sio.on("yjs", self.receive, namespace=NAMESPACE)
        self.sio.connect(server.url, headers={"Cookie": cookie}, namespaces=[NAMESPACE],
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
