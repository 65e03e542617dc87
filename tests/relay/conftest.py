"""Fixtures for the relay: a real `python -m relay` process on each test's own database, and its partners."""
from __future__ import annotations

import pytest

from tests.agreements.conftest import first_document  # noqa: F401 - a fixture used here
from tests.agreements.writing import add_agreement
from tests.relay.client import RelayClient
from tests.servers import Relay

APP_URL = "http://127.0.0.1:5999"  # the pages' origin the relay lets in (nothing needs to listen there)


@pytest.fixture
def clock():
    """Real time: the relay process reads the same login sessions with its own clock."""
    return None


@pytest.fixture
def relay_env() -> dict:
    """Settings of the relay process (a test parametrizes this to change them)."""
    return {}


@pytest.fixture
def relay(app, database_url, tmp_path, relay_env):
    """A relay process sharing the test's database and secret key (rate limits lifted unless relay_env sets them)."""
    server = Relay(tmp_path, database_url, APP_URL, env={
        "SECRET_KEY": app.config["SECRET_KEY"], "SOCKET_EVENTS_PER_SECOND": "100000", "SOCKET_EVENTS_BURST": "100000",
        "RELAY_RECHECK_SECONDS": "0.5", **relay_env}).start()
    yield server
    server.stop()


@pytest.fixture
def signed_in(app, login):
    """signed_in(user) -> (a Browser signed in as user through the real form, the Cookie header it sends)."""

    def sign_in(user):
        client = app.test_client()
        browser = login(client, user)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        return browser, f"{cookie.key}={cookie.value}"

    return sign_in


@pytest.fixture
def cookie_of(signed_in):
    """cookie_of(user) -> the Cookie header of a browser signed in as user through the real form."""
    return lambda user: signed_in(user)[1]


@pytest.fixture
def connect(relay):
    """connect(document_id, cookie, origin=APP_URL, path=None) -> a RelayClient; all closed after the test."""
    made = []

    def open_one(document_id, cookie, origin=APP_URL, path=None) -> RelayClient:
        client = RelayClient(relay.url, document_id, cookie, origin, path)
        made.append(client)
        return client

    yield open_one
    for client in made:
        client.close()


@pytest.fixture
def couple_document(linked_couple, first_document):
    """A linked couple's first document with one empty agreement: (couple, alice, bob, document, item id)."""
    couple, alice, bob = linked_couple("Maya Okafor", "Sam Reyes")
    document = first_document(couple)
    return couple, alice, bob, document, add_agreement(document)
