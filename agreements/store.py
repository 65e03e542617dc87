"""Persistence of each document's update log: appends sharing one commit, loading, compaction.

The log is the source of truth. Appends from every room of this process that arrive while a
commit is under way are written together by the next one (group commit); nobody returns before
the commit that holds its update.
"""
from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from flask import current_app
from pycrdt import Doc, get_update, merge_updates
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from agreements.models import AgreementDocument, DocumentUpdate
from couples import clock
from couples.errors import DomainError
from extensions import db
from workers import COMPACTION, let_others_run, off_loop

COMPACT_AFTER = 1000
log = logging.getLogger(__name__)


class NotSaved(DomainError):
    """The database did not take the update: it is not saved, and the client keeps it to resend."""

    status = 503
    code = "not_saved"

log_table = DocumentUpdate.__table__
documents = AgreementDocument.__table__


@dataclass
class _Append:
    engine: Engine
    document_id: int
    data: bytes
    user_id: int | None
    created_at: datetime
    title: str | None
    id: int | None = None
    error: BaseException | None = None
    done: bool = field(default=False)


class _GroupCommit:
    """Writes queued appends in as few transactions as possible, one writer at a time."""

    def __init__(self):
        self._queue: list[_Append] = []
        self._queue_lock = threading.Lock()
        self.commit_lock = threading.Lock()

    def append(self, entry: _Append) -> int:
        with self._queue_lock:
            self._queue.append(entry)
        let_others_run()
        with self.commit_lock:
            if not entry.done:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                _write_each_engine(batch)
        if entry.error is not None:
            log.error("agreements: could not save an update of document %s: %r", entry.document_id, entry.error)
            raise NotSaved("This change could not be saved yet; it will be sent again.") from entry.error
        return entry.id


def _lock_documents(connection, document_ids: list[int]) -> None:
    """Lock the documents' rows until commit, so that per document, log ids follow commit order
    across processes. (SQLite needs nothing: it has one writer at a time.)"""
    if connection.dialect.name != "sqlite":
        connection.execute(
            select(documents.c.id).where(documents.c.id.in_(document_ids)).order_by(documents.c.id).with_for_update()
        )


def _write_each_engine(batch: list[_Append]) -> None:
    for engine in {e.engine for e in batch}:
        _write([e for e in batch if e.engine is engine])


def _write(batch: list[_Append]) -> None:
    try:
        engine = batch[0].engine
        ids = (_insert_sqlite if engine.dialect.name == "sqlite" else _insert)(engine, batch)
        for entry, row_id in zip(batch, ids):
            entry.id = row_id
    except Exception as error:  # every waiter hears that its update was not saved
        for entry in batch:
            entry.error = error
    finally:
        for entry in batch:
            entry.done = True


def _titles(batch: list[_Append]) -> dict[int, str]:
    return {e.document_id: e.title for e in batch if e.title is not None}


def _insert(engine: Engine, batch: list[_Append]) -> list[int]:
    with engine.begin() as connection:
        _lock_documents(connection, sorted({e.document_id for e in batch}))
        ids = connection.scalars(
            insert(log_table).returning(log_table.c.id, sort_by_parameter_order=True),
            [
                {"document_id": e.document_id, "data": e.data, "user_id": e.user_id, "created_at": e.created_at,
                 "is_snapshot": False}
                for e in batch
            ],
        ).all()
        for document_id, title in _titles(batch).items():
            connection.execute(update(documents).where(documents.c.id == document_id).values(title=title))
    return ids


@functools.cache
def _stamp(dialect) -> Callable[[datetime], object]:
    """How the dialect's driver gets a created_at value (as SQLAlchemy itself would pass it)."""
    return log_table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)


def _insert_sqlite(engine: Engine, batch: list[_Append]) -> list[int]:
    """The same through the driver: on SQLite, building SQLAlchemy statements cost more than writing the rows."""
    stamp = _stamp(engine.dialect)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        ids = [
            cursor.execute(
                "INSERT INTO document_update (document_id, data, user_id, created_at, is_snapshot) "
                "VALUES (?, ?, ?, ?, 0) RETURNING id",
                (e.document_id, e.data, e.user_id, stamp(e.created_at)),
            ).fetchone()[0]
            for e in batch
        ]
        cursor.executemany("UPDATE agreement_document SET title = ? WHERE id = ?",
                           [(title, document_id) for document_id, title in _titles(batch).items()])
        connection.commit()
        return ids
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()


_group = _GroupCommit()


def append(document_id: int, data: bytes, user_id: int | None, title: str | None = None) -> int:
    """Append an update to the document's log and return its id once it is committed.

    When title is given, the document's cached title is set in the same commit.
    """
    return _group.append(pending(document_id, data, user_id, title))


def pending(document_id: int, data: bytes, user_id: int | None, title: str | None = None) -> _Append:
    """An append to be written by write_all (a writer thread that commits several at once), not written yet."""
    return _Append(db.engine, document_id, data, user_id, clock.now(), title[:200] if title is not None else None)


def write_all(batch: list[_Append]) -> None:
    """Write these appends in one commit per database, never alongside a compaction; each gets its id or error."""
    with _group.commit_lock:
        _write_each_engine(batch)


def read_log(document_id: int, after_id: int = 0) -> list[tuple[int, bytes]]:
    """Return (id, update) of the document's log rows after after_id, oldest first."""
    rows = db.session.execute(
        select(log_table.c.id, log_table.c.data)
        .where(log_table.c.document_id == document_id, log_table.c.id > after_id)
        .order_by(log_table.c.id)
    ).all()
    db.session.commit()  # end the read transaction so the next read sees newer commits
    return [(row.id, row.data) for row in rows]


# merge_updates slows down sharply with many arguments (10,000 small updates: seconds), so
# long logs are merged in chunks, then the chunks' results are merged.
MERGE_CHUNK = 256


def merged(updates: list[bytes]) -> bytes | None:
    """Return the updates merged into one (None when there are none)."""
    if not updates:
        return None
    while len(updates) > MERGE_CHUNK:
        updates = [merged(updates[i : i + MERGE_CHUNK]) for i in range(0, len(updates), MERGE_CHUNK)]
    return updates[0] if len(updates) == 1 else merge_updates(*updates)


def load(document_id: int) -> tuple[Doc, int, int]:
    """Return (doc, last log id, number of log rows) built from the document's whole log."""
    rows = read_log(document_id)
    doc = Doc()
    for _, data in rows:  # one by one: cheaper than merging first
        doc.apply_update(data)
    return doc, (rows[-1][0] if rows else 0), len(rows)


def log_is_shared() -> bool:
    """Whether other processes append to the logs too (several processes share the database).

    When not, every row of a document's log is written through its one room in this process, and
    the room needs no catch-up read before using its document.
    """
    return current_app.config["AGREEMENTS_SHARED_LOG"]


def compact_after() -> int:
    """Return the log length past which a document is compacted."""
    return current_app.config.get("AGREEMENTS_COMPACT_AFTER", COMPACT_AFTER)


def snapshot_of(updates: list[bytes]) -> bytes:
    """One update holding everything in these updates.

    A Doc's own encoding is compact (deleted text is garbage-collected: ten times smaller and a
    hundred times faster to load than the merged updates), but it drops anything still waiting
    on a missing dependency. So it is used only when every update was fully integrated;
    otherwise the stored updates themselves are merged.
    """
    doc = Doc()
    for update in updates:
        doc.apply_update(update)
    state = doc.get_state()
    if all(get_update(update, state)[0] == 0 for update in updates):
        return doc.get_update()
    return merged(updates)


def compact(document_id: int) -> int | None:
    """Replace the document's whole log by one snapshot row, in one transaction; return its id."""
    with _group.commit_lock, db.engine.begin() as connection:
        _lock_documents(connection, [document_id])
        rows = connection.execute(
            select(log_table.c.id, log_table.c.data)
            .where(log_table.c.document_id == document_id)
            .order_by(log_table.c.id)
        ).all()
        if len(rows) < 2:
            return None
        # Off the loop: other rooms' sockets are served meanwhile (their commits wait for the lock).
        snapshot = off_loop(snapshot_of, [row.data for row in rows], queue=COMPACTION)
        # Insert before deleting, so the snapshot's id is above every id a room may have read
        # (SQLite would otherwise hand out a freed id again).
        snapshot_id = connection.scalar(
            insert(log_table)
            .values(document_id=document_id, data=snapshot, user_id=None, created_at=clock.now(), is_snapshot=True)
            .returning(log_table.c.id)
        )
        connection.execute(
            delete(log_table).where(log_table.c.document_id == document_id, log_table.c.id <= rows[-1].id)
        )
        return snapshot_id
