"""Fixtures for the agreements document: a couple's document, and partners syncing it over sockets."""
from __future__ import annotations

from pycrdt import Doc
import pytest

from agreements import store
from agreements.shape import agreement_text, items, sections
from tests.agreements.wire import NAMESPACE, YClient
from tests.agreements.writing import add_agreement, new_document
from tests.conftest import TEST_SETTINGS
from tests.people import new_couple, signed_in


@pytest.fixture
def first_document(app):
    """first_document(couple) -> the document the couple got when it linked."""

    return new_document


def stored_doc(document_id: int) -> Doc:
    """The document as its update log holds it."""
    doc, _, _ = store.load(document_id)
    return doc


def stored_text(document_id: int, item_id: str) -> str | None:
    """An agreement's text as the update log holds it."""
    return agreement_text(stored_doc(document_id), item_id)


class TestPartner(YClient):
    """A partner's pycrdt client over the Socket.IO test client (events handled in order, in this thread)."""

    __test__ = False

    def __init__(self, socket):
        self.socket = socket
        super().__init__(lambda event, *args: socket.emit(event, *args, namespace=NAMESPACE, callback=True))

    def pump(self) -> list[dict]:
        """Handle every event the server sent; return the `error` events among them."""
        errors = []
        while True:
            received = self.socket.get_received(NAMESPACE)
            if not received:
                return errors
            for event in received:
                if event["name"] == "yjs":
                    self.receive(*event["args"])
                elif event["name"] == "error":
                    errors.append(event["args"][0])

    def received(self) -> list[dict]:
        """The raw events the server sent since the last pump (without handling them)."""
        return self.socket.get_received(NAMESPACE)


@pytest.fixture
def partner(app, login, socket_client):
    """partner(user) -> a TestPartner signed in as user, connected to /agreements (not joined yet)."""

    def make(user) -> TestPartner:
        flask_client = app.test_client()
        login(flask_client, user)
        return TestPartner(socket_client(NAMESPACE, flask_client))

    return make


@pytest.fixture
def agreement(app, linked_couple, first_document, partner):
    """A linked couple's document with one agreement, and both partners joined and synced.

    Returns an object with couple, alice, bob, document, item_id, a (Alice's client), b (Bob's).
    """
    couple, alice, bob = linked_couple()
    document = first_document(couple)
    item_id = add_agreement(document)

    class Setup:
        pass

    setup = Setup()
    setup.couple, setup.alice, setup.bob, setup.document, setup.item_id = couple, alice, bob, document, item_id
    setup.a, setup.b = partner(alice), partner(bob)
    for client in (setup.a, setup.b):
        assert client.join(document.id) == {"ok": True}
        client.pump()
    return setup


def first_items(doc: Doc) -> list[str]:
    """Ids of the agreements in the first section."""
    return [item["id"] for item in items(next(sections(doc)))]


class World:
    """A couple with its document on a database file shared with a real server process."""

    def __init__(self, app, server, couple, alice, bob, document):
        self.app, self.server, self.couple, self.alice, self.bob, self.document = (
            app, server, couple, alice, bob, document)
        self.cookies = {}

    def cookie(self, user) -> str:
        """The session cookie of user, signed in once per world."""
        if user.email not in self.cookies:
            self.cookies[user.email] = signed_in(user.email, url=self.server.url).cookie
        return self.cookies[user.email]

    def new_agreement(self) -> str:
        """Add an empty agreement to the document; return its id."""
        with self.app.app_context():
            return add_agreement(self.document)

    def stored_text(self, item_id: str) -> str | None:
        """An agreement's text as the server's database holds it."""
        with self.app.app_context():
            return stored_text(self.document.id, item_id)


@pytest.fixture(scope="module")
def live_world(migrated_db, tmp_path_factory):
    """A real gunicorn/gevent server on a free port, and Alice and Bob's document in its database."""
    from app import create_app
    from extensions import db
    from tests.servers import Server, sqlite_copy

    folder = tmp_path_factory.mktemp("live")
    url = sqlite_copy(migrated_db, folder)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        couple, alice, bob = new_couple(tag=".live")
        document = new_document(couple)
        db.session.expunge_all()
    # These clients type flat out to test convergence, far past the per-socket event rate a person reaches
    # (tests/security/test_limits.py tests that limit): lift it here.
    server = Server(folder, url, env={"SOCKET_EVENTS_PER_SECOND": "100000", "SOCKET_EVENTS_BURST": "100000",
                                   # the traces replayed here are each one long text, typed into one agreement
                                   "AGREEMENTS_MAX_AGREEMENT_CHARS": "1000000"}).start()
    try:
        yield World(app, server, couple, alice, bob, document)
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
