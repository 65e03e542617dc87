"""The relay's limits: messages per connection, the document's size, and large offline work that fits."""
from __future__ import annotations

import pytest
from pycrdt import Doc

from agreements.shape import agreement_text, find_item
from tests.agreements.conftest import stored_text
from tests.relay.test_relay import synced, type_into

pytestmark = pytest.mark.server


@pytest.mark.parametrize("relay_env", [{"SOCKET_EVENTS_PER_SECOND": "1", "SOCKET_EVENTS_BURST": "8"}])
def test_past_its_rate_a_connection_is_answered_slow_down_and_nothing_of_it_is_kept(couple_document, connect,
                                                                                   cookie_of):
    _, alice, _, document, item_id = couple_document
    maya = connect(document.id, cookie_of(alice))
    assert synced(maya)
    indexes = [maya.edit(type_into(item_id, letter)) for letter in "abcdefghijkl"]
    answered = lambda: max([maya.committed, *(index for index, _, _ in maya.refusals)]) >= indexes[-1]  # noqa: E731
    assert maya.wait(answered)
    refused = {index: code for index, code, _ in maya.refusals}
    assert "slow_down" in refused.values() and set(refused) <= set(indexes)
    # Those built on a refused one are refused too (their base is missing): never half of anything.
    assert set(refused.values()) <= {"slow_down", "unknown_base"}
    assert len(stored_text(document.id, item_id)) == len(indexes) - len(refused)
    assert maya.closed is None


@pytest.mark.parametrize("relay_env", [{"AGREEMENTS_MAX_DOCUMENT_BYTES": str(64 * 1024)}])
def test_a_full_document_refuses_more_but_deleting_always_works(couple_document, connect, cookie_of):
    _, alice, _, document, item_id = couple_document
    maya = connect(document.id, cookie_of(alice))
    assert synced(maya)
    first = maya.edit(type_into(item_id, "x" * 60_000))
    assert maya.wait(lambda: maya.committed >= first)
    index = maya.edit(type_into(item_id, "y" * 10_000))
    assert maya.wait(lambda: maya.refusals)
    assert maya.refusals[0][:2] == (index, "document_full")
    assert stored_text(document.id, item_id) == "x" * 60_000
    # A fresh copy of what is saved: deleting from a full document is always taken.
    fresh = connect(document.id, cookie_of(alice))
    assert synced(fresh)
    deleting = fresh.edit(lambda doc: find_item(doc, item_id)["text"].__delitem__(slice(0, 1_000)))
    assert fresh.wait(lambda: fresh.committed >= deleting)
    assert fresh.refusals == []
    assert stored_text(document.id, item_id) == "x" * 59_000


def test_large_offline_work_is_saved_in_one_step_2(couple_document, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    maya.close()
    # About 1.8 MB typed offline, in many edits: more than any earlier limit on one message.
    offline = Doc()
    offline.apply_update(maya.doc.get_update())
    text = find_item(offline, item_id)["text"]
    for _ in range(90):
        text.insert(len(text), "w" * 20_000)
    again = connect(document.id, cookie_of(alice))
    again.doc.apply_update(offline.get_update())
    again.sync()  # the relay answers with its step 1, and the reply carries the offline work
    assert again.wait(lambda: again.server_step1 >= 3)
    assert again.wait(lambda: again.committed >= again.sent, timeout=120)
    assert again.refusals == []
    assert len(stored_text(document.id, item_id)) == 1_800_000
    assert sam.wait(lambda: len(agreement_text(sam.doc, item_id) or "") == 1_800_000, timeout=120)
