"""The one place that says who may see and change a couple's shared things."""
from __future__ import annotations

from sqlalchemy import select

from couples.errors import NotFound, ReadOnly
from couples.models import Couple, Membership, User, current_couples_of
from extensions import db


def current_couple(user: User) -> Couple | None:
    """The user's linked couple, or None."""
    return db.session.scalar(current_couples_of(user, Couple.LINKED))


def may_change(user: User, couple: Couple) -> bool:
    """Whether the user may change the couple's shared things now: the couple is linked and they are one of its
    current partners (a former partner reads the archive, and changes nothing)."""
    return couple.is_linked and couple.is_current_member(user)


def couple_for_member(user: User, couple_id: int, write: bool = False) -> Couple:
    """Return the couple if the user is or was in it; with write, only while linked. Otherwise NotFound / ReadOnly."""
    couple = db.session.get(Couple, couple_id) if isinstance(couple_id, int) else None
    if couple is None or couple.linked_at is None or not couple.has_member(user):
        raise NotFound()
    if write and not may_change(user, couple):
        raise ReadOnly()
    return couple


def may_write(user_id: int, couple_id: int) -> bool:
    """The rule of may_change for a known member, as one indexed query without loading
    objects: the couple is linked and the user is one of its current partners (for per-keystroke paths)."""
    return db.session.execute(
        select(Membership.user_id)
        .join(Couple, Couple.id == Membership.couple_id)
        .where(Membership.couple_id == couple_id, Membership.user_id == user_id, Membership.current.is_(True),
               Couple.status == Couple.LINKED)
    ).first() is not None
