"""Tables for private reflection and the passages an author chose to share."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from couples.clock import now
from couples.ids import public_id
from couples.models import User
from extensions import UTCDateTime, db


class Reflection(db.Model):
    """A private journal entry: only its author can ever read it."""

    __tablename__ = "reflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=public_id)  # in URLs
    author_id: Mapped[int] = mapped_column(
        ForeignKey(User.id, ondelete="CASCADE"), index=True
    )
    prompt: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    author: Mapped[User] = relationship()


class SharedPassage(db.Model):
    """A copy of words the author chose to send to the partner.

    It keeps no link to the reflection it came from, so nothing about the
    private entry can be reached through it.
    """

    __tablename__ = "shared_passage"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=public_id)  # in pages
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey(User.id), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    author: Mapped[User] = relationship()


class Space(db.Model):
    """A partner's request for space, while it lasts (until `until`, or until they say when it is None).

    Only the current request is kept: ending it deletes the row, so nothing counts how often space was asked for.
    """

    __tablename__ = "space"

    user_id: Mapped[int] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"), primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_current(self, at: datetime) -> bool:
        """Whether the space still lasts at this time."""
        return self.until is None or self.until > at


def space_of(user: User) -> Space | None:
    """The user's space while it lasts, or None."""
    space = db.session.get(Space, user.id)
    return space if space is not None and space.is_current(now()) else None


def users_in_space(user_ids) -> set[int]:
    """Which of these users are in space now (one query, however many)."""
    at = now()
    return {space.user_id for space in db.session.scalars(select(Space).where(Space.user_id.in_(set(user_ids))))
            if space.is_current(at)}
