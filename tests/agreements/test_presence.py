"""Presence (awareness): relayed to the partner, limited to name, colour and caret, never stored."""
import json

import pytest
from pycrdt import Encoder, create_awareness_message

from agreements import store, sync
from extensions import db


def awareness(client_id, clock, state):
    encoder = Encoder()
    encoder.write_var_uint(1)
    encoder.write_var_uint(client_id)
    encoder.write_var_uint(clock)
    encoder.write_var_string(json.dumps(state))
    return create_awareness_message(encoder.to_bytes())


def presence_received(client):
    messages = [sync.parse_message(event["args"][1]) for event in client.received() if event["name"] == "yjs"]
    return [entry for message in messages if message.kind == sync.AWARENESS for entry in sync.parse_awareness(message.payload)]


CARET = {"item": "abc", "anchor": {"type": None, "tname": None, "item": {"client": 1, "clock": 2}, "assoc": 0}}


def test_presence_reaches_the_partner_with_the_name_the_server_knows(agreement):
    state = {"user": {"name": "Someone Else", "color": "#aa3355"}, "cursor": CARET}
    assert agreement.a.send(awareness(77, 1, state)) == {"ok": True}
    (entry,) = presence_received(agreement.b)
    assert entry.client_id == 77
    assert entry.state == {"user": {"name": "Alice Moreau", "color": "#aa3355"}, "cursor": CARET}
    assert agreement.a.received() == []


def test_presence_is_never_stored(agreement):
    before = store.read_log(agreement.document.id)
    agreement.a.send(awareness(77, 1, {"user": {"name": "Alice", "color": "#123"}, "cursor": CARET}))
    assert store.read_log(agreement.document.id) == before


@pytest.mark.parametrize(
    "state",
    [
        {"user": {"name": "Alice", "color": "#123"}, "location": {"lat": 48.85, "lon": 2.35}},
        {"user": {"name": "Alice", "color": "#123", "email": "alice@example.org"}},
        {"cursor": {"item": "abc", "reflection": "private note"}},
    ],
)
def test_presence_carrying_anything_else_is_refused(agreement, state):
    answer = agreement.a.send(awareness(77, 1, state))
    assert answer["ok"] is False and answer["error"]["code"] == "malformed"
    assert presence_received(agreement.b) == []


def test_a_colour_that_is_not_a_colour_is_dropped(agreement):
    agreement.a.send(awareness(77, 1, {"user": {"name": "A", "color": "red; background: url(x)"}}))
    (entry,) = presence_received(agreement.b)
    assert entry.state["user"]["color"] == ""


@pytest.mark.parametrize("colour", ["#123", "#11223344", "#12345g"])
def test_a_colour_is_six_hex_digits_as_the_page_draws_it(agreement, colour):
    agreement.a.send(awareness(77, 1, {"user": {"name": "A", "color": colour}}))
    (entry,) = presence_received(agreement.b)
    assert entry.state["user"]["color"] == ""


def test_nobody_can_change_the_partners_presence(agreement):
    agreement.a.send(awareness(77, 1, {"user": {"name": "A", "color": "#123"}}))
    agreement.b.received()
    answer = agreement.b.send(awareness(77, 2, None))
    assert answer["ok"] is False
    assert presence_received(agreement.a) == []


def test_presence_goes_when_the_partner_leaves(agreement):
    agreement.a.send(awareness(77, 4, {"user": {"name": "A", "color": "#123"}, "cursor": CARET}))
    agreement.b.received()
    agreement.a.socket.disconnect(namespace="/agreements")
    (entry,) = presence_received(agreement.b)
    assert (entry.client_id, entry.clock, entry.state) == (77, 5, None)


def test_a_newcomer_sees_who_is_already_here(agreement, partner):
    agreement.a.send(awareness(77, 1, {"user": {"name": "A", "color": "#123"}, "cursor": CARET}))
    newcomer = partner(agreement.bob)
    newcomer.join(agreement.document.id)
    assert [entry.client_id for entry in presence_received(newcomer)] == [77]


def test_presence_is_not_shared_by_someone_who_turned_it_off(agreement):
    agreement.alice.share_presence = False
    db.session.commit()
    assert agreement.a.send(awareness(77, 1, {"user": {"name": "A", "color": "#123"}})) == {"ok": True}
    assert presence_received(agreement.b) == []
