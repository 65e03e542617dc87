"""The partner never receives the other's private reflection text: not through any page, export or socket.

Alice writes reflections holding a unique marker; Bob, her linked partner, fetches every GET route of the app
(with every id we know of filled in), downloads his data and listens on his sockets while Alice writes, edits,
shares and changes settings. The marker must never reach him.
"""
import io
import itertools
import zipfile

import pytest

from couples.events import NAMESPACE
from couples.privacy import reflection
from tests.conftest import PASSWORD

MARKER = "zq-private-marker-7c1e9a"


@pytest.fixture
def scene(app, linked_couple, login, socket_client):
    couple, alice, bob = linked_couple()
    alice_browser = login(app.test_client(), alice)
    bob_browser = login(app.test_client(), bob)
    bob_socket = socket_client(NAMESPACE, bob_browser.client)
    bob_socket.get_received(NAMESPACE)
    return couple, alice, bob, alice_browser, bob_browser, bob_socket


def alice_writes_and_shares(alice, alice_browser):
    """Everything Alice can do with her private words while Bob is connected."""
    alice_browser.post("/reflection", {"prompt": "hurt_me", "body": f"First {MARKER} entry"}, page="/reflection")
    alice_browser.post("/reflection", {"prompt": "why_here", "body": f"Second {MARKER} entry"}, page="/reflection")
    entries = [e.id for e in reflection.entries_of(alice)]
    page = f"/reflection/{entries[0]}"
    alice_browser.post(page, {"prompt": "pattern", "body": f"Edited {MARKER} entry"}, page=page)
    alice_browser.post(f"{page}/share", {"passage": "Only these chosen words."}, page=page)
    alice_browser.post("/settings/privacy", {}, page="/settings/privacy")
    alice_browser.post("/settings/privacy", {"share_presence": "y"}, page="/settings/privacy")
    return entries


def urls_for_every_get_route(app, ints, strings):
    """Every GET route of the app, built with every combination of the ids we know."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        names = sorted(rule.arguments)
        pools = [ints if type(rule._converters[name]).__name__ == "IntegerConverter" else strings for name in names]
        for values in itertools.product(*pools):
            yield adapter.build(rule.endpoint, dict(zip(names, values)))


def test_private_reflections_never_reach_the_partner(app, scene):
    couple, alice, bob, alice_browser, bob_browser, bob_socket = scene
    entries = alice_writes_and_shares(alice, alice_browser)

    # The marker is really there for Alice, so a leak would be seen.
    assert MARKER in alice_browser.get("/reflection").get_data(as_text=True)

    # Socket traffic Bob received meanwhile: the shared copy, never the entry.
    traffic = repr(bob_socket.get_received(NAMESPACE))
    assert "Only these chosen words." in traffic
    assert MARKER not in traffic

    # Every page Bob can ask for, with Alice's entry ids, the couple's id and both session ids.
    with alice_browser.client.session_transaction() as session:
        alice_session = session["login_session"]
    ints = sorted({*entries, couple.id, alice.id, bob.id, 1})
    strings = [str(i) for i in ints] + [alice_session]
    fetched = 0
    for url in urls_for_every_get_route(app, ints, strings):
        response = bob_browser.get(url)
        assert MARKER not in response.get_data(as_text=True), url
        fetched += 1
    assert fetched >= 10
    assert bob_browser.get(f"/reflection/{entries[0]}").status_code == 404

    # Bob's own export.
    response = bob_browser.post("/my-data", {"password": PASSWORD}, page="/my-data")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    for name in archive.namelist():
        assert MARKER not in archive.read(name).decode(), name
    assert "Only these chosen words." in archive.read("my-data/my-data.md").decode()


def test_a_reconnecting_partner_gets_nothing_private_on_join(app, scene, socket_client):
    couple, alice, bob, alice_browser, bob_browser, bob_socket = scene
    alice_writes_and_shares(alice, alice_browser)
    again = socket_client(NAMESPACE, bob_browser.client)
    assert again.is_connected(NAMESPACE)
    assert MARKER not in repr(again.get_received(NAMESPACE))
