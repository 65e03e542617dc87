"""Sessions and devices: see them, end them, and their sockets close with them; idle sessions end."""
import pytest
from sqlalchemy import select

from couples.events import NAMESPACE
from couples.models import LoginSession
from extensions import db
from privacy.devices import approximately, device_label
from tests.conftest import PASSWORD

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


def signed_in(app, login, user, agent=""):
    """A separate browser (test client) of the user, signed in."""
    client = app.test_client()
    if agent:
        client.environ_base["HTTP_USER_AGENT"] = agent
    return login(client, user)


def live_ids(user):
    return set(db.session.scalars(select(LoginSession.id).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))))


def test_device_labels_are_readable():
    assert device_label(FIREFOX) == "Firefox on Windows"
    assert device_label(IPHONE) == "Safari on iPhone"
    assert device_label("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36") \
        == "Chrome on Android"
    assert device_label("") == "Unknown browser"


@pytest.mark.parametrize("agent, label", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Safari/537.36 Edg/120.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 "
     "Chrome/115.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"),
    ("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
     "Mobile/15E148 Safari/604.1", "Safari on iPad"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", "Chrome on iPhone"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
     "Safari/605.1.15", "Safari on Mac"),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Safari/537.36", "Chrome on ChromeOS"),
    ("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "Firefox on Android"),
    ("x" * 100_000, "Unknown browser"),  # a client's text of any length: read only so far
])
def test_device_labels_name_browsers_and_devices_as_people_do(agent, label):
    assert device_label(agent) == label


def test_long_agents_that_differ_past_what_is_read_share_one_remembered_answer():
    """A browser sending ever-new 100,000-character agents costs the cache one short entry, not 100 KB each."""
    from privacy import devices

    devices._label.cache_clear()
    head = FIREFOX + " " + "x" * devices.MAX_AGENT
    labels = {device_label(head + f" {n}" * 10_000) for n in range(5)}
    assert labels == {"Firefox on Windows"}
    assert devices._label.cache_info().currsize == 1


def test_times_are_approximate(clock):
    at = clock()
    assert approximately(at, at) == "just now"
    clock.advance(minutes=12)
    assert approximately(at, clock()) == "12 minutes ago"
    clock.advance(hours=5)
    assert approximately(at, clock()) == "about 5 hours ago"


def test_sessions_page_lists_browsers_and_marks_this_one(app, make_user, login):
    alice = make_user()
    here = signed_in(app, login, alice, FIREFOX)
    signed_in(app, login, alice, IPHONE)
    page = here.get("/sessions").get_data(as_text=True)
    assert "Firefox on Windows" in page and "Safari on iPhone" in page
    assert page.count("This browser") == 1
    assert "Log out all others" in page


def test_log_out_all_others_ends_them_and_closes_their_sockets(app, linked_couple, login, socket_client):
    _, alice, _ = linked_couple()
    here = signed_in(app, login, alice)
    there, elsewhere = signed_in(app, login, alice), signed_in(app, login, alice)
    here_socket = socket_client(NAMESPACE, here.client)
    there_sockets = [socket_client(NAMESPACE, b.client) for b in (there, elsewhere)]
    assert all(s.is_connected(NAMESPACE) for s in there_sockets)

    assert here.post("/sessions/end-others", page="/sessions").status_code == 302

    assert not any(s.is_connected(NAMESPACE) for s in there_sockets)
    assert here_socket.is_connected(NAMESPACE)
    assert len(live_ids(alice)) == 1
    assert there.get("/sessions").status_code == 302  # sent to sign in
    assert here.get("/sessions").status_code == 200


def test_log_out_this_one_ends_only_that_session(app, make_user, login, socket_client):
    alice = make_user()
    here, there, third = (signed_in(app, login, alice) for _ in range(3))
    there_socket, third_socket = socket_client(NAMESPACE, there.client), socket_client(NAMESPACE, third.client)
    before = live_ids(alice)
    assert here.post(f"/sessions/{_public(there)}/end", page="/sessions").status_code == 302
    assert not there_socket.is_connected(NAMESPACE)
    assert third_socket.is_connected(NAMESPACE)
    assert live_ids(alice) == before - {_current(there)}
    assert there.get("/sessions").status_code == 302
    assert third.get("/sessions").status_code == 200


def _current(browser):
    with browser.client.session_transaction() as session:
        return session["login_session"]


def _public(browser):
    """The public id that pages and URLs use for the browser's login session."""
    from couples.models import LoginSession
    from extensions import db

    return db.session.get(LoginSession, _current(browser)).public_id


def test_someone_elses_session_cannot_be_ended(app, linked_couple, login):
    _, alice, bob = linked_couple()
    alice_browser = signed_in(app, login, alice)
    bob_browser = signed_in(app, login, bob)
    response = bob_browser.post(f"/sessions/{_public(alice_browser)}/end", page="/sessions")
    assert response.status_code == 404
    assert alice_browser.get("/sessions").status_code == 200


def test_password_change_ends_other_sessions_and_their_sockets(app, make_user, login, socket_client):
    alice = make_user()
    here, there = signed_in(app, login, alice), signed_in(app, login, alice)
    there_socket = socket_client(NAMESPACE, there.client)
    response = here.post("/account/password", {"pw-current": PASSWORD, "pw-password": "a new long passphrase 7",
                                               "pw-confirm": "a new long passphrase 7"}, page="/account")
    assert response.status_code == 302
    assert not there_socket.is_connected(NAMESPACE)
    assert there.get("/sessions").status_code == 302
    assert live_ids(alice) == {_current(here)}


def test_deleted_account_sessions_fail_at_once(app, linked_couple, login, socket_client):
    _, alice, _ = linked_couple()
    here, there = signed_in(app, login, alice), signed_in(app, login, alice)
    there_socket = socket_client(NAMESPACE, there.client)
    response = here.post("/account/delete", {"del-password": PASSWORD, "del-confirm": "y"}, page="/account")
    assert response.status_code == 302
    assert not there_socket.is_connected(NAMESPACE)
    for browser in (here, there):
        assert browser.get("/sessions").status_code == 302
        assert browser.get("/sessions/still-here").status_code == 302
    assert not socket_client(NAMESPACE, there.client).is_connected(NAMESPACE)


def test_idle_session_is_refused_after_the_timeout(app, make_user, login, clock):
    alice = make_user()
    browser = signed_in(app, login, alice)
    timeout = app.config["IDLE_TIMEOUT"]
    clock.advance(seconds=timeout - 60)
    assert browser.get("/sessions/still-here").status_code == 204  # activity keeps it alive
    clock.advance(seconds=timeout - 60)
    assert browser.get("/sessions/still-here").status_code == 204
    clock.advance(seconds=timeout + 1)
    assert browser.get("/sessions/still-here").status_code == 302
    assert browser.get("/reflection").status_code == 302
    assert live_ids(alice) == set()


def test_an_idle_session_is_not_listed(app, make_user, login, clock):
    alice = make_user()
    old = signed_in(app, login, alice, IPHONE)
    clock.advance(seconds=app.config["IDLE_TIMEOUT"] + 5)
    here = signed_in(app, login, alice, FIREFOX)
    page = here.get("/sessions").get_data(as_text=True)
    assert "Firefox on Windows" in page and "Safari on iPhone" not in page
    assert old.get("/sessions").status_code == 302


def test_logging_out_here_from_the_sessions_page_signs_this_browser_out(app, make_user, login):
    alice = make_user()
    here = signed_in(app, login, alice)
    response = here.post(f"/sessions/{_public(here)}/end", page="/sessions")
    assert response.status_code == 302
    assert here.get("/sessions").status_code == 302
    assert live_ids(alice) == set()
