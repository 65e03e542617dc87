"""The ledger over HTTP and Socket.IO: pages, forms, CSRF, other couples, live events."""
from datetime import date
import re

import pytest

from couples import linking
from extensions import db
from ledger import service
from ledger.models import Deposit, Promise
from ledger.service import Terms


@pytest.fixture
def pair(linked_couple):
    return linked_couple()


def promises_of(couple):
    db.session.expire_all()  # the requests committed in their own session
    return service.couple_promises(couple.id)


def deposits_of(promise):
    db.session.expire_all()
    return db.session.get(Promise, promise.id).deposits


def test_ledger_index_leads_to_the_couples_ledger(pair, client, login):
    couple, alice, _ = pair
    login(client, alice)
    response = client.get("/ledger/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ledger/{couple.id}")


def test_make_a_recurring_promise_through_the_form(pair, client, login):
    couple, alice, _ = pair
    browser = login(client, alice)
    page = f"/ledger/{couple.id}"
    response = browser.post(f"/ledger/{couple.id}/promises", {"text": "Good-morning message every weekday",
                                                              "kind": "weekly", "weekdays": ["0", "1", "2", "3", "4"]},
                            page=page, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Good-morning message every weekday" in html and "every weekday" in html
    assert promises_of(couple)[0].current.weekdays == "01234"


def test_partner_sees_the_promise_and_cannot_log_for_it(pair, client, login, app):
    couple, alice, bob = pair
    promise = service.make_promise(alice, couple, Terms("Home by 7"))
    browser = login(client, bob)
    html = client.get(f"/ledger/{couple.id}").get_data(as_text=True)
    assert "Home by 7" in html and "I kept this" not in html
    response = browser.post(f"/ledger/promises/{promise.id}/deposits", {}, page=f"/ledger/{couple.id}")
    assert response.status_code == 403
    assert "Only the partner who made this promise" in response.get_data(as_text=True)
    assert deposits_of(promise) == []


def test_log_then_confirm_with_thanks_through_the_pages(pair, app, login):
    couple, alice, bob = pair
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    a, b = login(app.test_client(), alice), login(app.test_client(), bob)
    page = f"/ledger/{couple.id}"
    a.post(f"/ledger/promises/{promise.id}/deposits", {"on": "2026-03-02", "note": "Sent at 7:30"}, page=page)
    html = b.get(page).get_data(as_text=True)
    assert "Waiting for you" in html and "Sent at 7:30" in html
    deposit_id = deposits_of(promise)[0].id
    response = b.post(f"/ledger/deposits/{deposit_id}/confirm", {"thanks": "It made my morning"}, page=page,
                      follow_redirects=True)
    assert "It made my morning" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Deposit, deposit_id).status == "confirmed"
    home = a.get("/").get_data(as_text=True)
    assert re.search(r"<strong>1</strong> confirmed deposit this week", home)


def test_future_day_is_refused_with_a_message_on_the_page(pair, client, login):
    couple, alice, _ = pair
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    browser = login(client, alice)
    response = browser.post(f"/ledger/promises/{promise.id}/deposits", {"on": "2026-03-05"},
                            page=f"/ledger/{couple.id}", follow_redirects=True)
    assert "That day hasn&#39;t come yet." in response.get_data(as_text=True)
    assert deposits_of(promise) == []


def test_posting_without_csrf_token_changes_nothing(pair, client, login):
    couple, alice, _ = pair
    login(client, alice)
    response = client.post(f"/ledger/{couple.id}/promises", data={"text": "Sneaky", "kind": "daily"})
    assert response.status_code == 400
    assert promises_of(couple) == []


def test_another_couple_gets_not_found_everywhere(pair, linked_couple, client, login):
    couple, alice, bob = pair
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    deposit = service.log_deposit(alice, promise)
    browser = login(client, carol)
    for url in (f"/ledger/{couple.id}", f"/ledger/promises/{promise.id}"):
        assert client.get(url).status_code == 404
    for url, data in ((f"/ledger/{couple.id}/promises", {"text": "x", "kind": "daily"}),
                      (f"/ledger/promises/{promise.id}/deposits", {}),
                      (f"/ledger/promises/{promise.id}/missed", {}),
                      (f"/ledger/promises/{promise.id}/edit", {"text": "x", "kind": "daily"}),
                      (f"/ledger/promises/{promise.id}/pause", {}),
                      (f"/ledger/promises/{promise.id}/end", {}),
                      (f"/ledger/deposits/{deposit.id}/confirm", {"thanks": "x"})):
        assert browser.post(url, data).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Deposit, deposit.id).status == "pending"
    assert len(promises_of(couple)) == 1 and promises_of(couple)[0].state == "active"


def test_archive_is_readable_and_refuses_changes(pair, client, login):
    couple, alice, bob = pair
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    linking.unlink(couple, alice)
    browser = login(client, bob)
    html = client.get(f"/ledger/{couple.id}").get_data(as_text=True)
    assert "read-only archive" in html and "Make a promise" not in html
    assert browser.post(f"/ledger/{couple.id}/promises", {"text": "x", "kind": "daily"}).status_code == 403
    assert client.get("/ledger/").status_code == 200
    assert f"/ledger/{couple.id}" in client.get("/ledger/").get_data(as_text=True)
    assert len(promise.versions) == 1


def test_promise_page_shows_history_and_lets_the_promiser_edit(pair, client, login, clock):
    couple, alice, _ = pair
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    clock.advance(days=1)  # (before signing in: a day of idling would sign anyone out)
    browser = login(client, alice)
    page = f"/ledger/promises/{promise.id}"
    browser.post(f"{page}/edit", {"text": "Good-morning message before 9", "kind": "daily"}, page=page)
    html = client.get(page).get_data(as_text=True)
    assert "Good-morning message before 9" in html and "From Mon 2 Mar" in html and "From Tue 3 Mar" in html
    browser.post(f"{page}/pause", {}, page=page)
    assert promises_of(couple)[0].state == "paused"
    browser.post(f"{page}/resume", {}, page=page)
    browser.post(f"{page}/end", {}, page=page)
    db.session.expire_all()
    assert db.session.get(Promise, promise.id).state == "ended"


def test_chart_is_an_svg_without_inline_styles(pair, client, login):
    couple, alice, bob = pair
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    service.confirm_deposit(bob, service.log_deposit(alice, promise))
    login(client, bob)
    html = client.get(f"/ledger/{couple.id}").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "style=" not in html
    assert 'role="img"' in svg and "<title" in svg and "this week" in svg
    assert re.search(r'<text class="count"[^>]*>1</text>', svg)


def test_missed_day_form_records_honestly(pair, client, login):
    couple, alice, _ = pair
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    browser = login(client, alice)
    browser.post(f"/ledger/promises/{promise.id}/missed", {"on": "2026-03-02"}, page=f"/ledger/{couple.id}")
    assert [d.status for d in deposits_of(promise)] == ["missed"]


def received(sock, name):
    return [m["args"][0] for m in sock.get_received("/couple") if m["name"] == name]


def test_partner_gets_live_events_and_nobody_else_does(pair, linked_couple, app, login, socket_client):
    couple, alice, bob = pair
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    a, b, c = (login(app.test_client(), person) for person in (alice, bob, carol))
    bob_socket = socket_client("/couple", b.client)
    carol_socket = socket_client("/couple", c.client)
    for sock in (bob_socket, carol_socket):
        sock.get_received("/couple")
    page = f"/ledger/{couple.id}"

    a.post(f"/ledger/{couple.id}/promises", {"text": "Walk together", "kind": "daily"}, page=page)
    made = received(bob_socket, "promise_changed")
    assert len(made) == 1 and made[0]["message"] == "Alice Moreau made a new promise." and made[0]["what"] == "made"
    promise = promises_of(couple)[0]

    a.post(f"/ledger/promises/{promise.id}/deposits", {}, page=page)
    assert len(received(bob_socket, "deposit_logged")) == 1
    deposit = deposits_of(promise)[0]

    alice_socket = socket_client("/couple", a.client)
    alice_socket.get_received("/couple")
    b.post(f"/ledger/deposits/{deposit.id}/confirm", {"thanks": "Lovely"}, page=page)
    assert [e["deposit_id"] for e in received(alice_socket, "deposit_confirmed")] == [deposit.id]
    assert carol_socket.get_received("/couple") == []


@pytest.fixture
def listening(pair, app, login, socket_client):
    """Alice's promise, Alice signed in, and Bob's /couple socket (drained): (couple, promise, alice, bob_socket)."""
    couple, alice, bob = pair
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    a, b = login(app.test_client(), alice), login(app.test_client(), bob)
    bob_socket = socket_client("/couple", b.client)
    bob_socket.get_received("/couple")
    return couple, promise, a, bob_socket


def test_edits_pauses_and_ends_are_told_as_what_they_are(listening):
    couple, promise, a, bob_socket = listening
    page = f"/ledger/{couple.id}"
    a.post(f"/ledger/promises/{promise.id}/edit", {"text": "Good-morning call", "kind": "daily"}, page=page)
    for step in ("pause", "resume", "end"):
        a.post(f"/ledger/promises/{promise.id}/{step}", {}, page=page)
    told = [(m["name"], m["args"][0]["what"], m["args"][0]["message"]) for m in bob_socket.get_received("/couple")]
    assert told == [("promise_changed", "edited", "Alice Moreau changed a promise."),
                    ("promise_changed", "paused", "Alice Moreau paused a promise."),
                    ("promise_changed", "resumed", "Alice Moreau picked a promise up again."),
                    ("promise_changed", "ended", "Alice Moreau ended a promise.")]


def test_marking_missed_sends_the_partner_nothing(listening):
    couple, promise, a, bob_socket = listening
    a.post(f"/ledger/promises/{promise.id}/missed", {}, page=f"/ledger/{couple.id}")
    assert bob_socket.get_received("/couple") == []
    assert deposits_of(promise)[0].kept_on == date(2026, 3, 2)


def test_archive_page_links_to_the_read_only_ledger(pair, client, login):
    couple, alice, bob = pair
    service.confirm_deposit(bob, service.log_deposit(alice, service.make_promise(alice, couple, Terms("Walk"))))
    linking.unlink(couple, alice)
    login(client, alice)
    html = client.get(f"/archive/{couple.id}").get_data(as_text=True)
    assert "Open the ledger (read-only)" in html and f"/ledger/{couple.id}" in html
    assert re.search(r"<strong>1</strong> confirmed deposit in all", html)


def test_a_refused_promise_keeps_what_was_typed(pair, client, login):
    couple, alice, _ = pair
    browser = login(client, alice)
    response = browser.post(f"/ledger/{couple.id}/promises", {"text": "Walk together every evening",
                                                              "kind": "daily", "starts_on": "2026-03-01"},
                            page=f"/ledger/{couple.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A promise starts today or later." in html and 'value="Walk together every evening"' in html
    assert promises_of(couple) == []


def test_a_missed_day_never_reaches_the_partner_who_sees_what_was_kept_and_noticed(pair, client, login, clock):
    couple, alice, bob = pair
    promise = service.make_promise(alice, couple, Terms("Good-morning message"))
    service.mark_missed(alice, promise, note="Overslept")
    login(client, bob)
    html = client.get(f"/ledger/{couple.id}").get_data(as_text=True)
    assert "Kept and noticed" in html and "0 times" in html
    for word in ("Overslept", "0 of 1", "missed", "0 in a row", "−1", ">-1<", "debt"):
        assert word not in html.replace("never shown as a debt", ""), word
