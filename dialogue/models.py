"""Tables of the mirroring dialogue: one row per dialogue, one row per accepted turn."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from couples import clock
from couples.models import Couple, User
from dialogue import machine
from extensions import UTCDateTime, db


class Dialogue(db.Model):
    """A mirroring dialogue of a couple: its topic, where it stands, and who holds which role now."""

    __tablename__ = "dialogue"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id"), index=True)
    # Set to couple_id while the dialogue is open, NULL once it is over: the unique index makes
    # "one open dialogue per couple" hold even when both partners start one at the same moment.
    open_couple_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    topic: Mapped[str] = mapped_column(String(machine.MAX_TOPIC))
    state: Mapped[str] = mapped_column(String(20))
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    round: Mapped[int] = mapped_column(default=1)
    turn_index: Mapped[int] = mapped_column(default=0)
    paused_from: Mapped[str | None] = mapped_column(String(20))
    later_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    delete_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    couple: Mapped[Couple] = relationship()
    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    receiver: Mapped[User] = relationship(foreign_keys=[receiver_id])
    delete_requested_by: Mapped[User | None] = relationship(foreign_keys=[delete_requested_by_id])
    turns: Mapped[list[Turn]] = relationship(back_populates="dialogue", order_by="Turn.index",
                                             cascade="all, delete-orphan")

    @property
    def position(self) -> machine.Position:
        """Where the dialogue stands, in the state machine's terms."""
        return machine.Position(self.state, self.sender_id, self.receiver_id, self.round,
                                self.turn_index, self.paused_from, self.paused_by_id)

    @property
    def paused_by_id(self) -> int | None:
        """Who asked for the current break (the turn log says it: the last "pause"); None when not paused."""
        if not machine.is_paused(self.state):
            return None
        return next((turn.user_id for turn in reversed(self.turns) if turn.action == "pause"), None)

    @property
    def step(self) -> machine.Step:
        """What the current state is for."""
        return machine.STEPS[self.state]

    @property
    def is_invitation(self) -> bool:
        """Proposed, and waiting for the receiver's answer (now, or when "later" comes back)."""
        return self.state in machine.INVITATION

    @property
    def is_later(self) -> bool:
        """The receiver said "later": the invitation comes back at `later_at`."""
        return self.state == machine.LATER

    @property
    def is_open(self) -> bool:
        """Whether the dialogue is not over yet."""
        return machine.is_open(self.state)

    def whose_turn(self) -> User | None:
        """The partner who is on turn, or None when nobody is (paused, or over)."""
        role = machine.on_turn(self.state)
        return {machine.SENDER: self.sender, machine.RECEIVER: self.receiver}.get(role)

    def partner_of(self, user: User) -> User:
        """The other person of this dialogue."""
        return self.receiver if user.id == self.sender_id else self.sender


class Turn(db.Model):
    """One accepted action of a dialogue, in order: who took it, in which step, and what they wrote."""

    __tablename__ = "dialogue_turn"
    __table_args__ = (UniqueConstraint("dialogue_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogue.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    step: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    round: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    dialogue: Mapped[Dialogue] = relationship(back_populates="turns")
    user: Mapped[User] = relationship()

    @property
    def move(self) -> machine.Move:
        """The move this turn took (its label and stem)."""
        return machine.MOVES[self.step][self.action]

    @property
    def heading(self) -> str:
        """How this turn is titled in the transcript."""
        return self.move.heading or machine.STEPS[self.step].title
