"""Signing: the state rule of an agreement, and signatures made against the server's copy of the text."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from agreements import signing
from agreements.signing import AGREED, CHANGED_SINCE_SIGNED, DRAFT, SIGNED, agreement_state, text_hash
from couples import linking
from couples.errors import Conflict, Invalid, NotFound, ReadOnly
from tests.agreements.writing import add_agreement, content, new_document, set_text

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@dataclass
class Sig:
    signer_id: int
    text_hash: str
    signed_at: datetime


def sig(signer, text, minutes=0):
    return Sig(signer, text_hash(text), T0 + timedelta(minutes=minutes))


def test_unsigned_agreement_is_a_draft():
    assert agreement_state("No name-calling", []).status == DRAFT


def test_one_signature_shows_who_signed():
    state = agreement_state("No name-calling", [sig(1, "No name-calling")])
    assert state.status == SIGNED
    assert state.signer_ids == [1]


def test_agreed_needs_both():
    text = "No name-calling"
    assert agreement_state(text, [sig(1, text), sig(1, text, 5)]).status == SIGNED
    assert agreement_state(text, [sig(1, text), sig(2, text, 5)]).status == AGREED


def test_signature_goes_stale_when_text_changes():
    signatures = [sig(1, "No name-calling"), sig(2, "No name-calling")]
    state = agreement_state("No name-calling, ever", signatures)
    assert state.status == CHANGED_SINCE_SIGNED
    assert [s.signer_id for s in state.stale] == [1, 2]


def test_signing_the_new_text_again_counts_only_the_latest_signature():
    signatures = [sig(1, "old"), sig(2, "old"), sig(1, "new", 5)]
    state = agreement_state("new", signatures)
    assert state.status == SIGNED
    assert state.signer_ids == [1]
    assert [s.signer_id for s in state.stale] == [2]
    assert agreement_state("old", signatures).status == SIGNED


# --- signing against the server's own copy of the document ---------------------------------

TEXT = "No name-calling, even when we are furious."


@pytest.fixture
def signed_world(linked_couple):
    couple, alice, bob = linked_couple()
    document = new_document(couple)
    item = add_agreement(document, TEXT, author=alice)
    return couple, alice, bob, document, item


def state_of(document, item):
    found = content(document)
    ids = [entry["id"] for section in found["sections"] for entry in section["items"]]
    return signing.document_states(document, found)[ids.index(item)]


def test_signature_records_signer_time_and_the_exact_text(signed_world, clock):
    _, alice, _, document, item = signed_world
    signature = signing.sign(alice, document.id, item, TEXT)
    assert (signature.signer_id, signature.text, signature.signed_at) == (alice.id, TEXT, clock.at)
    assert signature.text_hash == text_hash(TEXT)
    assert state_of(document, item).status == SIGNED


def test_agreed_needs_both_partners(signed_world):
    _, alice, bob, document, item = signed_world
    signing.sign(alice, document.id, item, TEXT)
    signing.sign(alice, document.id, item, TEXT)
    assert state_of(document, item).status == SIGNED
    signing.sign(bob, document.id, item, TEXT)
    assert state_of(document, item).status == AGREED


def test_signature_goes_stale_when_the_server_text_changes(signed_world, clock):
    _, alice, bob, document, item = signed_world
    signing.sign(alice, document.id, item, TEXT)
    signing.sign(bob, document.id, item, TEXT)
    set_text(document, item, TEXT + " Or tired.", author=bob)
    assert state_of(document, item).status == CHANGED_SINCE_SIGNED
    clock.advance(minutes=1)
    signing.sign(alice, document.id, item, TEXT + " Or tired.")
    assert state_of(document, item).status == SIGNED
    set_text(document, item, TEXT, author=bob)  # back to the text both signed first
    assert state_of(document, item).status == SIGNED


def test_a_client_cannot_sign_text_the_server_does_not_hold(signed_world):
    _, alice, _, document, item = signed_world
    with pytest.raises(Conflict):
        signing.sign(alice, document.id, item, TEXT + " (typed but not saved yet)")
    assert signing.signatures_by_item(document) == {}


def test_an_empty_or_missing_agreement_cannot_be_signed(signed_world):
    _, alice, _, document, _ = signed_world
    empty = add_agreement(document, "   ")
    with pytest.raises(Invalid):
        signing.sign(alice, document.id, empty, "   ")
    with pytest.raises(NotFound):
        signing.sign(alice, document.id, "no-such-agreement", TEXT)
    with pytest.raises(Invalid):
        signing.sign(alice, document.id, ["not", "an", "id"], TEXT)


def test_nobody_signs_after_unlinking(signed_world):
    couple, alice, bob, document, item = signed_world
    linking.unlink(couple, bob)
    with pytest.raises(ReadOnly):
        signing.sign(alice, document.id, item, TEXT)


def test_someone_outside_the_couple_cannot_sign(signed_world, linked_couple):
    _, _, _, document, item = signed_world
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    with pytest.raises(NotFound):
        signing.sign(carol, document.id, item, TEXT)


def test_state_words_name_the_signer_for_each_reader(signed_world):
    _, alice, bob, document, item = signed_world
    signing.sign(alice, document.id, item, TEXT)
    state = state_of(document, item)
    assert signing.describe(state, alice, writable=True)["label"] == "Signed by you"
    assert signing.describe(state, alice, writable=True)["can_sign"] is False
    words = signing.describe(state, bob, writable=True)
    assert (words["label"], words["can_sign"]) == ("Signed by Alice Moreau", True)
    assert signing.describe(state, bob, writable=False)["can_sign"] is False
