"""Two app processes and two relay processes on one PostgreSQL and one Redis: nothing is lost or late between them.

Process A and process B are separate gunicorn + gevent servers; partners load their pages from different
processes, as they would behind a load balancer. Each document's pages, on either process, name the same one of
the two relays (by the document's id), so both partners meet in one relay's room.
"""
from __future__ import annotations

import queue
import random
import time

import socketio
from sqlalchemy import select

from agreements import store
from agreements.shape import agreement_text, new_id, new_item, sections
from relay import gate
from tests.people import PASSWORD, Browser
from tests.relay.test_relay import type_into
from tests.scale.conftest import relay_url_of

CUT_WITHIN = 1.0  # seconds: ARCHITECTURE.md, "disconnected within a second, on every process"


def _add_agreement(client, text: str = "") -> str:
    item_id = new_id()
    index = client.edit(lambda doc: next(sections(doc))["items"].append(new_item(text, item_id)))
    assert client.answer(index) == "ok"
    return item_id


def _type(client, item_id: str, text: str, at: int | None = None) -> str:
    """Insert text into an agreement in one local transaction; return the relay's answer ("ok" or a code)."""
    if at is None:
        at = len(client.text_of(item_id))
    return client.answer(client.edit(type_into(item_id, text, at)))


def _stored_text(setup_app, document_id: int, item_id: str) -> str | None:
    with setup_app.app_context():
        doc, _, _ = store.load(document_id)
        return agreement_text(doc, item_id)


def test_both_processes_send_a_document_to_one_relay_and_documents_spread_over_both(
        make_couple, browser, partner, relay_urls, a, b):
    couples = [make_couple() for _ in range(4)]
    on_a = [relay_url_of(browser(a, couple.alice), couple.document_id) for couple in couples]
    on_b = [relay_url_of(browser(b, couple.bob), couple.document_id) for couple in couples]

    assert on_a == on_b
    assert set(on_a) == set(relay_urls)
    for couple, relay_url in zip(couples, on_a):  # each relay serves the documents sent to it
        alice = partner(browser(a, couple.alice), couple.document_id)
        assert alice.relay_url == relay_url
        _add_agreement(alice, "We take a walk on Sundays")


def test_an_update_sent_through_a_page_of_process_a_reaches_the_partner_on_process_b(
        make_couple, browser, partner, a, b):
    couple = make_couple()
    alice = partner(browser(a, couple.alice), couple.document_id)
    bob = partner(browser(b, couple.bob), couple.document_id)
    assert alice.relay_url == bob.relay_url
    item_id = _add_agreement(alice, "We talk before we sleep")
    assert bob.shows(item_id, "We talk before we sleep")

    sent = time.monotonic()
    assert _type(alice, item_id, ", even when tired.") == "ok"
    received = bob.shows(item_id, "We talk before we sleep, even when tired.")

    assert received is not None, bob.text_of(item_id)
    print(f"sent by A's page, applied on B's page {received - sent:.3f}s later")
    assert received - sent < 1.0


def test_a_client_joining_later_gets_everything_committed_before(make_couple, browser, partner, setup_app, a, b):
    couple = make_couple()
    bob_b = browser(b, couple.bob)
    earlier = partner(bob_b, couple.document_id)  # Bob already has the document open: the relay holds its room
    alice = partner(browser(a, couple.alice), couple.document_id)
    item_id = _add_agreement(alice)
    for word in "no name calling , ever".split():
        assert _type(alice, item_id, word + " ") == "ok"

    # Every acknowledged update is committed: a new page of Bob's gets all of it.
    later = partner(bob_b, couple.document_id)

    assert later.text_of(item_id) == "no name calling , ever "
    assert _stored_text(setup_app, couple.document_id, item_id) == "no name calling , ever "
    assert earlier.shows(item_id, "no name calling , ever ")


def _typing_at_once(alice, bob, item_id: str) -> None:
    """Both partners type 150 letters each, in turns, at random places."""
    rng = random.Random(7)
    for _ in range(150):
        for client, letter in ((alice, "a"), (bob, "b")):
            length = len(client.text_of(item_id))
            assert _type(client, item_id, letter, at=rng.choice([0, length // 2, length])) == "ok"


def _converged(setup_app, couple, item_id: str, *clients) -> str:
    stored = _stored_text(setup_app, couple.document_id, item_id)
    for client in clients:
        assert client.shows(item_id, stored), (client.text_of(item_id), stored)
    return stored


def test_partners_typing_from_pages_of_two_processes_at_once_converge(make_couple, browser, partner, setup_app,
                                                                     a, b):
    couple = make_couple()
    alice = partner(browser(a, couple.alice), couple.document_id)
    bob = partner(browser(b, couple.bob), couple.document_id)
    item_id = _add_agreement(alice, "start")
    assert bob.shows(item_id, "start")

    _typing_at_once(alice, bob, item_id)

    assert len(_converged(setup_app, couple, item_id, alice, bob)) == len("start") + 300


def test_partners_on_two_relays_at_once_still_converge_through_the_log(make_couple, browser, partner, setup_app,
                                                                       relay_urls, a, b):
    # Pages loaded before the relays were re-routed may name another relay than newer ones: each relay
    # follows what the other committed to the document's log (every RELAY_RECHECK_SECONDS).
    couple = make_couple()
    alice = partner(browser(a, couple.alice), couple.document_id, relay_urls[0])
    bob = partner(browser(b, couple.bob), couple.document_id, relay_urls[1])
    item_id = _add_agreement(alice, "start")
    assert bob.shows(item_id, "start")

    _typing_at_once(alice, bob, item_id)

    assert len(_converged(setup_app, couple, item_id, alice, bob)) == len("start") + 300


def _seconds_until_closed(request, *connections, within: float = 3.0) -> list[float | None]:
    """Send `request` (it must redirect); return the seconds from its answer (the change is committed) until
    each connection was closed (0 if before), or None."""
    asked = time.monotonic()
    assert request().status_code == 302
    answered = time.monotonic()
    cut = []
    for connection in connections:
        gone = connection.wait_gone(max(0.0, answered + within - time.monotonic()))
        cut.append(max(0.0, time.monotonic() - answered) if gone else None)
    print(f"the request took {answered - asked:.3f}s; connections closed {cut} s after its answer")
    return cut


def _within(cut: list[float | None]) -> bool:
    return all(seconds is not None and seconds < CUT_WITHIN for seconds in cut)


def test_unlinking_on_process_a_closes_the_partners_connections_on_every_process_within_a_second(
        make_couple, browser, partner, couple_socket, relay_urls, a, b):
    couple = make_couple()
    alice = browser(a, couple.alice)
    bob_b = browser(b, couple.bob)
    # Bob's page on B, its /couple socket on B, and a connection of his on each relay.
    on_each_relay = [partner(bob_b, couple.document_id, url) for url in relay_urls]

    cut = _seconds_until_closed(lambda: alice.post("/unlink", {"confirm": "y"}, page="/unlink"),
                                couple_socket(bob_b), *on_each_relay)

    assert _within(cut), cut
    assert [client.closed.rcvd.code for client in on_each_relay] == [gate.ARCHIVED] * 2


def test_logging_out_on_process_a_closes_that_sessions_connections_everywhere_within_a_second(
        make_couple, browser, partner, couple_socket, relay_urls, a, b):
    couple = make_couple()
    alice = browser(a, couple.alice)
    # The same browser session: its sockets are held by process B and both relays, the logout reaches process A.
    same_session_on_b = Browser(url=b)
    same_session_on_b.client.cookies = alice.client.cookies
    on_each_relay = [partner(same_session_on_b, couple.document_id, url) for url in relay_urls]

    cut = _seconds_until_closed(lambda: alice.post("/logout", {}), couple_socket(same_session_on_b), *on_each_relay)

    assert _within(cut), cut
    assert [client.closed.rcvd.code for client in on_each_relay] == [gate.SIGNED_OUT] * 2


def test_changing_the_password_on_process_a_closes_other_sessions_connections_everywhere(
        make_couple, browser, partner, couple_socket, relay_urls, a, b):
    couple = make_couple()
    here = browser(a, couple.alice)
    elsewhere = browser(b, couple.alice)
    on_each_relay = [partner(elsewhere, couple.document_id, url) for url in relay_urls]
    stays = partner(here, couple.document_id)
    change = {"pw-current": PASSWORD, "pw-password": "a new long passphrase", "pw-confirm": "a new long passphrase"}

    cut = _seconds_until_closed(lambda: here.post("/account/password", change, page="/account"),
                                couple_socket(elsewhere), *on_each_relay)

    assert _within(cut), cut
    assert stays.closed is None


def test_deleting_the_account_on_process_a_closes_its_and_the_partners_connections_everywhere(
        make_couple, browser, partner, relay_urls, a, b):
    couple = make_couple()
    alice_a = browser(a, couple.alice)
    alice_elsewhere = browser(b, couple.alice)
    bob_b = browser(b, couple.bob)
    alices = [partner(alice_elsewhere, couple.document_id, url) for url in relay_urls]
    bobs = [partner(bob_b, couple.document_id, url) for url in relay_urls]
    deletion = {"del-password": PASSWORD, "del-confirm": "y"}

    cut = _seconds_until_closed(lambda: alice_a.post("/account/delete", deletion, page="/account"), *alices, *bobs)

    assert _within(cut), cut
    # A relay may read the couple unlinked before her sessions end: either way her page reloads, signed out.
    assert {client.closed.rcvd.code for client in alices} <= {gate.SIGNED_OUT, gate.ARCHIVED}
    assert [client.closed.rcvd.code for client in bobs] == [gate.ARCHIVED] * 2


def test_a_former_partner_reconnecting_on_either_relay_cannot_change_the_archive(
        make_couple, browser, partner, setup_app, relay_urls, a, b):
    couple = make_couple()
    alice_a = browser(a, couple.alice)
    bob_b = browser(b, couple.bob)
    bob = partner(bob_b, couple.document_id)
    item_id = _add_agreement(bob, "kept")
    assert _seconds_until_closed(lambda: alice_a.post("/unlink", {"confirm": "y"}, page="/unlink"), bob) != [None]

    for url in relay_urls:
        again = partner(bob_b, couple.document_id, url)
        assert _type(again, item_id, " changed") == "read_only"
    assert _stored_text(setup_app, couple.document_id, item_id) == "kept"


def test_login_attempts_on_both_processes_count_towards_one_limit(make_couple, a, b):
    couple = make_couple()
    answers = [Browser(url=url).sign_in(couple.alice, "not the password").status_code for url in (a, b) * 3]
    assert answers == [400] * 6  # six wrong tries, split over the two processes

    assert Browser(url=a).sign_in(couple.alice).status_code == 429
    assert Browser(url=b).sign_in(couple.alice).status_code == 429


def test_signing_on_process_a_reads_what_was_committed_through_the_relay(make_couple, browser, partner, a, b):
    couple = make_couple()
    alice_a = browser(a, couple.alice)
    alice = partner(alice_a, couple.document_id)
    bob_b = browser(b, couple.bob)
    bob = partner(bob_b, couple.document_id)
    item_id = _add_agreement(bob, "We talk before we sleep")
    assert _type(bob, item_id, ", even when tired.") == "ok"
    sign = f"/agreements/{couple.document_id}/sign"
    page = f"/agreements/{couple.document_id}"

    stale = alice_a.post(sign, {"item": item_id, "text": "We talk before we sleep"}, page=page)
    signed = alice_a.post(sign, {"item": item_id, "text": "We talk before we sleep, even when tired."}, page=page)
    heard = bob.wait(lambda: bob.states > 0, timeout=2)
    bob_signed = bob_b.post(sign, {"item": item_id, "text": "We talk before we sleep, even when tired."}, page=page)
    seen_on_a = alice_a.get(f"/agreements/{couple.document_id}/states").json()

    assert stale.status_code == 409  # A read the text from the log
    assert signed.status_code == 302 and bob_signed.status_code == 302
    assert heard, "Bob's connection to the relay did not hear that Alice signed on A"
    assert seen_on_a["items"][item_id]["status"] == "agreed"
    assert alice.shows(item_id, "We talk before we sleep, even when tired.")


def _listen(signed_in: Browser, namespace: str, event: str) -> tuple[socketio.Client, queue.Queue]:
    """A socket on the browser's process that collects one event's payloads."""
    heard: queue.Queue = queue.Queue()
    client = socketio.Client(serializer="msgpack", reconnection=False)
    client.on(event, heard.put, namespace=namespace)
    client.connect(signed_in.url, namespaces=[namespace], transports=["websocket"],
                   headers={"Cookie": signed_in.cookie}, wait_timeout=10)
    return client, heard


def test_dialogue_turns_taken_on_one_process_are_seen_and_enforced_on_the_other(make_couple, browser, a, b):
    couple = make_couple()
    alice, bob = browser(a, couple.alice), browser(b, couple.bob)
    alice_socket, alice_hears = _listen(alice, "/dialogue", "changed")
    bob_socket, bob_hears = _listen(bob, "/dialogue", "changed")
    try:
        invited = alice.post("/dialogue/", {"topic": "Our evenings"}, page="/dialogue/")
        assert invited.status_code == 303
        news = bob_hears.get(timeout=2)  # through B, from the invitation made on A
        dialogue = f"/dialogue/{news['dialogue_id']}"

        accepted = bob.post(f"{dialogue}/act", {"action": "accept", "index": news["index"]}, page=dialogue)
        after = alice_hears.get(timeout=2)
        while after["index"] == news["index"]:  # Alice also heard her own invitation
            after = alice_hears.get(timeout=2)
        stale = bob.post(f"{dialogue}/act", {"action": "accept", "index": news["index"]}, page=dialogue)
        out_of_turn = bob.post(f"{dialogue}/act", {"action": "send", "index": after["index"],
                                                   "text": "Not my turn."}, page=dialogue)
    finally:
        alice_socket.disconnect()
        bob_socket.disconnect()

    assert accepted.status_code == 303
    assert after["state"] == "sending"
    assert stale.status_code >= 400 and out_of_turn.status_code >= 400


def test_a_deposit_logged_on_one_process_is_confirmed_on_the_other(make_couple, setup_app, browser, a, b):
    from couples.models import Couple as CoupleRow, User
    from extensions import db
    from ledger import service
    from ledger.models import Deposit

    couple = make_couple()
    with setup_app.app_context():
        promiser = db.session.scalar(select(User).where(User.email == couple.alice))
        promise_id = service.make_promise(promiser, db.session.get(CoupleRow, couple.id),
                                          service.Terms("Good-morning message")).id
        db.session.remove()
    alice, bob = browser(a, couple.alice), browser(b, couple.bob)
    alice_socket, alice_hears = _listen(alice, "/couple", "deposit_confirmed")
    bob_socket, bob_hears = _listen(bob, "/couple", "deposit_logged")
    try:
        ledger = f"/ledger/{couple.id}"
        logged = alice.post(f"/ledger/promises/{promise_id}/deposits", {}, page=ledger)
        heard = bob_hears.get(timeout=2)  # on B, from the deposit logged on A
        confirmed = bob.post(f"/ledger/deposits/{heard['deposit_id']}/confirm", {"thanks": "Thank you"}, page=ledger)
        thanked = alice_hears.get(timeout=2)
    finally:
        alice_socket.disconnect()
        bob_socket.disconnect()

    assert logged.status_code == 303 and confirmed.status_code == 303
    assert thanked["deposit_id"] == heard["deposit_id"]
    with setup_app.app_context():
        assert db.session.get(Deposit, heard["deposit_id"]).status == "confirmed"
        db.session.remove()
