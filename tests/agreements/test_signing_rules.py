"""The state rule of an agreement, without a database."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from agreements.signing import AGREED, CHANGED, DRAFT, SIGNED, agreement_state, text_hash

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
    assert state.status == CHANGED
    assert [s.signer_id for s in state.stale] == [1, 2]


def test_signing_the_new_text_again_counts_only_the_latest_signature():
    signatures = [sig(1, "old"), sig(2, "old"), sig(1, "new", 5)]
    state = agreement_state("new", signatures)
    assert state.status == SIGNED
    assert state.signer_ids == [1]
    assert [s.signer_id for s in state.stale] == [2]
    assert agreement_state("old", signatures).status == SIGNED
