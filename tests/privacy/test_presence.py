"""Presence flows between partners only while both share it, on every namespace, in both directions.

Each partner is on every live channel at once (home's /couple, a dialogue's /dialogue, a document's
/agreements); each does everything that can show them as present (arriving, a caret, "writing…",
leaving) and we check every event the other side receives.
"""
from __future__ import annotations

import json

import pytest
from pycrdt import Encoder, create_awareness_message
from sqlalchemy import select

from agreements import sync
from agreements.models import AgreementDocument
from extensions import db
from tests.agreements.conftest import TestPartner
from tests.dialogue.play import walk
from tests.dialogue.transitions import PATHS

SHARING = [(True, True), (True, False), (False, True), (False, False)]
CHANNELS = ("/couple", "/dialogue", "/agreements")


def awareness(client_id: int, clock: int, name: str) -> bytes:
    """One y-protocols awareness message: a client's name, colour and nothing else."""
    encoder = Encoder()
    encoder.write_var_uint(1)
    encoder.write_var_uint(client_id)
    encoder.write_var_uint(clock)
    encoder.write_var_string(json.dumps({"user": {"name": name, "color": "#336699"}}))
    return create_awareness_message(encoder.to_bytes())


class Person:
    """One partner with a page open on every live channel."""

    def __init__(self, app, user, login, socket_client, document_id, dialogue_id, client_id):
        self.user, self.document_id, self.dialogue_id, self.client_id = user, document_id, dialogue_id, client_id
        self.browser = login(app.test_client(), user)
        self.socket_client = socket_client
        self.sockets = {}
        self.doc = None
        self.clock = 0
        self.heard: dict[str, list] = {channel: [] for channel in CHANNELS}

    def arrive(self, *channels: str) -> None:
        """Open the pages of these channels (all of them by default)."""
        for channel in channels or CHANNELS:
            self.sockets[channel] = self.socket_client(channel, self.browser.client)
            assert self.sockets[channel].is_connected(channel)
            if channel == "/agreements":
                self.doc = TestPartner(self.sockets[channel])
                assert self.doc.join(self.document_id) == {"ok": True}
            self.listen()

    def move_caret(self) -> None:
        self.clock += 1
        assert self.doc.send(awareness(self.client_id, self.clock, self.user.name)) == {"ok": True}

    def write(self) -> None:
        answer = self.sockets["/dialogue"].emit("writing", {"dialogue_id": self.dialogue_id}, namespace="/dialogue",
                                                callback=True)
        assert answer == {"ok": True}

    def leave(self, *channels: str) -> None:
        for channel in channels or reversed(CHANNELS):
            self.sockets.pop(channel).disconnect(namespace=channel)

    def listen(self) -> dict[str, list]:
        """Everything received so far, by channel: (event, payload), or for documents (client id, here?)."""
        for channel, socket in self.sockets.items():
            for event in socket.get_received(channel):
                if event["name"] == "yjs":
                    message = sync.parse_message(event["args"][1])
                    if message.kind == sync.AWARENESS:
                        self.heard[channel] += [(entry.client_id, entry.state is not None)
                                                for entry in sync.parse_awareness(message.payload)]
                    else:
                        self.doc.receive(*event["args"])
                else:
                    self.heard[channel].append((event["name"], event["args"][0] if event["args"] else None))
        return self.heard

    def forget(self) -> None:
        self.listen()
        self.heard = {channel: [] for channel in CHANNELS}


@pytest.fixture
def partners(app, linked_couple, login, socket_client):
    """partners(alice_shares, bob_shares) -> (alice, bob): Persons in one linked couple with an open dialogue."""

    def make(alice_shares: bool, bob_shares: bool):
        couple, alice, bob = linked_couple()
        alice.share_presence, bob.share_presence = alice_shares, bob_shares
        db.session.commit()
        document_id = db.session.scalar(select(AgreementDocument.id).where(AgreementDocument.couple_id == couple.id))
        dialogue = walk(couple, alice, bob, PATHS["checking"])
        return (Person(app, alice, login, socket_client, document_id, dialogue.id, 77),
                Person(app, bob, login, socket_client, document_id, dialogue.id, 88))

    return make


def both_here(partners):
    """Alice and Bob, both sharing, each on every channel with a caret in the document; nothing heard yet."""
    alice, bob = partners(True, True)
    alice.arrive()
    bob.arrive()
    alice.move_caret()
    bob.move_caret()
    alice.forget()
    bob.forget()
    return alice, bob


def writing_from(person):
    return ("writing", {"dialogue_id": person.dialogue_id, "user_id": person.user.id})


@pytest.mark.parametrize("alice_shares, bob_shares", SHARING)
def test_presence_crosses_every_channel_only_while_both_share(partners, alice_shares, bob_shares):
    alice, bob = partners(alice_shares, bob_shares)
    flows = alice_shares and bob_shares

    alice.arrive()
    alice.move_caret()
    bob.arrive()  # sees Alice's caret at once if presence flows
    bob.move_caret()
    alice.write()
    bob.write()
    bob_heard = bob.listen()
    bob.leave()

    assert bob_heard == {
        "/couple": [("presence", {"here": flows})],
        "/dialogue": [writing_from(alice)] if flows else [],
        "/agreements": [(77, True)] if flows else [],
    }
    assert alice.listen() == {
        "/couple": [("presence", {"here": False})] + ([("presence", {"here": True}),
                                                       ("presence", {"here": False})] if flows else []),
        "/dialogue": [writing_from(bob)] if flows else [],
        "/agreements": [(88, True), (88, False)] if flows else [],
    }


@pytest.mark.parametrize("alice_shares, bob_shares", SHARING)
def test_the_home_page_shows_here_now_only_while_both_share(partners, alice_shares, bob_shares):
    alice, bob = partners(alice_shares, bob_shares)
    bob.arrive("/dialogue")
    page = alice.browser.get("/").get_data(as_text=True)
    if alice_shares and bob_shares:
        assert "Bob Lindqvist is here now" in page
    else:
        assert "Bob Lindqvist is not here right now" in page


def test_turning_sharing_off_withdraws_what_each_page_already_shows(partners):
    alice, bob = both_here(partners)

    assert bob.browser.post("/settings/privacy", {}, page="/settings/privacy").status_code == 302

    assert alice.listen() == {"/couple": [("presence", {"here": False})], "/dialogue": [], "/agreements": [(88, False)]}
    assert bob.listen() == {"/couple": [("presence", {"here": False})], "/dialogue": [], "/agreements": [(77, False)]}
    alice.forget()

    # And from now on nothing, including when Bob moves, writes or leaves.
    bob.move_caret()
    bob.write()
    bob.leave()
    assert alice.listen() == {channel: [] for channel in CHANNELS}


def test_a_partner_who_does_not_share_learns_nothing_when_the_other_changes_the_setting(partners):
    alice, bob = partners(True, False)
    alice.arrive()
    bob.arrive()
    bob.forget()
    for data in ({}, {"share_presence": "y"}, {}):
        assert alice.browser.post("/settings/privacy", data, page="/settings/privacy").status_code == 302
    assert bob.listen() == {channel: [] for channel in CHANNELS}


def test_turning_sharing_back_on_shows_who_is_here_again(partners):
    alice, bob = partners(True, False)
    alice.arrive("/couple")
    bob.arrive("/couple")
    alice.forget()
    bob.forget()
    assert bob.browser.post("/settings/privacy", {"share_presence": "y"}, page="/settings/privacy").status_code == 302
    assert alice.listen()["/couple"] == [("presence", {"here": True})]
    assert bob.listen()["/couple"] == [("presence", {"here": True})]
