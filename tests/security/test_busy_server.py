"""No request holds everyone else up: while the one gevent process hashes passwords or compares long
versions, an unrelated request to the same process is still answered.

Generous bounds: a regression guard against work that stops the event loop, not a benchmark.
"""
from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.conftest import TEST_SETTINGS
from tests.people import PASSWORD, Browser, new_couple, new_person, signed_in

pytestmark = pytest.mark.server

# A real argon2id cost (the production default is 3 passes over 64 MiB; more passes make each sign-in
# long enough that a blocked loop could not go unnoticed).
COSTLY = {"ARGON2_TIME_COST": 6, "ARGON2_MEMORY_KIB": 64 * 1024}
SIGN_INS = 6
# Repetitive texts are the slowest to compare word by word: "we we we ..." against "we us we us ...".
AGREEMENTS = 5
OLD_TEXT, NEW_TEXT = "we " * 400, "we us " * 200
ANSWERED_WITHIN = 2.0  # seconds; a hashing or comparing loop kept it waiting for many seconds
# A document at the shape's bounds (every section full) within the size a document may have: ten thousand
# agreements of many short lines, the most an export or the printable page has to write out.
LINE, LINES = "we rest ", 12
AGREEMENT_TEXT = "\n".join([LINE] * LINES)
ANSWERED_MEANWHILE = 5  # unrelated requests answered one after another while one such export is written


@pytest.fixture(scope="module")
def busy_world(migrated_db, tmp_path_factory):
    """A real gunicorn/gevent server with costly password hashes and a document with two long versions."""
    from agreements import history
    from app import create_app
    from extensions import db
    from tests.agreements.writing import add_agreement, new_document, set_text
    from tests.servers import Server, sqlite_copy

    folder = tmp_path_factory.mktemp("busy")
    url = sqlite_copy(migrated_db, folder)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **COSTLY})
    with app.app_context():
        couple, alice, bob = new_couple(tag=".busy")
        document = new_document(couple)
        items = [add_agreement(document, OLD_TEXT, author=alice) for _ in range(AGREEMENTS)]
        old = history.take_version(document, history.PAUSE)
        for item in items:
            set_text(document, item, NEW_TEXT, author=bob)
        compare_path = f"/agreements/{document.id}/compare?old={old.id}&new=now"
        whole = _maximal_document(couple)
        db.engine.dispose()
    server = Server(folder, url, env={key: str(value) for key, value in COSTLY.items()}).start()
    try:
        yield server, compare_path, whole
    finally:
        server.stop()


def _maximal_document(couple):
    """A document with as many sections and agreements as the shape allows; its id."""
    from pycrdt import Map, Text

    from agreements import rooms, service, shape

    document = service.create_document(couple, "Everything we said", [(f"Part {n}", "") for n in range(shape.MAX_SECTIONS)])
    for section in range(shape.MAX_SECTIONS):
        def fill(doc, section=section):
            items = list(shape.sections(doc))[section]["items"]
            for _ in range(shape.MAX_ITEMS):
                items.append(Map({"id": shape.new_id(), "text": Text(AGREEMENT_TEXT)}))

        rooms.edit(document.id, couple.id, fill, None)
    return document.id


@pytest.fixture(scope="module")
def crowded_server(migrated_db, tmp_path_factory):
    """A real server with costly password hashes that lets no password check wait for a hashing thread."""
    from app import create_app
    from extensions import db
    from tests.servers import Server, sqlite_copy

    folder = tmp_path_factory.mktemp("crowded")
    url = sqlite_copy(migrated_db, folder)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **COSTLY})
    with app.app_context():
        new_person("Erin Castillo", "erin.busy@example.org")
        db.engine.dispose()
    env = {"PASSWORD_QUEUE_MAX": "0", **{key: str(value) for key, value in COSTLY.items()}}
    server = Server(folder, url, env=env).start()
    try:
        yield server
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
    server, _, _ = busy_world
    tries = []
    for _ in range(SIGN_INS):
        browser = Browser(url=server.url)
        tries.append((browser, browser.token("/login")))

    def sign_in(browser, token):
        return browser.post("/login", {"email": "alice.busy@example.org", "password": PASSWORD, "csrf_token": token},
                            timeout=120)

    running = [_in_background(lambda s=s, t=t: sign_in(s, t).status_code) for s, t in tries]
    time.sleep(0.3)  # the sign-ins are being hashed now
    waited = _answer_time(server)
    for thread, _ in running:
        thread.join(timeout=120)
    assert [results for _, results in running] == [[302]] * SIGN_INS
    assert waited < ANSWERED_WITHIN, f"GET /login waited {waited:.1f}s behind {SIGN_INS} sign-ins"


def test_sign_ins_beyond_the_queue_bound_are_refused_calmly_and_lock_no_one_out(crowded_server):
    import workers

    server = crowded_server
    tries = []
    for _ in range(workers.THREADS + 4):  # more at once than the server's hashing threads
        browser = Browser(url=server.url)
        tries.append((browser, browser.token("/login")))

    def sign_in(browser, token):
        return browser.post("/login", {"email": "erin.busy@example.org", "password": PASSWORD, "csrf_token": token},
                            timeout=120)

    running = [_in_background(lambda s=s, t=t: sign_in(s, t)) for s, t in tries]
    for thread, _ in running:
        thread.join(timeout=120)
    answers = [answer for _, results in running for answer in results]
    assert len(answers) == len(tries)
    refused = [answer for answer in answers if answer.status_code == 503]
    assert refused and len(refused) < len(answers), sorted(answer.status_code for answer in answers)
    assert {answer.status_code for answer in answers} == {302, 503}
    for answer in refused:
        assert answer.headers["Retry-After"] == "5"
        assert "Many people are signing in right now. Please try again in a moment." in answer.text
    # Refused, never counted: one after another, more sign-ins than her budget of wrong passwords all get in.
    for _ in range(8):
        signed_in("erin.busy@example.org", url=server.url)


def test_a_page_is_answered_while_two_long_versions_are_compared(busy_world):
    server, compare_path, _ = busy_world
    alice = signed_in("alice.busy@example.org", url=server.url)
    thread, results = _in_background(lambda: alice.get(compare_path, timeout=120))
    time.sleep(0.3)  # the comparison is under way
    waited = _answer_time(server)
    thread.join(timeout=120)
    [page] = results
    assert page.status_code == 200 and "<ins>" in page.text
    assert waited < ANSWERED_WITHIN, f"GET /login waited {waited:.1f}s behind one comparison"


@pytest.mark.parametrize("page", ["export.md", "print"])
def test_a_page_is_answered_while_a_whole_document_is_exported(busy_world, page):
    server, _, whole = busy_world
    alice = signed_in("alice.busy@example.org", url=server.url)
    thread, results = _in_background(lambda: alice.get(f"/agreements/{whole}/{page}", timeout=120))
    waits = []
    time.sleep(0.1)
    while thread.is_alive():  # ask again and again while the export is written
        waits.append(_answer_time(server))
    thread.join(timeout=120)
    [answer] = results
    assert answer.status_code == 200
    assert answer.text.count(LINE.strip()) == shape_bounds() * LINES  # every agreement, written out whole
    # Written on the loop, the export holds every other request until it is done: the first one asked
    # is answered only at the end, and nothing else is asked meanwhile (1 or 2 here, at any load).
    assert len(waits) >= ANSWERED_MEANWHILE, f"only {len(waits)} other requests answered while the {page} was written"
    assert max(waits) < ANSWERED_WITHIN, f"GET /login waited {max(waits):.1f}s behind one {page}"


def test_the_live_page_and_its_states_are_worded_for_the_reader_off_the_loop(busy_world):
    server, _, whole = busy_world
    alice = signed_in("alice.busy@example.org", url=server.url)
    page = alice.get(f"/agreements/{whole}", timeout=120)
    states = alice.get(f"/agreements/{whole}/states", timeout=120)
    home = alice.get("/", timeout=120)
    assert (page.status_code, states.status_code, home.status_code) == (200, 200, 200)
    assert len(states.json()["items"]) == shape_bounds()
    assert {item["label"] for item in states.json()["items"].values()} == {"Draft"}


def shape_bounds() -> int:
    """How many agreements a document may hold at most."""
    from agreements import shape

    return shape.MAX_SECTIONS * shape.MAX_ITEMS


def test_a_comparison_past_its_deadline_still_shows_both_versions_exactly():
    from agreements.history import diff_words

    pieces = diff_words(OLD_TEXT + "and then some", NEW_TEXT + "and then more", deadline=time.time())
    assert "".join(text for op, text in pieces if op != "ins") == OLD_TEXT + "and then some"
    assert "".join(text for op, text in pieces if op != "del") == NEW_TEXT + "and then more"
    assert ("same", "we ") in pieces[:1]  # what both share at the start is still found, cheaply
