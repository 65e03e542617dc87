"""One refusal format on every Socket.IO namespace: the same codes, the same `error` event, the same acknowledgement."""
from __future__ import annotations

import pytest
from socketio import packet

from couples import accounts
from extensions import socketio

NAMESPACES = ("/couple", "/dialogue", "/agreements")


@pytest.fixture
def connect_errors(app, monkeypatch):
    """The data of every connection refusal the server sends, as the client's `connect_error` receives it."""
    sent = []
    base = socketio.server.packet_class

    class Recorded(base):
        def __init__(self, packet_type=packet.EVENT, data=None, *args, **kwargs):
            if packet_type == packet.CONNECT_ERROR:
                sent.append(data)
            super().__init__(packet_type, data, *args, **kwargs)

    monkeypatch.setattr(socketio.server, "packet_class", Recorded)
    return sent


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_a_signed_out_connection_is_refused_as_signed_out_on_every_namespace(app, socket_client, connect_errors,
                                                                             namespace):
    anonymous = socket_client(namespace, app.test_client())
    assert not anonymous.is_connected(namespace)
    assert connect_errors == [{"message": "Please sign in again.",
                               "data": {"code": "signed_out", "message": "Please sign in again."}}]


@pytest.fixture
def dialogue_socket(app, linked_couple, login, socket_client):
    """Bob's /dialogue socket, and Bob."""
    _, _, bob = linked_couple()
    socket = socket_client("/dialogue", login(app.test_client(), bob).client)
    assert socket.is_connected("/dialogue")
    return socket, bob


def test_a_dialogue_socket_whose_session_ended_is_refused_as_signed_out(app, clock, dialogue_socket):
    socket, bob = dialogue_socket
    accounts.end_sessions(bob)  # ends the login session without closing its sockets
    clock.advance(seconds=app.config["SOCKET_RECHECK_SECONDS"] + 1)
    socket.get_received("/dialogue")
    answer = socket.emit("writing", {"dialogue_id": 1}, namespace="/dialogue", callback=True)
    assert answer == {"ok": False, "error": {"code": "signed_out", "message": "Please sign in again."}}
    assert [(e["name"], e["args"]) for e in socket.get_received("/dialogue")] == [("error", [answer["error"]])]


def test_a_refused_dialogue_event_sends_the_error_event_every_namespace_sends(dialogue_socket):
    socket, _ = dialogue_socket
    socket.get_received("/dialogue")
    answer = socket.emit("act", {"dialogue_id": 10**6, "action": "invite", "index": 0, "text": None},
                         namespace="/dialogue", callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "not_found"
    assert [(e["name"], e["args"]) for e in socket.get_received("/dialogue")] == [("error", [answer["error"]])]

