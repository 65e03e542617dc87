"""Tables of the trust ledger: promises, their schedule versions, and deposits."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from couples import clock
from couples.models import Couple, User
from extensions import UTCDateTime, db
from ledger import schedule

TEXT_MAX = 200
NOTE_MAX = 280
PENDING, CONFIRMED, MISSED = "pending", "confirmed", "missed"


class Promise(db.Model):
    """A promise one partner (the promiser) makes to the other. Its wording and schedule live in versions."""

    __tablename__ = "promise"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"), index=True)
    promiser_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # An agreement lives inside the couple's CRDT document; its id is stable across moves and rewording.
    agreement_doc_id: Mapped[str | None] = mapped_column(String(64))
    agreement_id: Mapped[str | None] = mapped_column(String(64))

    couple: Mapped[Couple] = relationship()
    promiser: Mapped[User] = relationship(lazy="joined")
    versions: Mapped[list[PromiseSchedule]] = relationship(
        back_populates="promise", order_by="PromiseSchedule.id", lazy="selectin", cascade="all, delete-orphan"
    )
    deposits: Mapped[list[Deposit]] = relationship(
        back_populates="promise", order_by="Deposit.occurrence_on", lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> PromiseSchedule:
        """The latest version: today's wording and schedule."""
        return self.versions[-1]

    @property
    def text(self) -> str:
        """The promise in the promiser's current words."""
        return self.current.text

    @property
    def state(self) -> str:
        """'active', 'paused' or 'ended'."""
        return self.current.state

    @property
    def is_recurring(self) -> bool:
        """True for daily and weekday promises."""
        return self.current.kind != schedule.ONCE

    def records(self) -> dict[date, str]:
        """What was recorded for each occurrence: pending, confirmed or missed."""
        return {d.occurrence_on: d.status for d in self.deposits}


class PromiseSchedule(db.Model):
    """One version of a promise's wording and schedule, in force from `effective_from` on.

    Versions are only ever added, so the promise's history stays readable and
    past occurrences keep the schedule they had.
    """

    __tablename__ = "promise_schedule"
    __table_args__ = (
        CheckConstraint("state IN ('active', 'paused', 'ended')", name="state"),
        CheckConstraint("kind IN ('once', 'daily', 'weekly')", name="kind"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id", ondelete="CASCADE"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    state: Mapped[str] = mapped_column(String(8), default=schedule.ACTIVE)
    kind: Mapped[str] = mapped_column(String(8))
    weekdays: Mapped[str] = mapped_column(String(7), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    promise: Mapped[Promise] = relationship(back_populates="versions")

    @property
    def how_often(self) -> str:
        """The schedule in words, e.g. 'every weekday'."""
        return schedule.describe(self)


class Deposit(db.Model):
    """What the promiser recorded for one occurrence: kept (pending until the partner confirms) or missed.

    The unique constraint makes "one per promise per occurrence" hold in the database.
    Only the partner can turn a pending deposit into a confirmed one; nothing here
    records anything about the partner.
    """

    __tablename__ = "deposit"
    __table_args__ = (
        UniqueConstraint("promise_id", "occurrence_on", name="uq_deposit_promise_occurrence"),
        CheckConstraint("status IN ('pending', 'confirmed', 'missed')", name="status"),
        CheckConstraint(
            "(status = 'confirmed' AND confirmed_at IS NOT NULL AND confirmed_by_id IS NOT NULL)"
            " OR (status <> 'confirmed' AND confirmed_at IS NULL AND confirmed_by_id IS NULL)",
            name="confirmed_has_time",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id", ondelete="CASCADE"), index=True)
    occurrence_on: Mapped[date] = mapped_column(Date)
    kept_on: Mapped[date] = mapped_column(Date)  # the day it happened (differs from the key for one-offs)
    status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    thanks: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    promise: Mapped[Promise] = relationship(back_populates="deposits")
