"""The table of apologies: a private draft until its writer sends it, then a letter to the partner."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from couples import clock
from couples.models import Couple, User
from extensions import UTCDateTime, db

PART_MAX = 2000
THANKS, TIME, TALK = "thanks", "time", "talk"
ANSWERS = {THANKS: "Thank you", TIME: "I need some time", TALK: "Can we talk about it?"}


class Apology(db.Model):
    """One apology in the four parts its writer fills in. `sent_at` is empty while it is a draft,
    and a draft is seen by nobody but its writer."""

    __tablename__ = "apology"
    __table_args__ = (
        CheckConstraint("answer IS NULL OR answer IN ('thanks', 'time', 'talk')", name="answer"),
        CheckConstraint("answer IS NULL OR sent_at IS NOT NULL", name="answered_once_sent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    what_i_did: Mapped[str] = mapped_column(Text, default="")
    how_it_affected: Mapped[str] = mapped_column(Text, default="")
    responsibility: Mapped[str] = mapped_column(Text, default="")
    differently: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(String(8))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The promise its "what I will do differently" became, and the dialogue its partner asked for.
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promise.id", ondelete="SET NULL"), unique=True)
    dialogue_id: Mapped[int | None] = mapped_column(ForeignKey("dialogue.id", ondelete="SET NULL"))

    couple: Mapped[Couple] = relationship()
    author: Mapped[User] = relationship(lazy="joined")

    @property
    def is_draft(self) -> bool:
        """True until the writer sends it."""
        return self.sent_at is None

    def day_for(self, reader: User) -> str:
        """The day it was sent (or begun, for a draft) in the reader's time zone, e.g. "1 December"."""
        from ledger.schedule import local_date

        day = local_date(self.sent_at or self.created_at, reader.time_zone)
        return f"{day.day} {day:%B}"

    def name_for(self, reader: User, capital: bool = False) -> str:
        """How a reader calls it: "your apology of 1 December" or "Maya's apology of 1 December"."""
        whose = ("Your" if capital else "your") if reader.id == self.author_id else f"{self.author.name}'s"
        return f"{whose} apology of {self.day_for(reader)}"

    @property
    def answer_words(self) -> str | None:
        """The partner's answer as they chose it, e.g. "Thank you"."""
        return ANSWERS.get(self.answer) if self.answer else None
