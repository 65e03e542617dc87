"""Two app and two relay processes sharing a real PostgreSQL and Redis, couples made in that database, real
socket clients: Socket.IO on the app processes (/couple, /dialogue), plain WebSockets on the relays (documents)."""
from __future__ import annotations

import re
import threading
import time

import pytest
import socketio

from agreements.shape import agreement_text
from relay import messages
from tests.conftest import TEST_SETTINGS
from tests.people import Browser, new_couple, signed_in
from tests.relay.client import RelayClient
from tests.relay.test_relay import synced
from tests.services import cluster

# Per-address limits are wide (every test logs in from 127.0.0.1); the per-account one keeps its default.
CLUSTER_ENV = {"RATELIMIT_ENABLED": "1", "LOGIN_LIMIT_PER_ADDRESS": "1000 per 5 minutes",
               "LOGIN_LIMIT_PER_ACCOUNT": "6 per 5 minutes"}


def pytest_collection_modifyitems(items):
    """Everything under tests/scale starts real servers."""
    for item in items:
        if "/scale/" in str(item.fspath):
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def processes(tmp_path_factory):
    """Two gunicorn + gevent processes (A and B) on one PostgreSQL, sharing rooms and rate limits through Redis,
    and two relay processes; each document's pages name one relay, by the document's id."""
    with cluster([None, None], tmp_path_factory.mktemp("cluster"), CLUSTER_ENV) as (database_url, _, servers,
                                                                                   relays):
        yield database_url, servers, relays


@pytest.fixture(scope="session")
def setup_app(processes):
    """An app on the cluster's database, used by the tests to make people and couples directly."""
    from app import create_app
    from extensions import db

    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": processes[0]})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def a(processes):
    """The URL of process A."""
    return processes[1][0].url


@pytest.fixture
def b(processes):
    """The URL of process B."""
    return processes[1][1].url


@pytest.fixture
def relay_urls(processes):
    """The two relays' URLs, in the order the app processes number them."""
    return [relay.url for relay in processes[2]]


class Couple:
    """A linked couple in the cluster's database: its id, its first document and both partners' emails."""

    def __init__(self, couple_id: int, document_id: int, alice: str, bob: str):
        self.id, self.document_id, self.alice, self.bob = couple_id, document_id, alice, bob


def new_scale_couple(setup_app) -> Couple:
    """A freshly linked Couple in the app's database (Alice Moreau and Bob Lindqvist, new emails each time)."""
    from extensions import db
    from tests.agreements.writing import new_document

    with setup_app.app_context():
        couple, alice, bob = new_couple()
        made = Couple(couple.id, new_document(couple).id, alice.email, bob.email)
        db.session.remove()
    return made


@pytest.fixture
def make_couple(setup_app):
    """make_couple() -> a freshly linked Couple."""
    return lambda: new_scale_couple(setup_app)


def relay_url_of(signed_in: Browser, document_id: int) -> str:
    """The relay address the document's page on this browser's process names (`data-relay-url`)."""
    page = signed_in.get(f"/agreements/{document_id}")
    assert page.status_code == 200, page.status_code
    return re.search(r'data-relay-url="([^"]+)"', page.text).group(1)


@pytest.fixture
def browser():
    """browser(url, email) -> a Browser signed in on that process."""
    return lambda url, email: signed_in(email, url=url)


class Partner(RelayClient):
    """A partner's document page on one app process, live through the relay that page names for its document.

    The relay address is read from the page (`data-relay-url`), as the browser reads it; `relay_url` connects
    to a given relay instead (a page served before the relays were re-routed).
    """

    def __init__(self, signed_in: Browser, document_id: int, relay_url: str | None = None):
        self.relay_url = relay_url or relay_url_of(signed_in, document_id)
        self.states = 0  # `states` messages heard (the signatures changed)
        super().__init__(self.relay_url, document_id, signed_in.cookie, origin=signed_in.url)
        assert synced(self), "the relay's step 2 did not arrive"

    def _handle(self, data: bytes) -> None:
        if data[:1] == bytes([messages.STATES]):
            with self.changed:
                self.states += 1
                self.changed.notify_all()
            return
        super()._handle(data)

    def answer(self, index: int) -> str:
        """"ok" once update `index` is committed, else the code it was refused with."""
        assert self.wait(lambda: self.committed >= index or any(i == index for i, *_ in self.refusals)), index
        return next((code for i, code, _ in self.refusals if i == index), "ok")

    def text_of(self, item_id: str) -> str | None:
        """The agreement's text in this client's document (read while the reader thread is not applying)."""
        with self.changed:
            return agreement_text(self.doc, item_id)

    def shows(self, item_id: str, text: str, timeout: float = 5.0) -> float | None:
        """Wait until the agreement reads `text` here; return when (time.monotonic()), or None."""
        return time.monotonic() if self.wait(lambda: agreement_text(self.doc, item_id) == text, timeout) else None

    def wait_gone(self, timeout: float) -> bool:
        """Whether the relay closed this connection within timeout seconds."""
        return self.wait_closed(timeout) is not None


class CoupleSocket:
    """A page's Socket.IO connection to its app process on /couple (msgpack, WebSocket), noting when it ends."""

    def __init__(self, signed_in: Browser):
        self.gone = threading.Event()
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.sio.on("disconnect", lambda *args: self.gone.set(), namespace="/couple")
        self.sio.connect(signed_in.url, namespaces=["/couple"], transports=["websocket"],
                         headers={"Cookie": signed_in.cookie}, wait_timeout=10)  # websocket-client sends Origin

    def wait_gone(self, timeout: float) -> bool:
        """Whether the app closed this socket within timeout seconds."""
        return self.gone.wait(timeout)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def partner():
    """partner(browser, document_id, relay_url=None) -> a synced Partner; all are closed after the test."""
    made: list = []

    def make(signed_in: Browser, document_id: int, relay_url: str | None = None) -> Partner:
        made.append(Partner(signed_in, document_id, relay_url))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def couple_socket():
    """couple_socket(browser) -> a CoupleSocket on that browser's process; all are closed after the test."""
    made: list[CoupleSocket] = []

    def make(signed_in: Browser) -> CoupleSocket:
        made.append(CoupleSocket(signed_in))
        return made[-1]

    yield make
    for socket in made:
        socket.close()
