"""Presence sharing can be turned off; the safety page says plainly what the app does and where help is."""
import re

from couples.events import NAMESPACE
from extensions import db
from privacy.presence import partner_here


def presence_events(socket):
    return [event["args"][0]["here"] for event in socket.get_received(NAMESPACE) if event["name"] == "presence"]


def test_turning_presence_off_hides_it_from_the_partner_at_once(app, linked_couple, login, socket_client):
    _, alice, bob = linked_couple()
    alice_browser, bob_browser = login(app.test_client(), alice), login(app.test_client(), bob)
    alice_socket = socket_client(NAMESPACE, alice_browser.client)
    bob_socket = socket_client(NAMESPACE, bob_browser.client)
    assert presence_events(bob_socket)[-1] is True
    alice_socket.get_received(NAMESPACE)

    assert alice_browser.post("/settings/privacy", {}, page="/settings/privacy").status_code == 302

    db.session.expire_all()
    assert alice.share_presence is False
    assert presence_events(bob_socket) == [False]
    assert presence_events(alice_socket) == [False]  # mutual: she no longer sees his either
    assert not partner_here(bob, alice)
    assert "Alice Moreau is not here right now" in bob_browser.get("/").get_data(as_text=True)

    alice_browser.post("/settings/privacy", {"share_presence": "y"}, page="/settings/privacy")
    assert presence_events(bob_socket) == [True]
    assert "Alice Moreau is here now" in bob_browser.get("/").get_data(as_text=True)


def test_settings_page_states_what_is_never_shown(app, make_user, login, client):
    page = login(client, make_user()).get("/settings/privacy").get_data(as_text=True)
    for words in ("read receipts", "last seen", "location", "contacts"):
        assert words in page


def test_no_page_offers_location_read_receipts_or_last_seen(app, linked_couple, login, client):
    _, alice, _ = linked_couple()
    browser = login(client, alice)
    for url in ("/", "/reflection", "/passages", "/sessions", "/my-data", "/account"):
        page = browser.get(url).get_data(as_text=True).lower()
        assert "geolocation" not in page and "navigator.contacts" not in page
        assert not re.search(r"\bseen at\b|\bread at\b|\blast seen \d", page)


def test_safety_page_covers_the_wrong_tool_what_is_shown_leaving_and_help(client):
    page = client.get("/safety").get_data(as_text=True)
    for words in ("not the right tool", "afraid", "control", "violence", "never see", "private reflections",
                  "unlink", "Quick exit", "unlink and leave quietly", "helpline", "emergency number", "browser history"):
        assert words in page, words


def test_safety_is_linked_beside_the_quick_exit_on_every_page(app, make_user, login, client):
    browser = login(client, make_user())
    for url in ("/", "/reflection", "/sessions", "/my-data", "/settings/privacy", "/safety"):
        page = browser.get(url).get_data(as_text=True)
        exit_area = re.search(r'<div class="exit-area">(.*?)</div>', page, re.S).group(1)
        assert 'href="/safety"' in exit_area and "quick-exit" in exit_area, url
