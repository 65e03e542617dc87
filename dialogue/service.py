"""What partners do with a mirroring dialogue: plain functions taking the acting user, raising DomainError.

Every accepted action is one Turn row, committed here, and then told to both pages (tell); callers never broadcast.

An invitation to a partner who is in space is held (is_held): kept as it is, shown to its sender as
waiting, and to the person in space nothing of it, by any function here, until their space ends.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from couples import access, clock
from couples.errors import Conflict, Forbidden, Invalid, NotFound
from couples.models import Couple, User, couple_ids_of
from dialogue import machine
from dialogue.models import Dialogue, Turn
from extensions import db
from live import sockets
from privacy import mydata
from privacy.models import space_of
from privacy.space import space_ended

NAMESPACE = "/dialogue"  # the dialogue pages' namespace (dialogue/events.py), whose sockets are in the couple's room
sockets.join_couple_rooms_on(NAMESPACE)

ANSWERS = ("accept", "later", "decline")

_ERRORS = {"not_in_dialogue": NotFound, "stale": Conflict, "not_allowed": Conflict,
           "not_your_turn": Forbidden, "bad_text": Invalid}


def find(user: User, dialogue_id: int, write: bool = False) -> Dialogue:
    """The dialogue if the user is (or, to read, was) a member of its couple; NotFound otherwise
    (and for an invitation held while the user is in space)."""
    # Ids beyond a database integer cannot exist (and would make PostgreSQL raise rather than find nothing).
    dialogue = db.session.get(Dialogue, dialogue_id) if 0 < dialogue_id < 2**31 else None
    if dialogue is None or hidden_from(dialogue, user):
        raise NotFound("There is no such dialogue.")
    access.couple_for_member(user, dialogue.couple_id, write=write)
    return dialogue


def open_dialogue(couple: Couple) -> Dialogue | None:
    """The couple's dialogue that is not over yet, if any (held or not: see open_dialogue_for)."""
    return db.session.scalar(select(Dialogue).where(Dialogue.open_couple_id == couple.id))


def open_dialogue_for(user: User, couple: Couple) -> Dialogue | None:
    """The couple's open dialogue as the user may see it: not an invitation held while they are in space."""
    dialogue = open_dialogue(couple)
    return None if dialogue is None or hidden_from(dialogue, user) else dialogue


def is_held(dialogue: Dialogue) -> bool:
    """Whether this is an invitation waiting for its receiver's space to end (sent before or during it)."""
    return dialogue.state in machine.INVITATION and space_of(dialogue.receiver) is not None


def hidden_from(dialogue: Dialogue, user: User) -> bool:
    """Whether the user must see nothing of this dialogue now: an invitation to them, held by their space."""
    return dialogue.receiver_id == user.id and is_held(dialogue)


def dialogues_of(user: User) -> list[Dialogue]:
    """Every dialogue of every couple the user is or was in, newest first (the archive stays readable);
    not an invitation held while the user is in space."""
    return [dialogue for dialogue in db.session.scalars(
        select(Dialogue).where(Dialogue.couple_id.in_(couple_ids_of(user))).order_by(Dialogue.id.desc()))
        if not hidden_from(dialogue, user)]


def invitation_is_waiting(dialogue: Dialogue, user: User) -> bool:
    """Whether the user has an invitation to answer now (a "later" comes back at its time)."""
    if dialogue.receiver_id != user.id:
        return False
    return dialogue.state == machine.INVITED or (
        dialogue.is_later and dialogue.later_at is not None and dialogue.later_at <= clock.now())


def invite(user: User, couple: Couple, topic: str) -> Dialogue:
    """Propose a dialogue about `topic` to the partner; only one open dialogue per couple.

    To a partner in space the invitation is held (see is_held), and delivered when their space ends.
    """
    access.couple_for_member(user, couple.id, write=True)
    current = open_dialogue(couple)
    if current is not None and hidden_from(current, user):
        # The partner's invitation waits for this person's space: say nothing of it, only what to do.
        raise Conflict("A dialogue can begin once your space has ended. You can end it whenever you choose.",
                       "in_space")
    if current is not None:
        raise Conflict("There is already a dialogue in progress. Finish or end it before starting another.")
    dialogue = Dialogue(couple_id=couple.id, open_couple_id=couple.id, topic=machine.bare_topic(topic),
                        state=machine.NEW, sender_id=user.id, receiver_id=couple.partner_of(user).id,
                        round=1, turn_index=0)
    _check(dialogue, user, "invite", 0, dialogue.topic)
    db.session.add(dialogue)
    _record(dialogue, user, "invite", dialogue.topic)
    if not is_held(dialogue):  # a held one is told when the space ends (_deliver_after_space)
        tell(dialogue)
    return dialogue


def answer_invitation(dialogue: Dialogue, user: User, answer: str, turn_index: int,
                      later_at: datetime | None = None, text: str | None = None) -> Dialogue:
    """Answer an invitation: now ("accept"), "later" at a time within 24 hours, or "decline" kindly."""
    if answer not in ANSWERS:
        raise Invalid("Please answer now, later or not today.")
    return act(dialogue, user, answer, turn_index, text, later_at)


def act(dialogue: Dialogue, user: User, action: str, turn_index: int, text: str | None = None,
        later_at: datetime | None = None) -> Dialogue:
    """Take one step of the dialogue; refused (changing nothing) unless it is this user's move now.

    "later" needs `later_at`, a time within the next 24 hours, when the invitation comes back.
    """
    text = (text or "").strip() or None
    _check(dialogue, user, action, turn_index, text)
    if action == "withdraw" and is_held(dialogue):
        # Its receiver never saw it, and never will: it goes as if it had not been sent.
        db.session.delete(dialogue)
        _commit()
        tell(dialogue)
        return dialogue
    if action == "later":
        dialogue.later_at = _later(later_at)
    _record(dialogue, user, action, text)
    tell(dialogue)
    return dialogue


def withdrawn_unseen(dialogue: Dialogue) -> bool:
    """Whether `act` just withdrew a held invitation (deleted: the partner never saw it)."""
    return inspect(dialogue).was_deleted


def pause(dialogue: Dialogue, user: User, turn_index: int) -> Dialogue:
    """Either partner pauses the dialogue, without giving a reason."""
    return act(dialogue, user, "pause", turn_index)


def resume(dialogue: Dialogue, user: User, turn_index: int) -> Dialogue:
    """The partner who asked for the break resumes the dialogue exactly where it was."""
    return act(dialogue, user, "resume", turn_index)


def request_delete(dialogue: Dialogue, user: User) -> Dialogue:
    """Ask the partner's agreement to delete a finished dialogue from the couple's history."""
    access.couple_for_member(user, dialogue.couple_id, write=True)
    if dialogue.is_open:
        raise Conflict("Finish or end the dialogue before asking to delete it.")
    if dialogue.delete_requested_by_id is None:
        dialogue.delete_requested_by_id = user.id
        _commit()
    tell(dialogue)
    return dialogue


def accept_delete(dialogue: Dialogue, user: User) -> None:
    """The partner agrees: the dialogue and its turns are deleted for both."""
    access.couple_for_member(user, dialogue.couple_id, write=True)
    if dialogue.delete_requested_by_id in (None, user.id):
        raise Conflict("Deleting needs your partner's agreement: only they can accept your request.")
    db.session.delete(dialogue)
    _commit()
    tell(dialogue)


def cancel_delete(dialogue: Dialogue, user: User) -> Dialogue:
    """Either partner withdraws or turns down a request to delete: the dialogue stays."""
    access.couple_for_member(user, dialogue.couple_id, write=True)
    dialogue.delete_requested_by_id = None
    _commit()
    tell(dialogue)
    return dialogue


def export_for_user(user: User) -> dict:
    """Every dialogue of every couple the user is or was in, with full transcripts, ready for JSON."""
    return {"dialogues": [{
        "topic": d.topic,
        "state": d.state,
        "started_at": d.created_at.isoformat(),
        "rounds": d.round,
        "turns": [{
            "index": t.index,
            "by": "me" if t.user_id == user.id else t.user.name,
            "step": t.step,
            "action": t.action,
            "text": t.text,
            "at": t.created_at.isoformat(),
        } for t in d.turns],
    } for d in reversed(dialogues_of(user))]}


def _check(dialogue: Dialogue, user: User, action: str, turn_index: int, text: str | None) -> None:
    """Raise the fitting DomainError unless the machine allows this move by this user now."""
    access.couple_for_member(user, dialogue.couple_id, write=True)
    reason = machine.refusal(dialogue.position, user.id, action, turn_index, text)
    if reason is not None:
        partner = db.session.get(User, dialogue.receiver_id if user.id == dialogue.sender_id else dialogue.sender_id)
        raise _ERRORS[reason.code](machine.personal(reason.message, partner.name), reason.code)


def _later(later_at: datetime | None) -> datetime:
    """A "later" time, checked to lie within the next 24 hours."""
    now = clock.now()
    if later_at is None or not now < later_at <= now + machine.LATER_WINDOW:
        raise Invalid("Please choose a time within the next 24 hours.")
    return later_at


def _record(dialogue: Dialogue, user: User, action: str, text: str | None) -> None:
    """Store the turn, move the dialogue on, and commit (refusing a twin turn with the same index)."""
    before = dialogue.position
    after = machine.advance(before, user.id, action)
    now = clock.now()
    dialogue.turns.append(Turn(index=before.index, user_id=user.id, step=before.state, action=action,
                               text=text, round=before.round, created_at=now))
    dialogue.state, dialogue.sender_id, dialogue.receiver_id = after.state, after.sender, after.receiver
    dialogue.round, dialogue.turn_index, dialogue.paused_from = after.round, after.index, after.paused_from
    dialogue.updated_at = now
    if not machine.is_open(after.state):
        dialogue.open_couple_id = None
    _commit()


def tell(dialogue: Dialogue, **extra) -> None:
    """Once a change is committed: both partners' dialogue pages (and home cards) learn the dialogue changed."""
    sockets.announce(dialogue.couple_id, "changed",
                     {"dialogue_id": dialogue.id, "index": dialogue.turn_index, "state": dialogue.state, **extra},
                     namespace=NAMESPACE)


def _deliver_after_space(user: User, couple: Couple) -> None:
    """A space ended: an invitation that waited for it is seen now, so its pages change though no turn was taken."""
    dialogue = open_dialogue(couple)
    if dialogue is not None:
        tell(dialogue, delivered=True)


space_ended.connect(_deliver_after_space, weak=False)


def _commit() -> None:
    """Commit; a lost race (two twin turns, two open dialogues) becomes a calm Conflict."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Someone was a moment quicker. Here is where the dialogue is now.") from None


mydata.register("dialogue", export_for_user)
