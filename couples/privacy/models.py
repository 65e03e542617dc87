"""Tables for private reflection and the passages an author chose to share."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
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
