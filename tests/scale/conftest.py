"""Two app processes sharing a real PostgreSQL and Redis, couples made in that database, real socket clients."""
from __future__ import annotations

import itertools
import queue
import time

import pytest
import requests
import socketio
from sqlalchemy import select

from bench.cluster import cluster
from tests.agreements.wire import NAMESPACE, YClient
from tests.conftest import PASSWORD, TEST_SETTINGS, csrf_from

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
    """Two gunicorn + gevent processes (A and B) on one PostgreSQL, sharing rooms and rate limits through Redis."""
    with cluster([None, None], tmp_path_factory.mktemp("cluster"), CLUSTER_ENV) as (database_url, _, servers):
        yield database_url, servers


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


_people = itertools.count(1)


class Couple:
    """A linked couple in the cluster's database: its id, its first document and both partners' emails."""

    def __init__(self, couple_id: int, document_id: int, alice: str, bob: str):
        self.id, self.document_id, self.alice, self.bob = couple_id, document_id, alice, bob


@pytest.fixture
def make_couple(setup_app):
    """make_couple() -> a freshly linked Couple (Alice Moreau and Bob Lindqvist, new emails each time)."""
    from agreements.models import AgreementDocument
    from couples import accounts, linking
    from extensions import db

    def make() -> Couple:
        n = next(_people)
        with setup_app.app_context():
            alice = accounts.sign_up(f"alice.scale{n}@example.org", "Alice Moreau", PASSWORD)
            bob = accounts.sign_up(f"bob.scale{n}@example.org", "Bob Lindqvist", PASSWORD)
            couple = linking.join(linking.invite(alice), bob)
            document_id = db.session.scalar(
                select(AgreementDocument.id).where(AgreementDocument.couple_id == couple.id))
            made = Couple(couple.id, document_id, alice.email, bob.email)
            db.session.remove()
        return made

    return make


class Browser:
    """A signed-in browser on one process: its own cookies, posting forms with their CSRF token."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()

    def post(self, path: str, data: dict, page: str = "/") -> requests.Response:
        """POST a form with a CSRF token read from `page`; redirects are not followed."""
        token = csrf_from(self.http.get(self.url + page, timeout=10).text)
        return self.http.post(self.url + path, data={"csrf_token": token, **data}, allow_redirects=False,
                              timeout=10)

    def login(self, email: str, password: str = PASSWORD) -> requests.Response:
        """Sign in through the login form."""
        return self.post("/login", {"email": email, "password": password}, page="/login")

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())


@pytest.fixture
def browser():
    """browser(url, email) -> a Browser signed in on that process."""

    def make(url: str, email: str) -> Browser:
        made = Browser(url)
        assert made.login(email).status_code == 302
        return made

    return make


class Partner(YClient):
    """A partner's pycrdt client over python-socketio (msgpack, WebSocket) against a real process.

    Received `yjs` messages wait in a queue and are handled in the test's thread by `pump`, so a
    reply to the server's step 1 is sent from there, never from the socket's reader.
    """

    def __init__(self, browser: Browser):
        self.inbox: queue.Queue = queue.Queue()
        self.disconnected_at: float | None = None
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.sio.on("yjs", lambda *args: self.inbox.put((time.monotonic(), args)), namespace=NAMESPACE)
        self.sio.on("disconnect", self._gone, namespace=NAMESPACE)
        self.sio.connect(browser.url, namespaces=[NAMESPACE], transports=["websocket"],
                         headers={"Cookie": browser.cookie}, wait_timeout=10)  # websocket-client sends Origin
        super().__init__(lambda event, *args: self.sio.call(
            event, args if len(args) > 1 else args[0], namespace=NAMESPACE, timeout=10))

    def _gone(self, *args):
        self.disconnected_at = time.monotonic()

    def pump(self, until=lambda: False, timeout: float = 5.0) -> float | None:
        """Handle received messages until `until()` holds (return when it held) or nothing comes for `timeout`."""
        while not until():
            try:
                at, args = self.inbox.get(timeout=timeout)
            except queue.Empty:
                return None
            self.receive(*args)
        return time.monotonic()

    def drain(self) -> None:
        """Handle every message received so far, without waiting for more."""
        while not self.inbox.empty():
            self.receive(*self.inbox.get()[1])

    def synced(self, document_id: int) -> "Partner":
        """Join the document and handle the server's step 2 and step 1 (both arrive before the join's ack)."""
        assert self.join(document_id) == {"ok": True}
        self.drain()
        return self

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def partner():
    """partner(browser) -> a connected Partner; all are closed after the test."""
    made: list[Partner] = []

    def make(signed_in: Browser) -> Partner:
        made.append(Partner(signed_in))
        return made[-1]

    yield make
    for client in made:
        client.close()
