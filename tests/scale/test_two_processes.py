"""Two app processes on one PostgreSQL and one Redis: nothing is lost or late between them.

Process A and process B are separate gunicorn + gevent servers. Partners connect to different
processes, as they would behind a load balancer.
"""
from __future__ import annotations

import queue
import random
import time

import socketio
from sqlalchemy import select

from agreements import store
from agreements.shape import agreement_text, new_id, new_item, sections
from tests.agreements.wire import NAMESPACE
from tests.scale.conftest import PASSWORD, Browser

CUT_WITHIN = 1.0  # seconds: ARCHITECTURE.md, "disconnected within a second, on every process"


def _add_agreement(client, text: str = "") -> str:
    item_id = new_id()
    answers = client.edit(lambda: next(sections(client.doc))["items"].append(new_item(text, item_id)))
    assert answers == [{"ok": True}]
    return item_id


def _type(client, item_id: str, text: str, at: int | None = None) -> dict:
    """Insert text into an agreement in one local transaction; return the server's acknowledgement."""
    def change():
        field = client.text(item_id)
        field.insert(len(field) if at is None else at, text)

    [answer] = client.edit(change)
    return answer


def _stored_text(setup_app, document_id: int, item_id: str) -> str | None:
    with setup_app.app_context():
        doc, _, _ = store.load(document_id)
        return agreement_text(doc, item_id)


def test_an_update_sent_to_process_a_reaches_the_partner_on_process_b(make_couple, browser, partner, a, b):
    couple = make_couple()
    alice = partner(browser(a, couple.alice)).synced(couple.document_id)
    bob = partner(browser(b, couple.bob)).synced(couple.document_id)
    item_id = _add_agreement(alice, "We talk before we sleep")
    bob.pump(until=lambda: agreement_text(bob.doc, item_id) is not None)

    sent = time.monotonic()
    assert _type(alice, item_id, ", even when tired.") == {"ok": True}
    received = bob.pump(until=lambda: agreement_text(bob.doc, item_id) == "We talk before we sleep, even when tired.")

    assert received is not None, agreement_text(bob.doc, item_id)
    print(f"sent through A, applied on B's side {received - sent:.3f}s later")
    assert received - sent < 1.0


def test_a_client_joining_on_process_b_gets_everything_committed_through_process_a(
        make_couple, browser, partner, setup_app, a, b):
    couple = make_couple()
    bob_b = browser(b, couple.bob)
    # Bob already has the document open on B, so B holds the room in memory while Alice writes through A.
    earlier = partner(bob_b).synced(couple.document_id)
    alice = partner(browser(a, couple.alice)).synced(couple.document_id)
    item_id = _add_agreement(alice)
    for word in "no name calling , ever".split():
        assert _type(alice, item_id, word + " ") == {"ok": True}

    # Every acknowledged update is committed: a new client on B gets all of it from B.
    later = partner(bob_b).synced(couple.document_id)

    assert agreement_text(later.doc, item_id) == "no name calling , ever "
    assert _stored_text(setup_app, couple.document_id, item_id) == "no name calling , ever "
    earlier.pump(until=lambda: agreement_text(earlier.doc, item_id) == "no name calling , ever ")
    assert agreement_text(earlier.doc, item_id) == "no name calling , ever "


def test_partners_typing_on_two_processes_at_once_converge(make_couple, browser, partner, setup_app, a, b):
    couple = make_couple()
    alice = partner(browser(a, couple.alice)).synced(couple.document_id)
    bob = partner(browser(b, couple.bob)).synced(couple.document_id)
    item_id = _add_agreement(alice, "start")
    bob.pump(until=lambda: agreement_text(bob.doc, item_id) == "start")
    rng = random.Random(7)

    for _ in range(150):
        for client, letter in ((alice, "a"), (bob, "b")):
            length = len(client.text(item_id))
            assert _type(client, item_id, letter, at=rng.choice([0, length // 2, length])) == {"ok": True}
            client.drain()  # what the partner sent so far, as a browser would apply it between keystrokes

    stored = _stored_text(setup_app, couple.document_id, item_id)
    for client in (alice, bob):
        client.pump(until=lambda client=client: agreement_text(client.doc, item_id) == stored)
    assert len(stored) == len("start") + 300
    assert agreement_text(alice.doc, item_id) == agreement_text(bob.doc, item_id) == stored


def _seconds_until_closed(client, request, within: float = 3.0) -> float | None:
    """Send `request` (it must redirect); return the seconds until the client's socket was closed, or None."""
    asked = time.monotonic()
    assert request().status_code == 302
    deadline = asked + within
    while client.disconnected_at is None and time.monotonic() < deadline:
        time.sleep(0.005)
    if client.disconnected_at is None:
        return None
    print(f"socket closed {client.disconnected_at - asked:.3f}s after the request was sent")
    return client.disconnected_at - asked


def test_unlinking_on_process_a_cuts_the_partners_sockets_on_process_b_within_a_second(
        make_couple, browser, partner, a, b):
    couple = make_couple()
    alice = browser(a, couple.alice)
    bob = partner(browser(b, couple.bob)).synced(couple.document_id)

    cut = _seconds_until_closed(bob, lambda: alice.post("/unlink", {"confirm": "y"}, page="/unlink"))

    assert cut is not None and cut < CUT_WITHIN, cut


def test_logging_out_on_process_a_closes_that_sessions_sockets_on_process_b_within_a_second(
        make_couple, browser, partner, a, b):
    couple = make_couple()
    alice = browser(a, couple.alice)
    # The same browser session: its socket is held by process B, the logout reaches process A.
    same_session_on_b = Browser(b)
    same_session_on_b.http.cookies = alice.http.cookies
    socket = partner(same_session_on_b).synced(couple.document_id)

    cut = _seconds_until_closed(socket, lambda: alice.post("/logout", {}))

    assert cut is not None and cut < CUT_WITHIN, cut


def test_changing_the_password_on_process_a_closes_other_sessions_sockets_on_process_b(
        make_couple, browser, partner, a, b):
    couple = make_couple()
    here = browser(a, couple.alice)
    elsewhere = partner(browser(b, couple.alice)).synced(couple.document_id)
    change = {"pw-current": PASSWORD, "pw-password": "a new long passphrase", "pw-confirm": "a new long passphrase"}

    cut = _seconds_until_closed(elsewhere, lambda: here.post("/account/password", change, page="/account"))

    assert cut is not None and cut < CUT_WITHIN, cut


def test_a_former_partner_reconnecting_on_either_process_cannot_change_the_archive(
        make_couple, browser, partner, setup_app, a, b):
    couple = make_couple()
    alice_a = browser(a, couple.alice)
    bob_b = browser(b, couple.bob)
    bob = partner(bob_b).synced(couple.document_id)
    item_id = _add_agreement(bob, "kept")
    assert _seconds_until_closed(bob, lambda: alice_a.post("/unlink", {"confirm": "y"}, page="/unlink")) is not None

    again = partner(bob_b).synced(couple.document_id)
    answer = _type(again, item_id, " changed")

    assert answer["ok"] is False and answer["error"]["code"] == "read_only"
    assert _stored_text(setup_app, couple.document_id, item_id) == "kept"


def test_login_attempts_on_both_processes_count_towards_one_limit(make_couple, a, b):
    couple = make_couple()
    answers = [Browser(url).login(couple.alice, "not the password").status_code for url in (a, b) * 3]
    assert answers == [400] * 6  # six wrong tries, split over the two processes

    assert Browser(a).login(couple.alice).status_code == 429
    assert Browser(b).login(couple.alice).status_code == 429


def test_signing_on_process_a_reads_what_was_committed_through_process_b(make_couple, browser, partner, a, b):
    couple = make_couple()
    alice_a = browser(a, couple.alice)
    alice = partner(alice_a).synced(couple.document_id)  # A holds the room in memory while Bob writes through B
    bob_b = browser(b, couple.bob)
    bob = partner(bob_b).synced(couple.document_id)
    states_heard = []
    bob.sio.on("states", states_heard.append, namespace=NAMESPACE)
    item_id = _add_agreement(bob, "We talk before we sleep")
    assert _type(bob, item_id, ", even when tired.") == {"ok": True}
    sign = f"/agreements/{couple.document_id}/sign"
    page = f"/agreements/{couple.document_id}"

    stale = alice_a.post(sign, {"item": item_id, "text": "We talk before we sleep"}, page=page)
    signed = alice_a.post(sign, {"item": item_id, "text": "We talk before we sleep, even when tired."}, page=page)
    bob.pump(until=lambda: bool(states_heard), timeout=2)
    bob_signed = bob_b.post(sign, {"item": item_id, "text": "We talk before we sleep, even when tired."}, page=page)
    seen_on_a = alice_a.http.get(f"{a}/agreements/{couple.document_id}/states", timeout=10).json()

    assert stale.status_code == 409  # A read the text from the log, not from its stale room
    assert signed.status_code == 302 and bob_signed.status_code == 302
    assert states_heard, "Bob's socket on B did not hear that Alice signed on A"
    assert seen_on_a["items"][item_id]["status"] == "agreed"
    assert alice.pump(until=lambda: agreement_text(alice.doc, item_id) == "We talk before we sleep, even when tired.")


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
    from couples.ledger import service
    from couples.ledger.models import Deposit
    from couples.models import Couple as CoupleRow, User
    from extensions import db

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
