"""The relay against a real process: who gets in, what is saved, acknowledged, relayed and refused."""
from __future__ import annotations

import pytest
from pycrdt import create_update_message

from agreements import sync
from agreements.shape import agreement_text, find_item
from couples import accounts, linking
from extensions import db
from relay import gate
from tests.agreements.conftest import stored_text

pytestmark = pytest.mark.server


def type_into(item_id: str, text: str, at: int = 0):
    """A change typing text into an agreement."""
    return lambda doc: find_item(doc, item_id)["text"].insert(at, text)


def synced(client) -> bool:
    """Whether the client has received the relay's step 2 (its document then holds the sections)."""
    return client.wait(lambda: len(client.doc.get_update()) > 100)


def test_a_connection_without_a_cookie_is_closed_as_signed_out(couple_document, connect):
    *_, document, _ = couple_document
    closed = connect(document.id, None).wait_closed()
    assert (closed.rcvd.code, closed.rcvd.reason) == (gate.SIGNED_OUT, "Please sign in again.")


def test_a_forged_cookie_is_refused(couple_document, connect, cookie_of):
    _, alice, _, document, _ = couple_document
    name, value = cookie_of(alice).split("=", 1)
    forged = f"{name}={value[:-4]}AAAA"
    assert connect(document.id, forged).wait_closed().rcvd.code == gate.SIGNED_OUT


def test_a_cookie_of_an_ended_login_session_is_refused(couple_document, connect, cookie_of):
    _, alice, _, document, _ = couple_document
    cookie = cookie_of(alice)
    accounts.end_sessions(alice)
    assert connect(document.id, cookie).wait_closed().rcvd.code == gate.SIGNED_OUT


@pytest.mark.parametrize("origin", [None, "http://127.0.0.1:6666", "https://elsewhere.example"])
def test_a_page_that_is_not_ours_cannot_connect(couple_document, connect, cookie_of, origin):
    _, alice, _, document, _ = couple_document
    closed = connect(document.id, cookie_of(alice), origin=origin).wait_closed()
    assert closed.rcvd.code == gate.FORBIDDEN_ORIGIN


def test_another_couples_document_is_not_found(couple_document, linked_couple, connect, cookie_of):
    *_, document, _ = couple_document
    _, stranger, _ = linked_couple("Lena Park", "Omar Haddad")
    closed = connect(document.id, cookie_of(stranger)).wait_closed()
    assert (closed.rcvd.code, closed.rcvd.reason) == (gate.NOT_FOUND, "We couldn't find that document.")


@pytest.mark.parametrize("path", ["/agreements/abc", "/agreements/", "/other/1", "/agreements/99999"])
def test_a_path_that_names_no_document_of_yours_is_not_found(couple_document, connect, cookie_of, path):
    _, alice, _, document, _ = couple_document
    assert connect(document.id, cookie_of(alice), path=path).wait_closed().rcvd.code == gate.NOT_FOUND


def test_an_update_is_committed_before_it_is_acknowledged_and_reaches_the_partner(couple_document, connect,
                                                                                   cookie_of):
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    index = maya.edit(type_into(item_id, "We talk before we decide."))
    assert maya.wait(lambda: maya.committed >= index)
    # Acknowledged, so already in the database.
    assert stored_text(document.id, item_id) == "We talk before we decide."
    assert sam.wait(lambda: agreement_text(sam.doc, item_id) == "We talk before we decide.")
    assert maya.refusals == []


def test_the_relay_asks_a_current_partner_for_what_it_lacks_on_connect_and_after_each_step1(
        couple_document, connect, cookie_of):
    _, alice, _, document, _ = couple_document
    maya = connect(document.id, cookie_of(alice))  # it sends step 1 on connect
    assert maya.wait(lambda: maya.server_step1 == 2)
    maya.sync()
    assert maya.wait(lambda: maya.server_step1 == 3)


def test_a_refused_update_changes_nothing_and_the_next_one_is_saved(couple_document, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    before = len(sam.doc.get_update())
    broken = maya.send(create_update_message(b"\x01\x01\xff\xff\xff\xff\x0f"))
    assert maya.wait(lambda: maya.refusals)
    assert maya.refusals[0][:2] == (broken, "malformed")
    index = maya.edit(type_into(item_id, "Kind words only."))
    assert maya.wait(lambda: maya.committed >= index)
    assert stored_text(document.id, item_id) == "Kind words only."
    assert sam.wait(lambda: agreement_text(sam.doc, item_id) == "Kind words only.")
    assert len(maya.refusals) == 1 and len(sam.doc.get_update()) > before


def test_a_former_partner_reads_the_archive_but_cannot_change_it(couple_document, connect, cookie_of):
    couple, alice, bob, document, item_id = couple_document
    maya_cookie = cookie_of(alice)
    linking.unlink(couple, bob)
    maya = connect(document.id, maya_cookie)
    assert synced(maya)
    assert agreement_text(maya.doc, item_id) == ""
    index = maya.edit(type_into(item_id, "Changed after the end."))
    assert maya.wait(lambda: maya.refusals)
    assert maya.refusals[0][:2] == (index, "read_only")
    assert maya.server_step1 == 0
    assert stored_text(document.id, item_id) == ""


def presence_of(client_id: int, state: dict | None):
    """An awareness message announcing one client's presence."""
    return sync.awareness_message([sync.Presence(client_id, 1, state)])


def test_presence_reaches_the_partner_with_the_name_the_relay_knows(couple_document, connect, cookie_of):
    _, alice, bob, document, _ = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    maya.send(presence_of(41, {"user": {"name": "Someone else", "color": "#aabb33"}, "cursor": None}))
    assert sam.wait(lambda: sam.awareness)
    (entry,) = sync.parse_awareness(sync.parse_message(sam.awareness[0]).payload)
    assert (entry.client_id, entry.state["user"]) == (41, {"name": "Maya Okafor", "color": "#aabb33"})


def test_no_presence_flows_while_either_partner_hides_it(couple_document, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    bob.share_presence = False
    db.session.commit()
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    maya.send(presence_of(41, {"user": {"name": "Maya", "color": "#ab3"}}))
    sam.send(presence_of(42, {"user": {"name": "Sam", "color": "#3ab"}}))
    index = maya.edit(type_into(item_id, "Both of us choose."))  # after the presence, in order
    assert sam.wait(lambda: agreement_text(sam.doc, item_id) == "Both of us choose.")
    assert maya.wait(lambda: maya.committed >= index)
    assert maya.awareness == [] and sam.awareness == []
