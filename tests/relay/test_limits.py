"""The relay's limits: messages per connection, the document's size, and large offline work that fits."""
from __future__ import annotations

import pytest
from pycrdt import Doc

from agreements.shape import MAX_ITEMS, MAX_TEXT, find_item, items, new_item, sections
from tests.agreements.conftest import stored_doc, stored_text
from tests.relay.test_relay import synced, type_into

pytestmark = pytest.mark.server


def add_agreements(count: int, letter: str):
    """A change adding count agreements of the editor's full length, each section filled up to its bound."""
    def change(doc: Doc) -> None:
        left = count
        for section in sections(doc):
            take = min(MAX_ITEMS - len(section["items"]), left)
            for _ in range(take):
                section["items"].append(new_item(letter * MAX_TEXT))
            left -= take
            if not left:
                return
        raise AssertionError("the document has no room for that many agreements")
    return change


def words(doc: Doc) -> int:
    """How many characters all the document's agreements hold."""
    return sum(len(str(item["text"])) for section in sections(doc) for item in items(section))


@pytest.mark.parametrize("relay_env", [{"SOCKET_EVENTS_PER_SECOND": "1", "SOCKET_EVENTS_BURST": "8"}])
def test_past_its_rate_a_connection_is_answered_slow_down_and_nothing_of_it_is_kept(couple_document, connect,
                                                                                   cookie_of):
    _, alice, _, document, item_id = couple_document
    maya = connect(document.id, cookie_of(alice))
    assert synced(maya)
    indexes = [maya.edit(type_into(item_id, letter)) for letter in "abcdefghijkl"]
    answered = lambda: max([maya.committed, *(index for index, _, _ in maya.refusals)]) >= indexes[-1]  # noqa: E731
    assert maya.wait(answered)
    # The client's own sync messages count against the rate too, and may be refused alongside the edits.
    refused = {index: code for index, code, _ in maya.refusals if index in indexes}
    assert "slow_down" in refused.values()
    # Those built on a refused one are refused too (their base is missing): never half of anything.
    assert set(refused.values()) <= {"slow_down", "unknown_base"}
    assert len(stored_text(document.id, item_id)) == len(indexes) - len(refused)
    assert maya.closed is None


@pytest.mark.parametrize("relay_env", [{"AGREEMENTS_MAX_DOCUMENT_BYTES": str(64 * 1024)}])
def test_a_full_document_refuses_more_but_deleting_always_works(couple_document, connect, cookie_of):
    _, alice, _, document, item_id = couple_document
    maya = connect(document.id, cookie_of(alice))
    assert synced(maya)
    first = maya.edit(add_agreements(30, "x"))
    assert maya.wait(lambda: maya.committed >= first)
    index = maya.edit(add_agreements(5, "y"))
    assert maya.wait(lambda: maya.refusals)
    assert maya.refusals[0][:2] == (index, "document_full")
    assert words(stored_doc(document.id)) == 30 * MAX_TEXT
    # A fresh copy of what is saved: deleting from a full document is always taken.
    fresh = connect(document.id, cookie_of(alice))
    assert synced(fresh)
    full = next(item["id"] for section in sections(fresh.doc) for item in items(section) if len(item["text"]))
    deleting = fresh.edit(lambda doc: find_item(doc, full)["text"].__delitem__(slice(0, 1_000)))
    assert fresh.wait(lambda: fresh.committed >= deleting)
    assert fresh.refusals == []
    assert words(stored_doc(document.id)) == 30 * MAX_TEXT - 1_000


def test_large_offline_work_is_saved_in_one_step_2(couple_document, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    maya.close()
    # About 1.8 MB typed offline, in many edits: more than any earlier limit on one message.
    offline = Doc()
    offline.apply_update(maya.doc.get_update())
    for _ in range(9):  # 900 agreements of the editor's full length, in nine edits
        add_agreements(100, "w")(offline)
    again = connect(document.id, cookie_of(alice))
    again.absorb(offline.get_update())  # under the client's lock: its reader may be applying the relay's step 2
    again.sync()  # the relay answers with its step 1, and the reply carries the offline work
    assert again.wait(lambda: again.server_step1 >= 3)
    assert again.wait(lambda: again.committed >= again.sent, timeout=120)
    assert again.refusals == []
    assert words(stored_doc(document.id)) == 1_800_000
    assert sam.wait(lambda: words(sam.doc) == 1_800_000, timeout=120)
