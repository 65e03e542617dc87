"""The maximum size of a document, kept cheaply.

A document's size is the length of its encoded state (what a joining client downloads and what
compaction stores; deleted text is garbage-collected out of it). Encoding a whole document on
every keystroke would be slow, so a room keeps its last exact measurement plus the bytes of every
update committed since, and measures again only when that estimate nears the limit. An update
that brings new content is refused with `document_full` when the document would pass the limit;
an update that only deletes is always accepted, so a full document can be trimmed.
"""
from __future__ import annotations

from flask import current_app
from pycrdt import Doc, get_update

from agreements import sync
from couples.errors import Invalid

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


class DocumentFull(Invalid):
    """The document has reached its maximum size: nothing more can be added to it."""

    code = "document_full"

    def __init__(self, message: str = "This document is full: your latest addition is not saved yet. Shorten the "
                                      "document (deleting always works), or start a new one."):
        super().__init__(message)


def max_document_bytes() -> int:
    """The configured maximum encoded size of a document."""
    return current_app.config.get("AGREEMENTS_MAX_DOCUMENT_BYTES", MAX_DOCUMENT_BYTES)


def new_content(doc: Doc, update: bytes) -> bytes | None:
    """The part of update that adds items doc lacks (None: it only deletes, or it does not decode)."""
    try:
        missing = get_update(update, doc.get_state())
    except BaseException as error:  # apply_update gives the proper error for what does not decode
        if isinstance(error, Exception) or sync._is_rust_panic(error):
            return None
        raise
    return missing if missing[:1] != b"\x00" else None  # v1 updates start with the count of writers


class SizeGuard:
    """A room's document size: the last exact measurement and the bytes committed since."""

    def __init__(self):
        self.measured: int | None = None
        self.since = 0
        self.rows = -1  # the room's row count the estimate accounts for

    def admit(self, doc: Doc, update: bytes, rows: int) -> None:
        """Raise DocumentFull if applying update to doc would take it past the limit."""
        limit = max_document_bytes()
        if rows != self.rows:  # rows came from elsewhere (another process, a compaction): unknown size
            self.measured = None
        if self.measured is not None and self.measured + self.since + len(update) <= limit:
            return
        added = new_content(doc, update)
        if added is None:
            return
        if self.measured is None or self.since:
            self.measured, self.since, self.rows = len(doc.get_update()), 0, rows
        if self.measured + len(added) > limit:
            raise DocumentFull()

    def admit_edit(self, doc: Doc, updates: list[bytes]) -> None:
        """Raise DocumentFull if a server-side edit already made in doc adds content past the limit."""
        if any(update[:1] != b"\x00" for update in updates) and len(doc.get_update()) > max_document_bytes():
            raise DocumentFull()

    def committed(self, update: bytes, rows: int) -> None:
        """Count an update the room committed as its row number `rows`."""
        if rows == self.rows + 1:
            self.since, self.rows = self.since + len(update), rows
        else:
            self.measured = None


class TooManyDocuments(Invalid):
    """One connection has as many documents open as it may."""

    code = "too_many_documents"

    def __init__(self, message: str = "Too many documents are open in this window. Close one and try again."):
        super().__init__(message)


def admit_join(joined: list, document_id: int) -> None:
    """Raise TooManyDocuments if a socket that has `joined` these rooms may not open one more."""
    if len(joined) >= current_app.config["AGREEMENTS_MAX_OPEN_DOCUMENTS"] and all(
            room.document_id != document_id for room in joined):
        raise TooManyDocuments()
