"""Shared fixtures: a fresh app per test on a migrated SQLite file, users, couples, sockets."""
from __future__ import annotations

import contextvars
from datetime import datetime, timedelta, timezone
import itertools
from pathlib import Path
import shutil

from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_socketio.test_client import SocketIOTestClient
import pytest

from app import create_app
from extensions import db, socketio
from tests.people import PASSWORD, new_couple, new_person, signed_in

ROOT = Path(__file__).resolve().parent.parent

# What the unit and request tests change in the real configuration: fast hashing, threading sockets, no rate
# limits by default. create_app(mapping) lays a mapping over the real settings, so a test asks for these itself:
# create_app({**TEST_SETTINGS, ...}).
TEST_SETTINGS = {
    "TESTING": True,
    "PRODUCTION": False,
    "SECRET_KEY": "test-secret-key",
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_SECURE": False,
    "DEVICE_COOKIE_NAME": "device",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 8,
    "RATELIMIT_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "SOCKETIO_ASYNC_MODE": "threading",
    "SOCKETIO_MESSAGE_QUEUE": None,
    "AGREEMENTS_SHARED_LOG": False,
    # Flask-SocketIO's test client speaks only the default serializer; real-server tests cover msgpack.
    "SOCKETIO_SERIALIZER": "default",
    "QUICK_EXIT_URL": "about:blank",
    # Departures are told at once unless a test is about the grace.
    "PRESENCE_GRACE_SECONDS": 0,
}


def pytest_addoption(parser):
    """--run-long runs the long batteries (make test-long); --db picks the database of the `app` fixture."""
    parser.addoption("--run-long", action="store_true", default=False, help="run tests marked long")
    parser.addoption("--db", choices=("sqlite", "postgresql"), default="sqlite",
                     help="database for service and request tests (postgresql starts a throwaway server)")


def pytest_collection_modifyitems(config, items):
    """Long batteries are deselected unless --run-long is given (they are not skipped: they are not collected)."""
    if config.getoption("--run-long"):
        return
    keep = [item for item in items if "long" not in item.keywords]
    dropped = [item for item in items if "long" in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _migrate(url: str) -> None:
    """Run every Alembic migration against a database."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """A SQLite database built once by running every Alembic migration; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server with a migrated template database (only started when a test asks)."""
    from tests.services import PostgresServer

    server = PostgresServer().start()
    server.execute("CREATE DATABASE template_app")
    _migrate(server.url("template_app"))
    yield server
    server.stop()


_databases = itertools.count(1)


@pytest.fixture
def database_url(request, migrated_db, tmp_path):
    """A fresh, migrated database for one test: a SQLite copy, or a PostgreSQL clone with --db=postgresql."""
    if request.config.getoption("--db") == "sqlite":
        path = tmp_path / "app.sqlite"
        shutil.copy(migrated_db, path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres")
    name = f"test_{next(_databases)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE template_app")
    yield server.url(name)
    server.execute(f"DROP DATABASE {name} WITH (FORCE)")


class Clock:
    """A clock tests can move: app.config["NOW"] reads it."""

    def __init__(self):
        self.at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        """Move time forward (keyword arguments of timedelta)."""
        self.at += timedelta(**delta)


def _isolated(method):
    """Run a client call in an empty context, as production does: no app context, `g` or db session of the test."""

    def call(self, *args, **kwargs):
        return contextvars.Context().run(method, self, *args, **kwargs)

    call.__name__ = method.__name__
    return call


class IsolatedClient(FlaskClient):
    """A Flask test client whose requests never share `g` (logged-in user, CSRF token) with the test's context."""

    open = _isolated(FlaskClient.open)


class IsolatedSocketClient(SocketIOTestClient):
    """A Socket.IO test client whose events run in their own contexts, like requests."""

    connect = _isolated(SocketIOTestClient.connect)
    disconnect = _isolated(SocketIOTestClient.disconnect)
    emit = _isolated(SocketIOTestClient.emit)
    send = _isolated(SocketIOTestClient.send)
    get_received = _isolated(SocketIOTestClient.get_received)


@pytest.fixture
def clock() -> Clock:
    """The injected clock of the test app."""
    return Clock()


@pytest.fixture
def app(database_url, clock):
    """A fresh app on its own migrated database."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, "NOW": clock})
    app.test_client_class = IsolatedClient
    ctx = app.app_context()
    ctx.push()
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def client(app):
    """A Flask test client (cookies kept between requests)."""
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Factory: make_user(name="Alice Moreau", email=None, password=PASSWORD) -> User (tests.people.new_person)."""
    return new_person


@pytest.fixture
def login(app):
    """login(client, user, password=PASSWORD) signs a test client in through the real form; returns its Browser."""
    return lambda client, user, password=PASSWORD: signed_in(user.email, password, client=client)


@pytest.fixture
def linked_couple(app):
    """Factory: linked_couple(a="Alice Moreau", b="Bob Lindqvist") -> (couple, a, b), already linked."""
    return lambda a="Alice Moreau", b="Bob Lindqvist": new_couple(a, b)


@pytest.fixture
def socket_client(app):
    """Factory: socket_client(namespace, flask_client) -> a Socket.IO test client sharing the HTTP session."""
    made = []

    def make(namespace: str, flask_client, **kwargs):
        client = IsolatedSocketClient(app, socketio, namespace=namespace, flask_test_client=flask_client, **kwargs)
        made.append((client, namespace))
        return client

    yield make
    for client, namespace in made:
        if client.is_connected(namespace):
            client.disconnect(namespace=namespace)
