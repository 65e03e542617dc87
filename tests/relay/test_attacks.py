"""Bad input to the relay: refused with a code (or, if not an update, dropped), nothing stored, the relay goes on.

Moved from the Socket.IO /agreements suite (tests/agreements/test_refusals.py). Who may connect at all
(no cookie, another couple, a former partner, a deleted account) is tests/relay/test_relay.py's and
tests/relay/test_revocation.py's; the size of a whole document is tests/relay/test_limits.py's.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st
from pycrdt import Doc, create_update_message, write_message
import pytest

from agreements import service, store
from agreements.shape import agreement_text, find_item, read_document, sections
from extensions import db
from tests.agreements.conftest import stored_doc, stored_text
from tests.agreements.test_shape_enforcement import ATTACKS, SIGNED_TEXT
from tests.agreements.writing import add_agreement, set_text
from tests.relay.test_relay import synced, type_into

pytestmark = pytest.mark.server


def log_of(document):
    db.session.commit()  # read what the relay committed, not an open transaction's snapshot
    return store.read_log(document.id)


def still_works(maya, sam, document, item_id) -> None:
    """Maya's next ordinary edit is saved and reaches Sam."""
    before = agreement_text(maya.doc, item_id)
    index = maya.edit(type_into(item_id, "ok "))
    assert maya.wait(lambda: maya.committed >= index)
    assert sam.wait(lambda: agreement_text(sam.doc, item_id) == "ok " + before)
    assert stored_text(document.id, item_id) == "ok " + before


@pytest.fixture
def partners(couple_document, connect, cookie_of):
    """Maya and Sam connected to their document and synced: (maya, sam, document, item id)."""
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    return maya, sam, document, item_id


@pytest.mark.parametrize("message", [
    b"\x00\x02\x40short",  # declares 64 bytes, carries 5
    b"\x00\x02",  # no payload at all
    b"\x00\x02\x03\x01\x02\x03trailing",  # bytes after the payload
    b"\x00\x01\x05\x00\x00",  # a step 2 whose payload is cut
])
def test_a_malformed_update_is_refused_and_nothing_is_stored(partners, message):
    maya, sam, document, item_id = partners
    before = log_of(document)
    index = maya.send(message)
    assert maya.wait(lambda: maya.refusals)
    assert maya.refusals[0][:2] == (index, "malformed")
    assert log_of(document) == before
    still_works(maya, sam, document, item_id)


@pytest.mark.parametrize("message", [b"\x00\x07\x00", b"\x05\x00", b"", b"\x01", b"\x14\x01", "a text frame"])
def test_a_frame_that_is_not_an_update_is_dropped_and_the_connection_carries_on(partners, message):
    maya, sam, document, item_id = partners
    before = log_of(document)
    maya.ws.send(message)
    still_works(maya, sam, document, item_id)
    assert maya.refusals == [] and maya.closed is None
    assert len(log_of(document)) == len(before) + 1  # only the ordinary edit


def test_a_truncated_update_is_refused(partners):
    maya, sam, document, item_id = partners
    writer = Doc()
    writer.apply_update(maya.doc.get_update())
    state = writer.get_state()
    find_item(writer, item_id)["text"].insert(0, "a sentence that will be cut")
    update = writer.get_update(state)
    index = maya.send(create_update_message(update[:-6]))
    assert maya.wait(lambda: maya.refusals)
    assert maya.refusals[0][:2] == (index, "malformed")
    assert stored_text(document.id, item_id) == ""
    still_works(maya, sam, document, item_id)


def test_a_frame_over_the_size_limit_closes_the_connection_with_message_too_big(partners, app):
    maya, sam, document, item_id = partners
    before = log_of(document)
    maya.ws.send(b"\x00\x02" + b"x" * (app.config["AGREEMENTS_MAX_DOCUMENT_BYTES"] + 64 * 1024 + 1))
    assert maya.wait_closed().rcvd.code == 1009
    assert log_of(document) == before
    assert sam.closed is None


def test_an_update_made_on_another_document_is_refused(partners, couple_document):
    maya, sam, document, item_id = partners
    _, alice, *_ = couple_document
    other = service.add_document(alice, document.couple_id, "After the move", suggested=True)
    theirs = stored_doc(other.id)
    changes = []
    theirs.observe(lambda event: changes.append(event.update))
    next(sections(theirs))["title"].insert(0, "Our ")
    before = log_of(document)
    index = maya.send(create_update_message(changes[0]))
    assert maya.wait(lambda: maya.refusals)
    assert maya.refusals[0][:2] == (index, "unknown_base")
    assert log_of(document) == before
    still_works(maya, sam, document, item_id)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=300), kind=st.sampled_from([b"\x00\x00", b"\x00\x01", b"\x00\x02", b"\x01"]))
def test_random_bytes_never_change_the_stored_document(partners, payload, kind):
    maya, sam, document, item_id = partners
    before = read_document(stored_doc(document.id))
    seen = maya.server_step1
    maya.send(kind + write_message(payload))
    maya.sync()  # the relay answers in order: its step 1 comes once the random frame was handled
    assert maya.wait(lambda: maya.server_step1 > seen)
    db.session.commit()
    assert read_document(stored_doc(document.id)) == before
    assert maya.closed is None and sam.closed is None


@pytest.mark.parametrize("relay_env", [{"SOCKET_EVENTS_PER_SECOND": "5", "SOCKET_EVENTS_BURST": "20"}])
def test_a_flooding_connection_is_closed_and_the_partner_carries_on(couple_document, connect, cookie_of,
                                                                    relay_env):
    """Moved from tests/security/test_limits.py: past FLOOD_FACTOR bursts refused, the relay closes it (4429);
    the partner's connection stays open and their typing is saved as usual."""
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    junk = b"\x00\x00\x01\x00"  # a valid step 1: each costs a token
    for _ in range(200):
        maya.send(junk)
        if maya.closed is not None:
            break
    closed = maya.wait_closed()
    assert (closed.rcvd.code, closed.rcvd.reason) == (4429, "Too much at once. Reload the page to carry on.")
    index = sam.edit(type_into(item_id, "We slow down."))
    assert sam.wait(lambda: sam.committed >= index)
    assert sam.closed is None and sam.refusals == []
    assert stored_text(document.id, item_id) == "We slow down."


class _Attacker:
    """What an attack of tests/agreements/test_shape_enforcement.py reaches for on the attacker's side."""

    def __init__(self, doc, item_id):
        self.doc, self.item_id = doc, item_id

    def text(self, item_id):
        return find_item(self.doc, item_id)["text"]


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_an_update_that_breaks_the_shape_is_refused_and_reaches_nobody(couple_document, connect, cookie_of, attack):
    _, alice, bob, document, item_id = couple_document
    set_text(document, item_id, SIGNED_TEXT)  # what the attacks aim at
    add_agreement(document, section=1, text="We talk before we buy anything big.")  # the attacks' draft in section two
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    assert sam.wait(lambda: len(list(sections(sam.doc))[1]["items"]) == 1)
    before = log_of(document)
    with maya._lock:
        maya_had = maya.doc.get_update()
    index = sam.edit(lambda doc: ATTACKS[attack](_Attacker(doc, item_id), _Attacker(doc, item_id)))
    assert sam.wait(lambda: sam.refusals)
    assert sam.refusals[0][:2] == (index, "invalid_shape")
    assert log_of(document) == before
    with maya._lock:
        assert maya.doc.get_update() == maya_had
    reloaded = connect(document.id, cookie_of(bob))  # Sam's page, reloaded from what is saved
    assert synced(reloaded)
    still_works(maya, reloaded, document, item_id)
    assert len(log_of(document)) == len(before) + 1  # only Maya's edit: nothing of the attack was relayed
