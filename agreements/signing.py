"""Sign-off: who signed which agreement, for exactly which text, and what state that leaves it in.

The state of an agreement is computed here and nowhere else; the page, the exports and the live
updates all ask ``agreement_state`` / ``document_states``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Protocol

DRAFT = "draft"
SIGNED = "signed"
AGREED = "agreed"
CHANGED = "changed"


class SignatureLike(Protocol):
    """What the state rule needs to know about one signature."""

    signer_id: int
    text_hash: str
    signed_at: datetime


def text_hash(text: str) -> str:
    """Return the hash that a signature records for this exact agreement text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AgreementState:
    """Where one agreement stands: its status and the latest signature of each signer."""

    status: str
    current: tuple = field(default_factory=tuple)
    stale: tuple = field(default_factory=tuple)

    @property
    def signer_ids(self) -> list[int]:
        """Return the ids of the people whose signature matches the current text."""
        return [s.signer_id for s in self.current]


def latest_by_signer(signatures: Iterable[SignatureLike]) -> list[SignatureLike]:
    """Return each signer's most recent signature, oldest first (a later signing replaces an earlier one)."""
    latest: dict[int, SignatureLike] = {}
    for signature in sorted(signatures, key=lambda s: s.signed_at):
        latest[signature.signer_id] = signature
    return sorted(latest.values(), key=lambda s: s.signed_at)


def agreement_state(text: str, signatures: Iterable[SignatureLike]) -> AgreementState:
    """Return the state of an agreement whose current text is ``text``.

    Agreed needs two signers whose latest signatures match the current text; a signature made for
    another text is stale, and an agreement with only stale signatures has changed since signed.
    """
    digest = text_hash(text)
    latest = latest_by_signer(signatures)
    current = tuple(s for s in latest if s.text_hash == digest)
    stale = tuple(s for s in latest if s.text_hash != digest)
    if len(current) >= 2:
        status = AGREED
    elif current:
        status = SIGNED
    elif stale:
        status = CHANGED
    else:
        status = DRAFT
    return AgreementState(status, current, stale)
