"""The /couple socket: who may connect, presence, and sockets closing when access ends."""
import time

from sqlalchemy import select

from couples import linking
from couples.models import LiveSocket
from extensions import db

NS = "/couple"


def drain(sock, namespace=NS):
    """Everything the socket received so far, even after it was disconnected."""
    events = [event for event in sock.queue if event["namespace"] == namespace]
    sock.queue[:] = [event for event in sock.queue if event["namespace"] != namespace]
    return events


def presence_events(sock):
    """The presence payloads a socket received so far."""
    return [event["args"][0]["here"] for event in sock.get_received(NS) if event["name"] == "presence"]


def test_anonymous_socket_is_refused(app, client, socket_client):
    sock = socket_client(NS, client)
    assert not sock.is_connected(NS)


def test_partner_sees_the_other_arrive_and_leave(app, linked_couple, login, socket_client):
    couple, alice, bob = linked_couple()
    alice_http, bob_http = app.test_client(), app.test_client()
    login(alice_http, alice)
    login(bob_http, bob)
    alice_sock = socket_client(NS, alice_http)
    assert presence_events(alice_sock) == [False]
    bob_sock = socket_client(NS, bob_http)
    assert presence_events(bob_sock) == [True]
    assert presence_events(alice_sock) == [True]
    bob_sock.disconnect(namespace=NS)
    assert presence_events(alice_sock) == [False]


def test_presence_reaches_nobody_outside_the_couple(app, linked_couple, login, socket_client):
    _, alice, bob = linked_couple()
    _, carol, dan = linked_couple("Carol Nguyen", "Dan Okafor")
    carol_http, alice_http = app.test_client(), app.test_client()
    login(carol_http, carol)
    login(alice_http, alice)
    carol_sock = socket_client(NS, carol_http)
    carol_sock.get_received(NS)
    socket_client(NS, alice_http)
    assert carol_sock.get_received(NS) == []


def test_presence_is_not_shared_when_turned_off(app, linked_couple, login, socket_client):
    _, alice, bob = linked_couple()
    bob.share_presence = False
    db.session.commit()
    alice_http, bob_http = app.test_client(), app.test_client()
    login(alice_http, alice)
    login(bob_http, bob)
    alice_sock = socket_client(NS, alice_http)
    alice_sock.get_received(NS)
    socket_client(NS, bob_http)
    assert presence_events(alice_sock) == []


def test_unlink_disconnects_the_partners_sockets(app, linked_couple, login, socket_client):
    couple, alice, bob = linked_couple()
    alice_http, bob_http = app.test_client(), app.test_client()
    alice_browser = login(alice_http, alice)
    login(bob_http, bob)
    bob_sock = socket_client(NS, bob_http)
    bob_sock.get_received(NS)
    response = alice_browser.post("/unlink", {"confirm": "y"}, page="/unlink")
    assert response.status_code == 302
    assert any(event["name"] == "unlinked" for event in drain(bob_sock))
    assert not bob_sock.is_connected(NS)
    db.session.expire_all()
    assert db.session.scalars(select(LiveSocket).where(LiveSocket.couple_id == couple.id)).all() == []


def test_logout_ends_every_session_and_socket_of_that_person(app, make_user, login, socket_client):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    phone, laptop, other = app.test_client(), app.test_client(), app.test_client()
    phone_browser = login(phone, alice)
    login(laptop, alice)
    login(other, bob)
    phone_sock, laptop_sock, bob_sock = (socket_client(NS, phone), socket_client(NS, laptop),
                                         socket_client(NS, other))
    assert phone_browser.post("/logout").status_code == 302
    assert not phone_sock.is_connected(NS)
    assert not laptop_sock.is_connected(NS)
    assert laptop.get("/account").status_code == 302  # signed out there too
    assert bob_sock.is_connected(NS)


def test_password_change_disconnects_the_other_sessions_sockets(app, make_user, login, socket_client):
    alice = make_user()
    phone, laptop = app.test_client(), app.test_client()
    phone_browser = login(phone, alice)
    login(laptop, alice)
    phone_sock, laptop_sock = socket_client(NS, phone), socket_client(NS, laptop)
    response = phone_browser.post("/account/password", {
        "pw-current": "correct horse battery staple", "pw-password": "a brand new passphrase",
        "pw-confirm": "a brand new passphrase"}, page="/account")
    assert response.status_code == 302
    assert phone_sock.is_connected(NS)
    assert not laptop_sock.is_connected(NS)
    assert laptop.get("/account").status_code == 302  # signed out


def test_inviter_hears_when_the_partner_joins(app, make_user, login, socket_client):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    invitation = linking.invite(alice)
    alice_http, bob_http = app.test_client(), app.test_client()
    login(alice_http, alice)
    bob_browser = login(bob_http, bob)
    alice_sock = socket_client(NS, alice_http)
    alice_sock.get_received(NS)
    response = bob_browser.post("/join/confirm", {"code": invitation.code})
    assert response.status_code == 302
    assert [event["name"] for event in alice_sock.get_received(NS)] == ["partner_joined"]


def presence_after(sock, seconds: float = 20.0):
    """Wait (generously) until the socket hears a presence event; return the payloads heard."""
    deadline = time.monotonic() + seconds
    heard = presence_events(sock)
    while not heard and time.monotonic() < deadline:
        time.sleep(0.05)
        heard = presence_events(sock)
    return heard


def signed_in(linked_couple, login, app):
    """Two linked partners' browsers, signed in: (Alice's, Bob's)."""
    _, alice, bob = linked_couple()
    return login(app.test_client(), alice).client, login(app.test_client(), bob).client


def test_a_partner_on_any_page_is_here(app, linked_couple, login, socket_client):
    alice_http, bob_http = signed_in(linked_couple, login, app)
    socket_client("/dialogue", bob_http)  # Bob is in a dialogue, not on the home page
    assert presence_events(socket_client(NS, alice_http)) == [True]


def test_going_from_page_to_page_never_shows_as_leaving(app, linked_couple, login, socket_client):
    app.config["PRESENCE_GRACE_SECONDS"] = 30
    alice_http, bob_http = signed_in(linked_couple, login, app)
    alice_sock = socket_client(NS, alice_http)
    home = socket_client(NS, bob_http)
    assert presence_events(alice_sock) == [False, True]
    home.disconnect(namespace=NS)  # Bob opens a dialogue: the home page's socket closes first
    socket_client("/dialogue", bob_http)
    home_again = socket_client(NS, bob_http)
    home_again.disconnect(namespace=NS)
    socket_client("/agreements", bob_http)
    assert presence_events(alice_sock) == []


def test_leaving_is_told_once_the_grace_has_passed(app, linked_couple, login, socket_client):
    app.config["PRESENCE_GRACE_SECONDS"] = 0.2
    alice_http, bob_http = signed_in(linked_couple, login, app)
    alice_sock = socket_client(NS, alice_http)
    bob_sock = socket_client("/dialogue", bob_http)
    assert presence_events(alice_sock) == [False, True]
    bob_sock.disconnect(namespace="/dialogue")
    assert presence_after(alice_sock) == [False]


def test_coming_back_within_the_grace_cancels_the_departure(app, linked_couple, login, socket_client):
    app.config["PRESENCE_GRACE_SECONDS"] = 0.5
    alice_http, bob_http = signed_in(linked_couple, login, app)
    alice_sock = socket_client(NS, alice_http)
    socket_client(NS, bob_http).disconnect(namespace=NS)
    socket_client("/dialogue", bob_http)
    assert presence_events(alice_sock) == [False, True]
    time.sleep(1.5)  # well past the grace: the cancelled departure stays silent
    assert presence_events(alice_sock) == []
