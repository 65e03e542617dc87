"""Tables for people, their login sessions, couples, memberships, invitations and live sockets."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from couples import clock, ids
from extensions import UTCDateTime, db

FORMER_PARTNER = "former partner"


class User(UserMixin, db.Model):
    """A person with an account. A deleted account stays as a nameless tombstone so shared history keeps its shape."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    share_presence: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def name(self) -> str:
        """The name shown to others: the display name, or "former partner" once the account is deleted."""
        return FORMER_PARTNER if self.deleted_at else self.display_name

    @property
    def is_active(self) -> bool:
        """A deleted account can never sign in again."""
        return self.deleted_at is None


class LoginSession(db.Model):
    """One signed-in browser. The cookie holds its id; ending the row ends that session everywhere."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The id is the cookie's secret; pages and URLs name the session by this one instead.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=ids.public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Couple(db.Model):
    """Two partners. Pending while the invitation waits, linked once both are in, unlinked for ever after."""

    __tablename__ = "couple"

    # The three statuses, written only here: pending -> linked -> unlinked (or pending -> unlinked, if abandoned).
    PENDING = "pending"
    LINKED = "linked"
    UNLINKED = "unlinked"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unlinked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unlinked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="couple", order_by="Membership.id", lazy="selectin"
    )

    @property
    def is_linked(self) -> bool:
        """True while both partners are in and neither has unlinked: only then can shared spaces change."""
        return self.status == Couple.LINKED

    @property
    def members(self) -> list[User]:
        """The people of this couple, first the one who created it."""
        return [m.user for m in self.memberships]

    def has_member(self, user: User) -> bool:
        """True if the user is, or was, one of the two partners."""
        return any(m.user_id == user.id for m in self.memberships)

    def is_current_member(self, user: User) -> bool:
        """True if the user belongs to this couple now (not after unlinking)."""
        return any(m.user_id == user.id and m.current for m in self.memberships)

    def partner_of(self, user: User) -> User | None:
        """The other partner, or None while the invitation is still open."""
        return next((m.user for m in self.memberships if m.user_id != user.id), None)


class Membership(db.Model):
    """A person in a couple. `current` is true until unlinking; a person has at most one current membership."""

    __tablename__ = "membership"
    __table_args__ = (
        Index(
            "uq_membership_current_user",
            "user_id",
            unique=True,
            sqlite_where=text("current"),
            postgresql_where=text("current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    couple: Mapped[Couple] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(lazy="joined")


def couple_ids_of(user: User):
    """A subquery: the ids of every couple the person is or was in (pending, linked or unlinked)."""
    return select(Membership.couple_id).where(Membership.user_id == user.id)


def couples_of(user: User, *where):
    """A query: the couples the person is or was in, narrowed by `where` (conditions on Couple or Membership)."""
    return select(Couple).join(Membership).where(Membership.user_id == user.id, *where)


def current_couples_of(user: User, status: str):
    """A query: the person's current couple in that status (at most one: the unique index on current)."""
    return couples_of(user, Membership.current.is_(True), Couple.status == status)


class Invitation(db.Model):
    """A single-use way in: a link token and a short code to read aloud, both expiring."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    couple: Mapped[Couple] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def is_open(self, at: datetime) -> bool:
        """True if nobody used or cancelled it and it has not expired at the given time."""
        return self.used_at is None and self.cancelled_at is None and at < self.expires_at


class LiveSocket(db.Model):
    """An open Socket.IO connection, so revocation can find and close it from any process."""

    __tablename__ = "live_socket"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    login_session_id: Mapped[str] = mapped_column(String(64), index=True)
    couple_id: Mapped[int | None] = mapped_column(Integer, index=True)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


def user_by_email(email: str) -> User | None:
    """Find a live account by its normalised email."""
    return db.session.scalar(select(User).where(User.email == email))
