"""Clients of a real server process (tests.servers.Server): python-socketio partners speaking the wire protocol."""
from __future__ import annotations

import re
import threading

import requests
import socketio

from tests.agreements.wire import NAMESPACE, YClient
from tests.servers import Server

def csrf_token(page: str) -> str:
    """The CSRF token of the first form on an HTML page."""
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)


def browser(server: Server, email: str, password: str) -> requests.Session:
    """A requests session signed in through the real form."""
    session = requests.Session()
    page = session.get(f"{server.url}/login").text
    answer = session.post(f"{server.url}/login", allow_redirects=False,
                          data={"email": email, "password": password, "csrf_token": csrf_token(page)})
    assert answer.status_code == 302, answer.text[:300]
    return session


def cookie_header(session: requests.Session) -> str:
    """The Cookie header a socket opened by this browser sends."""
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def sign_in(server: Server, email: str, password: str) -> str:
    """Sign in through the real form; return the Cookie header of the session."""
    return cookie_header(browser(server, email, password))


class RemotePartner(YClient):
    """A pycrdt client over python-socketio (msgpack, WebSocket only) against a real server."""

    def __init__(self, server: Server, cookie: str, timeout: float = 30):
        self.timeout = timeout
        super().__init__(self._call)
        self.connect(server, cookie)

    def connect(self, server: Server, cookie: str) -> None:
        """Connect with a new Socket.IO client (also after the server died): the local document is kept."""
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.sio.on("yjs", self.receive, namespace=NAMESPACE)
        namespaces = [NAMESPACE, *self.listen(self.sio)]
        self.sio.connect(server.url, headers={"Cookie": cookie}, namespaces=namespaces,
                         transports=["websocket"], wait_timeout=10)

    def listen(self, sio: socketio.Client) -> list[str]:
        """Register handlers on other namespaces before connecting; return those namespaces (none here)."""
        return []

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
        websocket = getattr(self.sio.eio, "ws", None)
        if websocket is not None:  # after a crash of the server the client leaves its socket open
            websocket.shutdown()


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
