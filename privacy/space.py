"""Asking for space: a partner takes a while for themselves, and the app keeps it for them.

While a space lasts: no presence, typing or "here now" crosses between the partners (presence_flows);
nothing of the partner's is pushed live to the person in space (their /couple and /dialogue sockets stay
out of the couple's room: they see what changed when they open a page); the partner's dialogue
invitations wait, kept on the server and hidden from them (dialogue.service.is_held), and are
delivered when the space ends. The document, the ledger and reflection keep working for both. Only the
person who asked ends it early, or it ends by itself when its time has passed (a timer in the process
that set it, and `settle` when a live page connects, for a timer lost to a restart). Either way its end
is told the same: the person's pages rejoin the couple's room, presence flows again, the partner's open
pages hear "space_ended", and a held invitation is announced as any new one. Nobody can put the other
into space.
"""
from __future__ import annotations

from datetime import datetime, timedelta
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blinker import Namespace as Signals
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from couples import clock
from couples.access import current_couple
from couples.errors import Invalid
from couples.models import LiveSocket, User
from extensions import db, socketio
from live.sockets import announce, couple_room, room_namespaces
from privacy import presence
from privacy.models import Space, space_of

log = logging.getLogger(__name__)

UNTIL_I_SAY = "until_i_say"
# Sent (sender: the user whose space ended, couple=their couple) once the end is committed and told: a feature
# holding something back for the space (the dialogue's invitation) delivers it then.
space_ended = Signals().signal("space-ended")
# What a person can choose: how long, in words; None lasts until they end it.
LENGTHS: dict[str, tuple[str, timedelta | None]] = {
    "hour": ("An hour", timedelta(hours=1)),
    "evening": ("A few hours", timedelta(hours=4)),
    "day": ("A day", timedelta(days=1)),
    "two_days": ("Two days", timedelta(days=2)),
    "three_days": ("Three days", timedelta(days=3)),
    "week": ("A week", timedelta(weeks=1)),
    "two_weeks": ("Two weeks", timedelta(weeks=2)),
    UNTIL_I_SAY: ("Until I say", None),
}
NOTE_LIMIT = 300


def ask(user: User, length: str, note: str | None) -> Space:
    """Ask for space for yourself, for one of LENGTHS, with an optional note; asking again changes it."""
    couple = current_couple(user)
    if couple is None:
        raise Invalid("Space is something you ask of a linked partner.")
    if length not in LENGTHS:
        raise Invalid("Please choose how long you would like.")
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise Invalid(f"Please keep the note under {NOTE_LIMIT} characters.")
    partner = couple.partner_of(user)
    before = presence.presence_flows(user, partner)
    duration = LENGTHS[length][1]
    space = db.session.get(Space, user.id) or Space(user_id=user.id)
    space.couple_id, space.note = couple.id, note
    space.until = clock.now() + duration if duration else None
    db.session.add(space)
    db.session.commit()
    _room(user, couple.id, enter=False)
    presence.changed(user, partner, before)
    if space.until is not None:
        socketio.start_background_task(_end_when_due, current_app._get_current_object(), user.id, space.until,
                                       (space.until - clock.now()).total_seconds())
    return space


def end(user: User) -> bool:
    """End your own space now; False if you were not in space. (There is no way to end the partner's.)"""
    space = db.session.get(Space, user.id)
    if space is None:
        return False
    was_current = space.is_current(clock.now())
    return _ended(user, delete(Space).where(Space.user_id == user.id)) and was_current


def settle(user: User) -> None:
    """End, and tell, the space of the user or their partner whose time has passed (told once, by whoever
    deletes its row): for when the timer was lost with a restarted process."""
    now = clock.now()
    for person in (user, presence.partner_of(user)):
        row = db.session.get(Space, person.id) if person is not None else None
        if row is not None and not row.is_current(now):
            _ended(person, delete(Space).where(Space.user_id == person.id, Space.until <= now))


def _end_when_due(app, user_id: int, until: datetime, delay: float) -> None:
    """The timer of one space: at its end, end it and tell it (unless it was ended or changed meanwhile)."""
    socketio.sleep(max(0.0, delay))
    with app.app_context():
        try:
            user = db.session.get(User, user_id)
            if user is not None:
                _ended(user, delete(Space).where(Space.user_id == user_id, Space.until == until,
                                                 Space.until <= clock.now()))
        except SQLAlchemyError:
            log.warning("space: the end of user %s's space not told, the database did not answer", user_id)
        finally:
            db.session.remove()


def _ended(user: User, deletion) -> bool:
    """Delete the user's space row (if `deletion` still finds it) and tell its end; False if nothing was deleted."""
    partner = presence.partner_of(user)
    row = db.session.get(Space, user.id)
    if row is None:
        return False
    before = presence.presence_flows(user, partner)
    couple_id = row.couple_id
    if not db.session.execute(deletion).rowcount:
        db.session.rollback()
        return False
    db.session.commit()
    db.session.expire_all()
    _room(user, couple_id, enter=True)
    presence.changed(user, partner, before)
    _tell_ended(user, couple_id)
    return True


def _tell_ended(user: User, couple_id: int) -> None:
    """The partner's open pages learn that the space ended; what waited for it (a dialogue's invitation) is
    delivered now by the feature that holds it, which listens to `space_ended`."""
    announce(couple_id, "space_ended", {})
    couple = current_couple(user)
    if couple is not None:
        space_ended.send(user, couple=couple)


def partner_space(user: User) -> Space | None:
    """The linked partner's space while it lasts, or None."""
    partner = presence.partner_of(user)
    return space_of(partner) if partner else None


def may_hear_the_couple(user: User) -> bool:
    """Whether the user's live pages join the couple's room (not while they are in space)."""
    return space_of(user) is None


def invitation_waits(sender: User, receiver: User | None) -> str | None:
    """What the sender of a dialogue invitation is told while the receiver is in space, or None."""
    space = space_of(receiver) if receiver else None
    if space is None:
        return None
    return f"{receiver.name} asked for some space {until_words(space, sender)}. Your invitation can wait."


def until_words(space: Space, viewer: User) -> str:
    """How long the space lasts, in calm words and the viewer's time zone: "until Sunday evening", "for now"."""
    if space.until is None:
        return "for now"
    zone = _zone(viewer)
    at, today = space.until.astimezone(zone), clock.now().astimezone(zone).date()
    days = (at.date() - today).days
    if days == 0:
        return f"until about {at:%H:%M} today"
    if days == 1:
        return f"until tomorrow {_part_of_day(at)}"
    if days < 7:
        return f"until {at:%A} {_part_of_day(at)}"
    return f"until {at:%A} {at.day} {at:%B}"


def _part_of_day(at: datetime) -> str:
    if 5 <= at.hour < 12:
        return "morning"
    if 12 <= at.hour < 17:
        return "afternoon"
    return "evening" if 17 <= at.hour < 22 else "night"


def _zone(user: User):
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _room(user: User, couple_id: int, enter: bool) -> None:
    """Put the user's open live pages in the couple's room, or take them out (this process's sockets)."""
    room = couple_room(couple_id)
    sockets = db.session.execute(
        select(LiveSocket.sid, LiveSocket.namespace)
        .where(LiveSocket.user_id == user.id, LiveSocket.namespace.in_(room_namespaces()))).all()
    for sid, namespace in sockets:
        try:
            if enter:
                socketio.server.enter_room(sid, room, namespace=namespace)
            else:
                socketio.server.leave_room(sid, room, namespace=namespace)
        except (KeyError, ValueError):
            pass  # a socket of another process, or closing: it joins (or not) when its page opens again
