"""Sign-off: who signed which agreement, for exactly which text, and what state that leaves it in.

The state of an agreement is computed here and nowhere else; the page, the exports and the live
updates all ask ``agreement_state`` / ``document_states``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import hashlib
from typing import Iterable, Protocol

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agreements import history, rooms, shape
from agreements.models import AgreementDocument
from agreements.service import document_for_member
from couples import clock
from couples.errors import Conflict, Invalid, NotFound
from couples.models import User
from extensions import UTCDateTime, db, socketio
from live.sockets import announce

DRAFT = "draft"
SIGNED = "signed"
AGREED = "agreed"
CHANGED_SINCE_SIGNED = "changed"  # signed once, but its text has changed since: the signatures no longer match


class Signature(db.Model):
    """One partner's signature of one agreement, for exactly one text. Rows are only ever added."""

    __tablename__ = "agreement_signature"
    __table_args__ = (Index("ix_agreement_signature_document_id_item_id", "document_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("agreement_document.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64))
    signer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    signer: Mapped[User] = relationship(lazy="joined")


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
    signatures: tuple = field(default_factory=tuple)  # every signature that counted for this agreement

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
    signatures = tuple(signatures)
    latest = latest_by_signer(signatures)
    current = tuple(s for s in latest if s.text_hash == digest)
    stale = tuple(s for s in latest if s.text_hash != digest)
    if len(current) >= 2:
        status = AGREED
    elif current:
        status = SIGNED
    elif stale:
        status = CHANGED_SINCE_SIGNED
    else:
        status = DRAFT
    return AgreementState(status, current, stale, signatures)


def signatures_by_item(document: AgreementDocument) -> dict[str, list[Signature]]:
    """Return every signature of the document, grouped by agreement id, oldest first."""
    grouped: dict[str, list[Signature]] = {}
    rows = db.session.scalars(
        select(Signature).where(Signature.document_id == document.id).order_by(Signature.signed_at, Signature.id)
    )
    for signature in rows:
        grouped.setdefault(signature.item_id, []).append(signature)
    return grouped


def holders(agreements: list[tuple[str, str]], signed: dict[str, set[str]]) -> list[bool]:
    """For each (id, text) in document order: does this agreement hold the signatures made for its id?

    A signature covers an id and one exact text, and is counted for one agreement only. Ids are unique
    (the server refuses anything else), but should a stored document hold copies of an id, only one
    copy holds its signatures: the first whose text was signed under that id, else the first copy.
    ``signed`` maps ids to the hashes of the texts signed under them.
    """
    holder: dict[str, int] = {}
    signed_at: dict[str, int] = {}
    for index, (item_id, text) in enumerate(agreements):
        holder.setdefault(item_id, index)
        if item_id not in signed_at and text_hash(text) in signed.get(item_id, ()):
            signed_at[item_id] = index
    holder.update(signed_at)
    return [holder[item_id] == index for index, (item_id, _) in enumerate(agreements)]


def document_states(document: AgreementDocument, content: dict) -> list[AgreementState]:
    """Return the state of each agreement in ``content`` (``shape.read_document``), in document order.

    Each state is computed from that agreement's own text and the signatures it holds (``holders``),
    so no text can show another's signatures.
    """
    return states_of(content, signatures_by_item(document))


def states_of(content: dict, signatures: dict[str, list[Signature]]) -> list[AgreementState]:
    """``document_states`` from the signatures already read (``signatures_by_item``): no database work,
    so it may run off the event loop."""
    agreements = [(item["id"], item["text"]) for section in content["sections"] for item in section["items"]]
    signed = {item_id: {s.text_hash for s in found} for item_id, found in signatures.items()}
    return [
        agreement_state(text, signatures.get(item_id, []) if holds else [])
        for (item_id, text), holds in zip(agreements, holders(agreements, signed))
    ]


MAX_TEXT = 20_000


def sign(user: User, document_id: int, item_id, seen_text) -> Signature:
    """Record the user's signature of an agreement's text as the server holds it now.

    ``seen_text`` is what the signer read; if the server holds another text (their latest typing is
    not saved yet, or the partner changed it meanwhile), nothing is signed.
    """
    document = document_for_member(user, document_id, write=True)
    if not isinstance(item_id, str) or not isinstance(seen_text, str) or len(seen_text) > MAX_TEXT:
        raise Invalid("Please choose an agreement to sign.")
    text = rooms.read(document.id, document.couple_id, lambda doc: shape.agreement_text(doc, item_id))
    if text is None:
        raise NotFound("That agreement is no longer in the document.")
    if not text.strip():
        raise Invalid("An empty agreement cannot be signed.")
    if text != seen_text:
        raise Conflict("The text you see is not the text saved yet. Wait a moment until it shows "
                       "“All changes saved”, read it again, then sign.")
    signature = Signature(document_id=document.id, item_id=item_id, signer_id=user.id,
                          text_hash=text_hash(text), text=text, signed_at=clock.now())
    db.session.add(signature)
    history.take_version(document, history.SIGNING, note=history.short(text), actor=user)
    db.session.commit()
    _tell_signed(document)
    return signature


def _tell_signed(document: AgreementDocument) -> None:
    """Both partners' pages read the states again: the open document (on the older /agreements namespace; the
    relay's pages learn it from the relay), and the home page, which counts what waits for a signature."""
    socketio.emit("states", {"doc": document.id}, to=rooms.room_name(document.id), namespace=rooms.NAMESPACE)
    announce(document.couple_id, "agreements_changed", {"doc": document.id})


def _names(signatures, viewer: User | None) -> str:
    names = ["you" if viewer is not None and s.signer_id == viewer.id else s.signer.name for s in signatures]
    return " and ".join(names)


def describe(state: AgreementState, viewer: User | None = None, writable: bool = False) -> dict:
    """Return the words for an agreement's state, as the viewer (or, without one, an export) should read them."""
    mine = viewer is not None and viewer.id in state.signer_ids
    if state.status == AGREED:
        label, detail = "Agreed", f"Signed by {_names(state.current, viewer)}."
    elif state.status == SIGNED:
        signer = state.current[0]
        label = f"Signed by {_names(state.current, viewer)}"
        if mine:
            detail = "Waiting for your partner to read it and sign."
        elif viewer is not None:
            detail = "Read it, and sign it too if you agree."
        else:
            detail = f"{signer.signer.name} signed this text; the other signature is missing."
    elif state.status == CHANGED_SINCE_SIGNED:
        label = "Changed since signed"
        detail = f"The text changed after {_names(state.stale, viewer)} signed."
        if writable:
            detail += " Both need to sign again."
    else:
        label, detail = "Draft", "Not signed yet."
    return {
        "status": state.status,
        "label": label,
        "detail": detail,
        "can_sign": writable and viewer is not None and not mine and state.status != AGREED,
    }
