"""Partner linking: invitations (a link and a code to read aloud), joining atomically, unlinking."""
from __future__ import annotations

from datetime import timedelta
import secrets

from blinker import Namespace
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from couples import clock
from couples.access import current_couple, may_change
from couples.errors import Conflict, Invalid, NotFound
from couples.models import Couple, Invitation, Membership, User, couples_of, current_couples_of
from extensions import db
from live.sockets import announce

# Letters and digits that cannot be mistaken for one another when read aloud or typed (no 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V).
CODE_ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
CODE_LENGTH = 8

_signals = Namespace()
# Sent with the couple right after two partners are linked, so features can prepare their shared spaces.
couple_linked = _signals.signal("couple-linked")
couple_unlinked = _signals.signal("couple-unlinked")  # sent once committed; the partners' sockets are closed


def normalise_code(raw: str) -> str:
    """Upper-case a typed code and drop spaces and dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")


def format_code(code: str) -> str:
    """Show a code as two groups of four, easier to read aloud."""
    return f"{code[:4]}-{code[4:]}"


def _new_code() -> str:
    """Return a random code from the unambiguous alphabet."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def pending_couple(user: User) -> Couple | None:
    """The couple the user created and is waiting in for a partner, if any."""
    return db.session.scalar(current_couples_of(user, Couple.PENDING))


def open_invitation(couple: Couple) -> Invitation | None:
    """The couple's invitation that still works, if any."""
    at = clock.now()
    invitation = db.session.scalar(
        select(Invitation)
        .where(Invitation.couple_id == couple.id, Invitation.used_at.is_(None), Invitation.cancelled_at.is_(None))
        .order_by(Invitation.id.desc())
    )
    return invitation if invitation and invitation.is_open(at) else None


def invite(user: User) -> Invitation:
    """Create (or renew) the user's invitation; any earlier one stops working."""
    if current_couple(user):
        raise Conflict("You're already linked with a partner.", "already_linked")
    couple = pending_couple(user)
    if couple is None:
        couple = Couple(status=Couple.PENDING)
        db.session.add(couple)
        db.session.flush()
        db.session.add(Membership(couple_id=couple.id, user_id=user.id))
    _cancel_open(couple)
    at = clock.now()
    hours = current_app.config["INVITATION_HOURS"]
    for _ in range(5):  # a code collision is astronomically rare; retry rather than fail
        invitation = Invitation(
            couple_id=couple.id,
            created_by_id=user.id,
            token=secrets.token_urlsafe(24),
            code=_new_code(),
            created_at=at,
            expires_at=at + timedelta(hours=hours),
        )
        db.session.add(invitation)
        try:
            db.session.commit()
            return invitation
        except IntegrityError:
            db.session.rollback()
    raise Conflict("We couldn't make an invitation just now. Please try again.", "try_again")


def _cancel_open(couple: Couple) -> None:
    """Cancel every invitation of the couple that is still open (within the caller's transaction)."""
    db.session.execute(
        update(Invitation)
        .where(Invitation.couple_id == couple.id, Invitation.used_at.is_(None), Invitation.cancelled_at.is_(None))
        .values(cancelled_at=clock.now())
    )


def _close(couple: Couple, by: User | None = None) -> None:
    """End a couple for good (within the caller's transaction): no invitation works, nobody is a current member."""
    _cancel_open(couple)
    couple.status = Couple.UNLINKED
    couple.unlinked_at = clock.now()
    couple.unlinked_by_id = by.id if by else None
    for membership in couple.memberships:
        membership.current = False


def cancel_invitation(user: User) -> None:
    """Cancel the user's open invitation; their pending couple stays, ready for a new one."""
    couple = pending_couple(user)
    if couple is None or open_invitation(couple) is None:
        raise NotFound("There is no open invitation to cancel.", "no_invitation")
    _cancel_open(couple)
    db.session.commit()


def find_invitation(*, code: str | None = None, token: str | None = None) -> Invitation:
    """Find an invitation by its code or its link token; raise NotFound if there is none."""
    if code is not None:
        code = normalise_code(code)
        well_formed = len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)
        invitation = db.session.scalar(select(Invitation).where(Invitation.code == code)) if well_formed else None
        missing = "We couldn't find an invitation with that code. Check the letters and try again."
    else:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == (token or "")))
        missing = "We couldn't find that invitation link. Ask your partner to send it again."
    if invitation is None:
        raise NotFound(missing, "unknown_invitation")
    return invitation


def check_can_join(invitation: Invitation, user: User) -> None:
    """Raise the reason this user cannot join with this invitation, if there is one."""
    if invitation.created_by_id == user.id:
        raise Invalid("This is your own invitation. Send the link or the code to your partner.", "own_invitation")
    if current_couple(user):
        raise Conflict("You're already linked with a partner. Unlink first to join someone else.", "already_linked")
    if invitation.cancelled_at is not None:
        raise Invalid("This invitation was cancelled. Ask your partner for a new one.", "cancelled")
    if invitation.used_at is not None:
        raise Invalid("This invitation has already been used.", "used")
    if clock.now() >= invitation.expires_at:
        raise Invalid("This invitation has expired. Ask your partner for a new one.", "expired")
    if invitation.couple.status != Couple.PENDING or not invitation.created_by.is_active:
        raise Invalid("This invitation no longer works.", "used")


def join(invitation: Invitation, user: User) -> Couple:
    """Join the invitation's couple. Atomic: of two people racing for one invitation, exactly one wins."""
    check_can_join(invitation, user)
    at = clock.now()
    own_pending = pending_couple(user)
    if own_pending is not None:  # joining someone else abandons the couple this person was waiting in
        _close(own_pending)
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None), Invitation.cancelled_at.is_(None))
        .values(used_at=at, used_by_id=user.id)
    ).rowcount
    linked = db.session.execute(
        update(Couple).where(Couple.id == invitation.couple_id, Couple.status == Couple.PENDING)
        .values(status=Couple.LINKED, linked_at=at)
    ).rowcount
    if claimed != 1 or linked != 1:
        db.session.rollback()
        raise Invalid("This invitation has already been used.", "used")
    db.session.add(Membership(couple_id=invitation.couple_id, user_id=user.id, joined_at=at))
    try:
        db.session.commit()
    except IntegrityError:  # the same person joined another couple in a parallel request
        db.session.rollback()
        raise Conflict("You're already linked with a partner.", "already_linked") from None
    couple = db.session.get(Couple, invitation.couple_id)
    db.session.refresh(couple)
    couple_linked.send(couple)
    announce(couple.id, "partner_joined", {"name": user.name})  # the inviter's open pages
    return couple


def unlink(couple: Couple, user: User) -> Couple:
    """End the couple at once, by either partner alone; its shared spaces become a read-only archive."""
    if not may_change(user, couple):
        raise NotFound("You're not linked with a partner.", "not_linked")
    _close(couple, by=user)
    db.session.commit()
    couple_unlinked.send(couple)
    return couple


def leave_all(user: User) -> list[Couple]:
    """Unlink the user's linked couple and close a pending one (used when an account is deleted)."""
    left = []
    couple = current_couple(user)
    if couple:
        left.append(unlink(couple, user))
    pending = pending_couple(user)
    if pending:
        _close(pending)
        db.session.commit()
    return left


def archives(user: User) -> list[Couple]:
    """The unlinked couples the user was linked in, newest first: their read-only archives."""
    return list(
        db.session.scalars(
            couples_of(user, Couple.status == Couple.UNLINKED, Couple.linked_at.is_not(None))
            .order_by(Couple.unlinked_at.desc())
        )
    )
