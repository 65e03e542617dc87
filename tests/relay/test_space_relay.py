"""The relay keeps a space too: no presence crosses it either way on a document, and the document still works."""
from __future__ import annotations

import pytest

from agreements.shape import agreement_text
from privacy import space
from tests.relay.test_relay import presence_of, synced, type_into

pytestmark = pytest.mark.server


def test_no_presence_crosses_a_space_on_a_document_and_writing_still_works(couple_document, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    space.ask(alice, "day", "")
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    maya.send(presence_of(41, {"user": {"name": "Maya", "color": "#ab3"}}))
    sam.send(presence_of(42, {"user": {"name": "Sam", "color": "#3ab"}}))
    index = maya.edit(type_into(item_id, "Both of us choose."))  # after the presence, in order
    assert sam.wait(lambda: agreement_text(sam.doc, item_id) == "Both of us choose.")  # space is not a lock
    assert maya.wait(lambda: maya.committed >= index)
    reply = sam.edit(type_into(item_id, "Yes. "))
    assert maya.wait(lambda: agreement_text(maya.doc, item_id) == "Yes. Both of us choose.")
    assert sam.wait(lambda: sam.committed >= reply)
    assert maya.awareness == [] and sam.awareness == []
