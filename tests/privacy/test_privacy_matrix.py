"""The partner never receives the other's private reflection text, nor an unsent apology draft: not through any
page, export or socket.

Alice writes reflections and an apology draft holding a unique marker; Bob, her linked partner, fetches every GET route of the app
(with every id we know of filled in), downloads his data and listens on every socket namespace while Alice writes, edits,
shares and changes settings. The marker must never reach him.
"""
import io
import itertools
import zipfile

import pytest
from werkzeug.routing import IntegerConverter

from apology import service as apology
from couples.events import NAMESPACE
from extensions import socketio
from privacy import reflection
from tests.conftest import PASSWORD

MARKER = "zq-private-marker-7c1e9a"


class Listener:
    """Bob connected to every Socket.IO namespace of the app that lets him in, hearing everything."""

    def __init__(self, socket_client, flask_client):
        self.sockets = {}
        for namespace in sorted(socketio.server.namespace_handlers):
            if namespace == "/":
                continue
            client = socket_client(namespace, flask_client)
            if client.is_connected(namespace):
                self.sockets[namespace] = client

    def get_received(self) -> str:
        return repr([client.get_received(ns) for ns, client in self.sockets.items()])


@pytest.fixture
def scene(app, linked_couple, login, socket_client):
    couple, alice, bob = linked_couple()
    alice_browser = login(app.test_client(), alice)
    bob_browser = login(app.test_client(), bob)
    bob_ears = Listener(socket_client, bob_browser.client)
    assert NAMESPACE in bob_ears.sockets
    bob_ears.get_received()
    return couple, alice, bob, alice_browser, bob_browser, bob_ears


def alice_writes_and_shares(alice, alice_browser):
    """Everything Alice can do with her private words while Bob is connected."""
    alice_browser.post("/reflection", {"prompt": "hurt_me", "body": f"First {MARKER} entry"}, page="/reflection")
    alice_browser.post("/reflection", {"prompt": "why_here", "body": f"Second {MARKER} entry"}, page="/reflection")
    entries = [e.public_id for e in reflection.entries_of(alice)]
    page = f"/reflection/{entries[0]}"
    alice_browser.post(page, {"prompt": "pattern", "body": f"Edited {MARKER} entry"}, page=page)
    alice_browser.post(f"{page}/share", {"passage": "Only these chosen words."}, page=page)
    start = alice_browser.post("/apology/", page="/apology/")
    draft = start.headers["Location"]
    alice_browser.post(draft, {"what_i_did": f"Drafted {MARKER} apology"}, page=draft)
    alice_browser.post(f"{draft}/autosave", {"how_it_affected": f"Autosaved {MARKER} words"}, page=draft)
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
        pools = [ints if isinstance(rule._converters[name], IntegerConverter) else strings for name in names]
        for values in itertools.product(*pools):
            yield adapter.build(rule.endpoint, dict(zip(names, values)))


def test_private_reflections_never_reach_the_partner(app, scene):
    couple, alice, bob, alice_browser, bob_browser, bob_ears = scene
    entries = alice_writes_and_shares(alice, alice_browser)

    # The marker is really there for Alice, so a leak would be seen.
    assert MARKER in alice_browser.get("/reflection").get_data(as_text=True)
    [draft] = apology.visible_to(alice)
    assert MARKER in alice_browser.get(f"/apology/{draft.id}").get_data(as_text=True)

    # Socket traffic Bob received meanwhile: the shared copy, never the entry.
    traffic = bob_ears.get_received()
    assert "Only these chosen words." in traffic
    assert MARKER not in traffic

    # Every page Bob can ask for, with Alice's entry ids, the couple's id and both session ids.
    with alice_browser.client.session_transaction() as session:
        alice_session = session["login_session"]
    ints = sorted({draft.id, couple.id, alice.id, bob.id, 1})
    strings = [str(i) for i in ints] + entries + [alice_session]
    fetched = 0
    for url in urls_for_every_get_route(app, ints, strings):
        response = bob_browser.get(url)
        assert MARKER not in response.get_data(as_text=True), url
        fetched += 1
    assert fetched >= 10
    assert bob_browser.get(f"/reflection/{entries[0]}").status_code == 404
    assert bob_browser.get(f"/apology/{draft.id}").status_code == 404

    # Bob's own export.
    response = bob_browser.post("/my-data", {"password": PASSWORD}, page="/my-data")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    for name in archive.namelist():
        assert MARKER not in archive.read(name).decode(), name
    assert "Only these chosen words." in archive.read("my-data/my-data.md").decode()


def test_a_reconnecting_partner_gets_nothing_private_on_join(app, scene, socket_client):
    couple, alice, bob, alice_browser, bob_browser, _ = scene
    alice_writes_and_shares(alice, alice_browser)
    again = Listener(socket_client, bob_browser.client)
    assert NAMESPACE in again.sockets
    assert MARKER not in again.get_received()
