"""What partners do with an apology: write it in private, send it, answer it, turn its change into a promise.

Plain functions taking the acting user; they raise DomainError and never look at the request.
A draft is its writer's alone: every way of finding an apology goes through `apology_for`, which says
"not found" to anyone else, so no page, export or event can reach a draft.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import delete, or_, select, update

from apology.models import ANSWERS, PART_MAX, TALK, TIME, Apology
from couples import clock
from couples.access import couple_for_member, current_couple
from couples.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from couples.models import Couple, User, couple_ids_of
from dialogue import service as dialogue_service
from extensions import db
from ledger import service as ledger
from ledger.models import Promise
from live.sockets import announce
from privacy import mydata

NO_DEMAND = "You don't have to answer this, or forgive me."


@dataclass
class Parts:
    """The four parts of an apology, as the writer wrote them."""

    what_i_did: str = ""
    how_it_affected: str = ""
    responsibility: str = ""
    differently: str = ""


PART_NAMES = tuple(f.name for f in fields(Parts))
# What sending asks of each part, in the writer's own words.
MISSING = {
    "what_i_did": "Say what you did, in your own words.",
    "how_it_affected": "Say how it may have affected them.",
    "responsibility": "Say that you take responsibility for it.",
    "differently": "Say what you will do differently.",
}


def _cleaned(parts: Parts) -> Parts:
    cleaned = Parts(*((getattr(parts, name) or "").strip() for name in PART_NAMES))
    for name in PART_NAMES:
        if len(getattr(cleaned, name)) > PART_MAX:
            raise Invalid(f"Each part can hold up to {PART_MAX:,} characters. Shorter is often kinder to read.",
                          "too_long")
    return cleaned


# ---- finding ------------------------------------------------------------------------------------

def apology_for(user: User, apology_id: int, write: bool = False) -> Apology:
    """The apology if the user may see it: a sent one in a couple they are (or were) in, or their own draft."""
    apology = db.session.get(Apology, apology_id) if 0 < apology_id < 2**31 else None
    if apology is None or (apology.is_draft and apology.author_id != user.id):
        raise NotFound("We couldn't find that apology.")
    couple_for_member(user, apology.couple_id, write=write)
    return apology


def _couple_ids(user: User):
    return couple_ids_of(user)


def visible_to(user: User) -> list[Apology]:
    """Every apology the user may see, in every couple they are or were in, newest first."""
    return list(db.session.scalars(
        select(Apology)
        .where(Apology.couple_id.in_(_couple_ids(user)),
               or_(Apology.sent_at.is_not(None), Apology.author_id == user.id))
        .order_by(Apology.id.desc())))


def sent_in(user: User, couple: Couple) -> list[Apology]:
    """The letters sent in one couple the user is or was in (an archive shows them), oldest first."""
    couple_for_member(user, couple.id)
    return list(db.session.scalars(select(Apology).where(
        Apology.couple_id == couple.id, Apology.sent_at.is_not(None)).order_by(Apology.id)))


def draft_of(user: User, couple: Couple) -> Apology | None:
    """The user's unsent apology in this couple, if there is one."""
    return db.session.scalar(select(Apology).where(
        Apology.couple_id == couple.id, Apology.author_id == user.id, Apology.sent_at.is_(None)))


def letters_waiting(user: User) -> list[Apology]:
    """Apologies sent to the user in their current couple that they have not answered (or asked time for)."""
    couple = current_couple(user)
    if couple is None:
        return []
    return list(db.session.scalars(select(Apology).where(
        Apology.couple_id == couple.id, Apology.author_id != user.id, Apology.sent_at.is_not(None),
        or_(Apology.answer.is_(None), Apology.answer == TIME)).order_by(Apology.id)))


# ---- writing ------------------------------------------------------------------------------------

def start(user: User, couple: Couple) -> Apology:
    """Begin an apology in private, or go back to the one already begun (one draft at a time)."""
    couple_for_member(user, couple.id, write=True)
    draft = draft_of(user, couple)
    if draft is not None:
        return draft
    moment = clock.now()
    draft = Apology(couple_id=couple.id, author_id=user.id, created_at=moment, updated_at=moment)
    db.session.add(draft)
    db.session.commit()
    return draft


def _as_writer_of_draft(user: User, apology: Apology) -> None:
    couple_for_member(user, apology.couple_id, write=True)
    if apology.author_id != user.id:
        raise Forbidden("Only the person who wrote this apology can change it.", "not_writer")
    if not apology.is_draft:
        raise Conflict("This apology has been sent, so it stays as it is.", "already_sent")


def save(user: User, apology: Apology, parts: Parts) -> Apology:
    """Keep the writer's words as they are now; nothing is shown to anyone else."""
    _as_writer_of_draft(user, apology)
    cleaned = _cleaned(parts)
    for name in PART_NAMES:
        setattr(apology, name, getattr(cleaned, name))
    apology.updated_at = clock.now()
    db.session.commit()
    return apology


def send(user: User, apology: Apology, parts: Parts | None = None) -> Apology:
    """Send the apology (with the words on the page, if given) to the partner, as a letter."""
    _as_writer_of_draft(user, apology)
    cleaned = _cleaned(parts) if parts is not None else _cleaned(Parts(*(getattr(apology, n) for n in PART_NAMES)))
    for name in PART_NAMES:
        if not getattr(cleaned, name):
            raise Invalid(MISSING[name], f"{name}_empty")
    moment = clock.now()
    values = {name: getattr(cleaned, name) for name in PART_NAMES}
    changed = db.session.execute(
        update(Apology).where(Apology.id == apology.id, Apology.sent_at.is_(None))
        .values(**values, updated_at=moment, sent_at=moment)).rowcount
    db.session.commit()
    if not changed:
        raise Conflict("This apology has been sent, so it stays as it is.", "already_sent")
    db.session.refresh(apology)
    _tell(user, apology, "apology_sent", f"{user.name} wrote you a letter.")
    return apology


def _tell(user: User, apology: Apology, event: str, message: str) -> None:
    """Tell both partners' open pages of a committed letter or answer (nothing reaches someone in space)."""
    announce(apology.couple_id, event, {"message": message, "by": user.id, "apology_id": apology.id})


def discard(user: User, apology: Apology) -> None:
    """The writer throws a draft away; it was never seen by anyone."""
    _as_writer_of_draft(user, apology)
    db.session.delete(apology)
    db.session.commit()


# ---- after sending --------------------------------------------------------------------------------

def dialogue_topic(apology: Apology, reader: User) -> str:
    """The topic of the dialogue the partner asks for: "The apology of 1 December" (no names: they can be erased)."""
    return f"The apology of {apology.day_for(reader)}"


def answer(user: User, apology: Apology, choice: str) -> Apology:
    """The partner answers the letter: "Thank you", "I need some time" (and later another answer),
    or "Can we talk about it?", which invites the writer to a mirroring dialogue about the apology."""
    if choice not in ANSWERS:
        raise Invalid("Please choose one of the answers.", "bad_answer")
    couple = couple_for_member(user, apology.couple_id, write=True)
    if apology.author_id == user.id or apology.is_draft:
        raise Forbidden("Only the person this apology was written to can answer it.", "not_recipient")
    if apology.answer not in (None, TIME) or (apology.answer == TIME and choice == TIME):
        raise Conflict("You have already answered this apology.", "already_answered")
    moment = clock.now()
    changed = db.session.execute(
        update(Apology).where(Apology.id == apology.id, Apology.answer.is_not_distinct_from(apology.answer))
        .values(answer=choice, answered_at=moment)).rowcount
    if not changed:
        db.session.rollback()
        raise Conflict("You have already answered this apology.", "already_answered")
    if choice == TALK:
        try:
            dialogue = dialogue_service.invite(user, couple, dialogue_topic(apology, user))
        except DomainError:
            db.session.rollback()
            raise
        db.session.execute(update(Apology).where(Apology.id == apology.id).values(dialogue_id=dialogue.id))
    db.session.commit()
    db.session.refresh(apology)
    _tell(user, apology, "apology_answered", f"{user.name} answered your letter.")
    return apology


def promise_terms(apology: Apology) -> ledger.Terms:
    """The promise its writer is offered: their "what I will do differently", once by default."""
    return ledger.Terms(text=apology.differently)


def make_promise(user: User, apology: Apology, terms: ledger.Terms) -> Promise:
    """The writer turns what they will do differently into a promise in the ledger, in one step, once."""
    couple = couple_for_member(user, apology.couple_id, write=True)
    if apology.author_id != user.id:
        raise Forbidden("Only the person who wrote this apology can promise from it.", "not_writer")
    if apology.is_draft:
        raise Invalid("Send the apology first; its promise can follow.", "not_sent")
    if apology.promise_id is not None:
        raise Conflict("This apology has already become a promise.", "already_promised")
    promise = ledger.add_promise(user, couple, terms)
    changed = db.session.execute(
        update(Apology).where(Apology.id == apology.id, Apology.promise_id.is_(None))
        .values(promise_id=promise.id)).rowcount
    if not changed:
        db.session.rollback()
        raise Conflict("This apology has already become a promise.", "already_promised")
    db.session.commit()
    db.session.refresh(apology)
    ledger.tell_promise_made(user, promise)
    return promise


# ---- leaving --------------------------------------------------------------------------------------

def erase_drafts(user: User, **_signal) -> None:
    """On account deletion the writer's drafts go with them; sent letters stay, from "former partner"."""
    db.session.execute(delete(Apology).where(Apology.author_id == user.id, Apology.sent_at.is_(None)))


def export_for_user(user: User) -> dict:
    """The apologies for the "my data" export: those sent and received, and the person's own drafts."""
    return {"apologies": [{
        "from": "me" if a.author_id == user.id else a.author.name,
        "state": "draft" if a.is_draft else "sent",
        "what_i_did": a.what_i_did,
        "how_it_affected": a.how_it_affected,
        "responsibility": a.responsibility,
        "differently": a.differently,
        "written_at": a.created_at.isoformat(),
        "sent_at": a.sent_at.isoformat() if a.sent_at else None,
        "answer": a.answer_words,
    } for a in visible_to(user)]}


def apology_of(promise) -> Apology | None:
    """The sent apology a promise of the ledger grew out of, if any."""
    return db.session.scalar(select(Apology).where(Apology.promise_id == promise.id, Apology.sent_at.is_not(None)))


mydata.register("apology", export_for_user)
