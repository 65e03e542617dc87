"""Revocation against a real server and relay: logout, password change, unlink and account deletion close the
Socket.IO sockets (/couple, /dialogue) and the relay's connection to the agreements document within a second.

Run `pytest tests/security/test_revocation.py -s` to see the measured times.
"""
from __future__ import annotations

import threading
import time

import pytest
import socketio

from relay import gate
from tests.conftest import TEST_SETTINGS
from tests.people import PASSWORD, Browser, new_couple, signed_in
from tests.relay.client import RelayClient

pytestmark = pytest.mark.server

NAMESPACES = ("/couple", "/dialogue")
RELAY = "relay"  # the agreements document's connection, beside the namespaces
SCENARIOS = ("logout", "password change", "unlink", "account deletion")


@pytest.fixture(scope="module")
def revocation_server(migrated_db, tmp_path_factory):
    """A real gunicorn/gevent server and a relay with one linked couple per scenario.

    Yields (server, relay, {scenario: document id}).
    """
    from app import create_app
    from extensions import db
    from tests.agreements.writing import new_document
    from tests.servers import Relay, Server, sqlite_copy

    folder = tmp_path_factory.mktemp("revocation")
    url = sqlite_copy(migrated_db, folder)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    documents = {}
    with app.app_context():
        for n, scenario in enumerate(SCENARIOS):
            couple, _, _ = new_couple(tag=str(n))
            documents[scenario] = new_document(couple).id
        db.engine.dispose()
    server = Server(folder, url).start()
    relay = Relay(folder, url, server.url).start()  # it reads the sessions again every RELAY_RECHECK_SECONDS (0.5)
    try:
        yield server, relay, documents
    finally:
        relay.stop()
        server.stop()


class Socket:
    """One msgpack Socket.IO client on one namespace that notes when the server closes it."""

    def __init__(self, server, cookie: str, namespace: str):
        self.namespace = namespace
        self.closed = threading.Event()
        self.closed_at = None
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.sio.on("disconnect", self._on_disconnect, namespace=namespace)
        self.sio.connect(server.url, headers={"Cookie": cookie}, namespaces=[namespace], transports=["websocket"],
                         wait_timeout=5)

    def _on_disconnect(self, *reason):
        self.closed_at = time.monotonic()
        self.closed.set()

    def call(self, event: str, data):
        return self.sio.call(event, data, namespace=self.namespace, timeout=5)

    def close(self):
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001 - already closed by the server
            pass


class RelaySocket:
    """One relay connection to a document that notes when the relay closes it."""

    namespace = RELAY

    def __init__(self, relay, server, cookie: str, document_id: int):
        self.client = RelayClient(relay.url, document_id, cookie, server.url)
        assert self.client.wait(lambda: self.client.server_step1 > 0)  # admitted
        self.closed = threading.Event()
        self.closed_at = None
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        if self.client.wait_closed(timeout=60) is not None:
            self.closed_at = time.monotonic()
            self.closed.set()

    def close(self):
        self.client.close()


def _post_form(browser: Browser, page: str, url: str, data: dict) -> int:
    """Post a form as the browser does, with the CSRF token of page (under each form's prefix)."""
    token = browser.token(page)
    tokens = {f"{prefix}csrf_token": token for prefix in ("", "pw-", "del-")}  # one token, whatever the form prefix
    return browser.post(url, {**data, **tokens}).status_code


def _action(scenario: str, server, n: int, bob: Browser) -> tuple[Browser, str, str, dict]:
    """(browser, form page, url, data) of the scenario, done from another browser (logout: another tab)."""
    new = "a much longer passphrase 4711"
    if scenario == "logout":
        return bob, "/account", "/logout", {}
    if scenario == "unlink":
        return signed_in(f"alice{n}@example.org", url=server.url), "/unlink", "/unlink", {"confirm": "y"}
    other = signed_in(f"bob{n}@example.org", url=server.url)
    if scenario == "password change":
        return other, "/account", "/account/password", {"pw-current": PASSWORD, "pw-password": new, "pw-confirm": new}
    return other, "/account", "/account/delete", {"del-password": PASSWORD, "del-confirm": "y"}


def _relay_refused(relay, server, cookie: str, document_id: int) -> int | None:
    """The code a new relay connection is closed with (None: let in)."""
    client = RelayClient(relay.url, document_id, cookie, server.url)
    try:
        if client.wait(lambda: len(client.doc.get_update()) > 100):  # the relay's step 2: the document
            return None
        return client.closed.rcvd.code
    finally:
        client.close()


def _refused(server, cookie: str, namespace: str) -> bool:
    try:
        Socket(server, cookie, namespace).close()
    except socketio.exceptions.ConnectionError:
        return True
    return False


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_sockets_of_a_revoked_partner_close_within_a_second(scenario, revocation_server):
    server, relay, documents = revocation_server
    n = SCENARIOS.index(scenario)
    bob = signed_in(f"bob{n}@example.org", url=server.url)
    cookie = bob.cookie
    sockets = [Socket(server, cookie, namespace) for namespace in NAMESPACES]
    try:
        sockets.append(RelaySocket(relay, server, cookie, documents[scenario]))
        action = _action(scenario, server, n, bob)
        started = time.monotonic()  # from the form's GET to the last socket closed: what a person would wait
        assert _post_form(*action) == 302
        for socket in sockets:
            assert socket.closed.wait(2), f"{socket.namespace} still open after {scenario}"
        times = {socket.namespace: socket.closed_at - started for socket in sockets}
        print(f"\n{scenario}: sockets closed after " + ", ".join(f"{ns} {t * 1000:.0f} ms" for ns, t in times.items()))
        assert max(times.values()) < 1.0
        for socket in sockets[:-1]:
            with pytest.raises(socketio.exceptions.SocketIOError):
                socket.call("join", {"doc": documents[scenario]})
        relay_closed = sockets[-1].client.closed.rcvd.code
        if scenario == "unlink":
            assert _refused(server, cookie, "/dialogue")  # no longer linked: the dialogue room is shut
            assert relay_closed == gate.ARCHIVED
            assert _relay_refused(relay, server, cookie, documents[scenario]) is None  # the archive stays readable
        else:
            assert all(_refused(server, cookie, namespace) for namespace in NAMESPACES)  # the session is over
            assert relay_closed == gate.SIGNED_OUT
            assert _relay_refused(relay, server, cookie, documents[scenario]) == gate.SIGNED_OUT
    finally:
        for socket in sockets:
            socket.close()
