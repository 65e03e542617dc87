"""Tables of the agreements document: the documents of a couple and each one's append-only update log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from couples import clock
from extensions import UTCDateTime, db

# SQLite only auto-increments an INTEGER primary key; PostgreSQL gets a 64-bit one.
LOG_ID = BigInteger().with_variant(Integer, "sqlite")


class AgreementDocument(db.Model):
    """One agreements document of a couple. Its content lives in its update log; the title is a cache for lists."""

    __tablename__ = "agreement_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couple.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    title: Mapped[str] = mapped_column(String(200), default="")


class DocumentUpdate(db.Model):
    """One committed CRDT update of a document (or, when is_snapshot, all earlier ones merged). Never edited."""

    __tablename__ = "document_update"
    __table_args__ = (Index("ix_document_update_document_id_id", "document_id", "id"),)

    id: Mapped[int] = mapped_column(LOG_ID, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("agreement_document.id", ondelete="CASCADE"))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    is_snapshot: Mapped[bool] = mapped_column(Boolean, default=False)
