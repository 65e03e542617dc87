"""What the socket fuzzer found: a client's event named "connect" or "disconnect", or with the wrong number of
arguments, is refused before any handler runs (live/namespace.py), on every namespace."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from couples.models import LiveSocket
from extensions import db

NAMESPACES = ("/couple", "/agreements", "/dialogue")


@pytest.fixture
def alices_socket(linked_couple, client, login, socket_client):
    """Alice, linked with Bob, with one open socket per namespace."""
    _, alice, _ = linked_couple()
    login(client, alice)
    return {namespace: socket_client(namespace, client) for namespace in NAMESPACES}


def _tracked() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(LiveSocket))


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("event", ["disconnect", "connect"])
def test_a_client_cannot_run_the_lifecycle_handlers(alices_socket, namespace, event):
    """A fake "disconnect" would untrack the socket (revocation could not find it) while it stays open."""
    socket = alices_socket[namespace]
    assert _tracked() == 3
    for args in ((), ("client namespace disconnect",), ({"token": 1},), (1, 2, 3)):
        answer = socket.emit(event, *args, callback=True, namespace=namespace)
        assert answer == {"ok": False, "error": {"code": "unknown_event", "message": "There is no such event."}}
    assert socket.is_connected(namespace) and _tracked() == 3
    assert [m["name"] for m in socket.get_received(namespace) if m["name"] == "error"] == ["error"] * 4


@pytest.mark.parametrize("event, args", [
    ("act", ()), ("act", ({"dialogue_id": 1}, 2)), ("writing", ()), ("writing", ({"dialogue_id": 1}, None, 3)),
])
def test_dialogue_events_of_the_wrong_arity_are_refused(alices_socket, event, args):
    answer = alices_socket["/dialogue"].emit(event, *args, callback=True, namespace="/dialogue")
    assert answer["ok"] is False and answer["error"]["code"] == "bad_arity"


def test_a_real_disconnect_still_runs_its_handler(alices_socket):
    alices_socket["/agreements"].disconnect(namespace="/agreements")
    assert _tracked() == 2
