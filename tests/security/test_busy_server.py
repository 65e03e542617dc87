"""No request holds everyone else up: while the one gevent process hashes passwords or compares long
versions, an unrelated request to the same process is still answered.

Generous bounds: a regression guard against work that stops the event loop, not a benchmark.
"""
from __future__ import annotations

import threading
import time

import pytest
import requests
from sqlalchemy import select

from tests.agreements.live_server import browser, csrf_token
from tests.conftest import PASSWORD, TEST_SETTINGS

pytestmark = pytest.mark.server

# A real argon2id cost (the production default is 3 passes over 64 MiB; more passes make each sign-in
# long enough that a blocked loop could not go unnoticed).
COSTLY = {"ARGON2_TIME_COST": 6, "ARGON2_MEMORY_KIB": 64 * 1024}
SIGN_INS = 6
# Repetitive texts are the slowest to compare word by word: "we we we ..." against "we us we us ...".
AGREEMENTS = 5
OLD_TEXT, NEW_TEXT = "we " * 400, "we us " * 200
ANSWERED_WITHIN = 2.0  # seconds; a hashing or comparing loop kept it waiting for many seconds


@pytest.fixture(scope="module")
def busy_world(migrated_db, tmp_path_factory):
    """A real gunicorn/gevent server with costly password hashes and a document with two long versions."""
    from agreements import history
    from agreements.models import AgreementDocument
    from app import create_app
    from couples import accounts, linking
    from extensions import db
    from tests.agreements.writing import add_agreement, set_text
    from tests.servers import Server, sqlite_copy

    folder = tmp_path_factory.mktemp("busy")
    url = sqlite_copy(migrated_db, folder)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **COSTLY})
    with app.app_context():
        alice = accounts.sign_up("alice.busy@example.org", "Alice Moreau", PASSWORD)
        bob = accounts.sign_up("bob.busy@example.org", "Bob Lindqvist", PASSWORD)
        couple = linking.join(linking.invite(alice), bob)
        document = db.session.scalar(select(AgreementDocument).where(AgreementDocument.couple_id == couple.id))
        items = [add_agreement(document, OLD_TEXT, author=alice) for _ in range(AGREEMENTS)]
        old = history.take_version(document, history.PAUSE)
        for item in items:
            set_text(document, item, NEW_TEXT, author=bob)
        compare_path = f"/agreements/{document.id}/compare?old={old.id}&new=now"
        db.engine.dispose()
    server = Server(folder, url, env={key: str(value) for key, value in COSTLY.items()}).start()
    try:
        yield server, compare_path
    finally:
        server.stop()


def _answer_time(server) -> float:
    """Seconds an anonymous GET /login takes to be answered (it must be answered at all)."""
    started = time.monotonic()
    assert requests.get(f"{server.url}/login", timeout=120).status_code == 200
    return time.monotonic() - started


def _in_background(work) -> tuple[threading.Thread, list]:
    """Start work() in a thread; its result lands in the returned list."""
    results: list = []
    thread = threading.Thread(target=lambda: results.append(work()), daemon=True)
    thread.start()
    return thread, results


def test_a_page_is_answered_while_people_sign_in(busy_world):
    server, _ = busy_world
    tries = []
    for _ in range(SIGN_INS):
        session = requests.Session()
        tries.append((session, csrf_token(session.get(f"{server.url}/login").text)))

    def sign_in(session, token):
        return session.post(f"{server.url}/login", allow_redirects=False, timeout=120,
                            data={"email": "alice.busy@example.org", "password": PASSWORD, "csrf_token": token})

    running = [_in_background(lambda s=s, t=t: sign_in(s, t).status_code) for s, t in tries]
    time.sleep(0.3)  # the sign-ins are being hashed now
    waited = _answer_time(server)
    for thread, _ in running:
        thread.join(timeout=120)
    assert [results for _, results in running] == [[302]] * SIGN_INS
    assert waited < ANSWERED_WITHIN, f"GET /login waited {waited:.1f}s behind {SIGN_INS} sign-ins"


def test_a_page_is_answered_while_two_long_versions_are_compared(busy_world):
    server, compare_path = busy_world
    alice = browser(server, "alice.busy@example.org", PASSWORD)
    thread, results = _in_background(lambda: alice.get(server.url + compare_path, timeout=120))
    time.sleep(0.3)  # the comparison is under way
    waited = _answer_time(server)
    thread.join(timeout=120)
    [page] = results
    assert page.status_code == 200 and "<ins>" in page.text
    assert waited < ANSWERED_WITHIN, f"GET /login waited {waited:.1f}s behind one comparison"


def test_a_comparison_past_its_deadline_still_shows_both_versions_exactly():
    from agreements.history import diff_words

    pieces = diff_words(OLD_TEXT + "and then some", NEW_TEXT + "and then more", deadline=time.time())
    assert "".join(text for op, text in pieces if op != "ins") == OLD_TEXT + "and then some"
    assert "".join(text for op, text in pieces if op != "del") == NEW_TEXT + "and then more"
    assert ("same", "we ") in pieces[:1]  # what both share at the start is still found, cheaply
