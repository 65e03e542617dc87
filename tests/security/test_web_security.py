"""Web security checks: headers on every page, GET changes nothing, foreign Origins refused, sessions, throttling."""
from __future__ import annotations

import time

import pytest
import socketio

from tests.agreements.conftest import live_world  # noqa: F401  (a real server with Alice and Bob linked)
from tests.authz import World, changed_tables, fingerprint
from tests.conftest import TEST_SETTINGS
from tests.people import PASSWORD, Browser
from tests.test_authorization_matrix import CASES, worlds  # noqa: F401  (the worlds fixture)

GETS = [case for case in CASES if case.method == "GET"]
NAMESPACES = ("/couple", "/agreements", "/dialogue")


def _directives(policy: str) -> dict[str, str]:
    """A Content-Security-Policy header as {directive: sources}."""
    parts = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {part[0]: (part[1] if len(part) > 1 else "") for part in parts}


@pytest.mark.parametrize("case", GETS, ids=lambda c: f"GET {c.endpoint}")
def test_every_page_a_member_can_open_sends_the_protective_headers(case, worlds, client, login):  # noqa: F811
    world: World = worlds["member"]
    login(client, world.me)
    response = client.get(case.url(world))
    policy = response.headers.get("Content-Security-Policy", "")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = _directives(policy)
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin", "strict-origin")
    assert response.headers["Cache-Control"] == "no-store"


# A GET may note that its own login session is still in use (for the idle sign-out), nothing else.
OWN_ACTIVITY = ("login_session",)


@pytest.mark.parametrize("role", ("member", "former"))
@pytest.mark.parametrize("case", GETS, ids=lambda c: f"GET {c.endpoint}")
def test_no_get_request_changes_any_row(case, role, worlds, client, login, clock):  # noqa: F811
    """Every row of every table is the same after any GET, even with unsaved history waiting: written since the
    last version and quiet for longer than the pause, so a GET that took versions would take one here."""
    from agreements.models import AgreementDocument
    from extensions import db
    from tests.agreements.writing import add_agreement

    world: World = worlds[role]
    add_agreement(db.session.get(AgreementDocument, world.ids["agreement_doc"]), "We call before we visit.",
                  author=world.partner)
    clock.advance(hours=1)
    login(client, world.me)
    before = fingerprint(skip=OWN_ACTIVITY)
    assert client.get(case.url(world)).status_code in case.expected(role)
    assert not changed_tables(before, fingerprint(skip=OWN_ACTIVITY)), f"GET {case.url(world)} as {role} wrote"


def test_login_gives_a_new_session_and_drops_what_the_old_one_held(client, make_user):
    from couples.models import LoginSession
    from extensions import db

    user = make_user()
    ids = []
    for _ in range(2):
        with client.session_transaction() as session:
            session["planted"] = "by someone else"
        browser = Browser(client)
        assert browser.post("/login", {"email": user.email, "password": PASSWORD}, page="/login").status_code == 302
        with client.session_transaction() as session:
            assert "planted" not in session
            ids.append(session["login_session"])
        client.post("/logout", data={"csrf_token": browser.token()})
    assert ids[0] != ids[1]
    db.session.expire_all()
    assert all(db.session.get(LoginSession, id).ended_at is not None for id in ids)


class LimiterClock:
    """The clock Flask-Limiter's memory storage reads, moved forward by the test instead of waiting."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def limiter_clock(monkeypatch):
    import limits.storage.memory
    import limits.strategies

    clock = LimiterClock()
    for module in (limits.storage.memory, limits.strategies):
        monkeypatch.setattr(module, "time", clock)
    return clock


@pytest.fixture
def throttled(migrated_db, tmp_path):
    """An app whose logins are limited to 2 per minute per account and 3 per minute per address."""
    import shutil

    from app import create_app
    from extensions import db

    path = tmp_path / "limited.sqlite"
    shutil.copy(migrated_db, path)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "RATELIMIT_ENABLED": True,
                      "LOGIN_LIMIT_PER_ACCOUNT": "2 per minute", "LOGIN_LIMIT_PER_ADDRESS": "3 per minute"})
    with app.app_context():
        from couples import accounts

        accounts.sign_up("dan@example.org", "Dan Okafor", PASSWORD)
    yield app
    with app.app_context():
        db.engine.dispose()


def _login(browser: Browser, email: str, password: str = "wrong guess", address: str = "192.0.2.1") -> int:
    return browser.post("/login", {"email": email, "password": password}, page="/login",
                        environ_base={"REMOTE_ADDR": address}).status_code


def test_login_throttle_per_account_lifts_after_the_window(throttled, limiter_clock):
    browser = Browser(throttled.test_client())
    tries = [_login(browser, "dan@example.org", address=f"192.0.2.{n}") for n in range(1, 4)]
    assert tries == [400, 400, 429]  # different addresses: the account's own limit applies
    assert _login(browser, "dan@example.org", PASSWORD, address="192.0.2.9") == 429  # even the right password waits
    limiter_clock.advance(50)
    assert _login(browser, "dan@example.org", PASSWORD, address="192.0.2.9") == 429  # still inside the minute
    limiter_clock.advance(11)
    assert _login(browser, "dan@example.org", PASSWORD, address="192.0.2.9") == 302


def test_login_throttle_per_address_lifts_after_the_window(throttled, limiter_clock):
    browser = Browser(throttled.test_client())
    tries = [_login(browser, f"guess{n}@example.org") for n in range(4)]
    assert tries == [400, 400, 400, 429]  # different accounts from one address
    other_address = Browser(throttled.test_client())
    assert _login(other_address, "dan@example.org", PASSWORD, address="198.51.100.7") == 302  # not limited
    limiter_clock.advance(50)
    assert _login(browser, "erin@example.org") == 429  # still inside the minute
    limiter_clock.advance(11)
    assert _login(browser, "erin@example.org") == 400


def _connect(server, cookie: str, namespace: str, origin: str | None) -> socketio.Client:
    """A WebSocket-only Socket.IO client whose handshake carries the given Origin, or none (and Alice's session)."""
    options = {"origin": origin} if origin else {"suppress_origin": True}
    client = socketio.Client(serializer="msgpack", reconnection=False, websocket_extra_options=options)
    client.connect(server.url, headers={"Cookie": cookie}, namespaces=[namespace],
                   transports=["websocket"], wait_timeout=5)
    return client


@pytest.mark.server
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_a_socket_handshake_from_a_foreign_origin_is_refused(namespace, live_world):  # noqa: F811
    server, cookie = live_world.server, live_world.cookie(live_world.alice)
    with pytest.raises(socketio.exceptions.ConnectionError):
        _connect(server, cookie, namespace, "https://evil.example")
    same = _connect(server, cookie, namespace, server.url)  # the same session from the site itself gets in
    try:
        assert namespace in same.namespaces
    finally:
        same.disconnect()


@pytest.mark.server
@pytest.mark.parametrize("namespace", NAMESPACES)
def test_a_socket_handshake_without_an_origin_is_refused(namespace, live_world):  # noqa: F811
    """Browsers always say where a WebSocket comes from; a handshake that does not is refused on every namespace."""
    server, cookie = live_world.server, live_world.cookie(live_world.alice)
    with pytest.raises(socketio.exceptions.ConnectionError):
        _connect(server, cookie, namespace, None)
    same = _connect(server, cookie, namespace, server.url)
    try:
        assert namespace in same.namespaces
    finally:
        same.disconnect()
