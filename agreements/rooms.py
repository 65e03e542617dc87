"""Live rooms: the in-memory CRDT of each open document, kept in step with its update log.

A room exists while someone in this process has its document open. Everything that reads or
changes a room's document, and every message sent to the room, happens under the room's lock,
so each client receives a room's updates in the order they were committed.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from flask import current_app
from pycrdt import Doc

from agreements import store, sync
from agreements.limits import SizeGuard
from agreements.shape import read_title
from couples.access import may_write
from extensions import db, socketio
from workers import let_others_run

NAMESPACE = "/agreements"
T = TypeVar("T")


def room_name(document_id: int) -> str:
    """The Socket.IO room of a document."""
    return f"agreement:{document_id}"


def release_connection() -> None:
    """Give the session's pooled connection back before waiting for a room, unless it holds unsaved changes.

    Everyone waiting for a room would otherwise keep a connection each, and the room's holder, who needs
    one to catch up and to commit, could wait for the pool until it times out (seen with 20 couples
    typing, and again with pages reading a document while its partners typed).
    """
    if db.session.registry.has():  # (without making a session)
        session = db.session()
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            session.commit()


class Room:
    """One open document: its CRDT, its lock, who has it open and what presence they announced."""

    def __init__(self, document_id: int, couple_id: int):
        self.document_id = document_id
        self.couple_id = couple_id
        self.lock = threading.RLock()
        self.doc: Doc | None = None
        self.last_id = 0  # the newest log row read into doc
        self.ahead: set[int] = set()  # our own rows past last_id: already in doc
        self.rows = 0
        self.title: str | None = None
        self.sids: set[str] = set()
        self.borrowers = 0  # server-side readers and editors using the room right now
        self.presence: dict[str, dict[int, sync.Presence]] = {}  # sid -> its latest presence per client id
        self.size = SizeGuard()  # refuses growing updates once the document is full
        self.writers: dict[str, tuple[tuple, bool]] = {}  # sid -> (the socket check it holds for, may write)

    def may_write(self, sid: str, verification: tuple) -> bool:
        """Whether sid's user may change the document, read once per check of the socket's login session.

        Joined, so a member; only linked-ness can change, and unlinking closes the sockets.
        """
        known = self.writers.get(sid)
        if known is None or known[0] != verification:
            known = self.writers[sid] = (verification, may_write(verification[0], self.couple_id))
        return known[1]

    @contextmanager
    def locked(self) -> Iterator["Room"]:
        """Hold the room's lock, never while holding a database connection (for socket handlers)."""
        release_connection()
        with self.lock:
            yield self
        # A released gevent lock is not handed over: let whoever waits take it before this connection's
        # next, already received, message takes it again (one busy partner would starve the other).
        let_others_run()

    def reload(self) -> None:
        """Rebuild the document from the whole log."""
        self.doc, self.last_id, self.rows = store.load(self.document_id)
        self.ahead = set()
        self.title = read_title(self.doc)

    def refresh(self) -> Doc:
        """Catch the document up with rows other processes committed; return it."""
        if self.doc is None:
            self.reload()
            return self.doc
        if not store.log_is_shared():  # this process writes every row, and the room holds them all
            return self.doc
        rows = store.read_log(self.document_id, self.last_id)
        for row_id, data in rows:
            if row_id not in self.ahead:
                self.doc.apply_update(data)
                self.rows += 1
        if rows:
            self.last_id = rows[-1][0]
            self.ahead = {row_id for row_id in self.ahead if row_id > self.last_id}
        return self.doc

    def receive(self, update: bytes, user_id: int | None) -> bytes | None:
        """Validate, apply and commit a client's update; return what it changed (None: nothing)."""
        doc = self.refresh()
        self.size.admit(doc, update, self.rows)
        try:
            changed = sync.apply_update(doc, update)
        except sync.ProtocolError as error:
            if error.spoils_document:
                self.doc = None
            raise
        return self._commit(changed, user_id)

    def change(self, edit: Callable[[Doc], None], user_id: int | None) -> bytes | None:
        """Make a server-side edit (e.g. a restore) as one transaction, commit it; return its update."""
        doc = self.refresh()
        try:
            with sync.checked_changes(doc) as updates:
                with doc.transaction():
                    edit(doc)
            self.size.admit_edit(doc, updates)
        except BaseException:
            self.doc = None
            raise
        return self._commit(store.merged(updates), user_id)

    def _commit(self, changed: bytes | None, user_id: int | None) -> bytes | None:
        if changed is None:
            return None
        title = read_title(self.doc)
        try:
            row_id = store.append(self.document_id, changed, user_id, title if title != self.title else None)
        except BaseException:
            self.doc = None  # it holds a change the log does not: start again from the log
            raise
        self.title = title
        if store.log_is_shared():
            self.ahead.add(row_id)
        else:
            self.last_id = row_id
        self.rows += 1
        self.size.committed(changed, self.rows)
        if self.rows > store.compact_after():
            store.compact(self.document_id)
            self.reload()
        return changed

    def answer_step1(self, message: sync.Message) -> bytes:
        """Return the step 2 reply to a client's step 1, from the freshly caught-up document."""
        return sync.answer_step1(self.refresh(), message)

    def step1(self) -> bytes:
        """Return our own step 1, asking the client for what the server lacks."""
        return sync.step1_message(self.refresh())

    def broadcast(self, message: bytes, skip_sid: str | None = None) -> None:
        """Send a message to everyone in the room (but skip_sid); call while holding the lock."""
        socketio.emit("yjs", (self.document_id, message), to=room_name(self.document_id),
                      namespace=NAMESPACE, skip_sid=skip_sid)


class Rooms:
    """The rooms open in this process, keyed by document id."""

    def __init__(self):
        self._rooms: dict[int, Room] = {}
        self._lock = threading.Lock()

    def enter(self, document_id: int, couple_id: int, sid: str) -> Room:
        """Put sid in the document's room, opening the room if needed."""
        with self._lock:
            room = self._rooms.get(document_id)
            if room is None:
                room = self._rooms[document_id] = Room(document_id, couple_id)
            room.sids.add(sid)
            return room

    def joined(self, sid: str, document_id) -> Room | None:
        """The room of document_id if sid has joined it."""
        with self._lock:
            room = self._rooms.get(document_id) if isinstance(document_id, int) else None
            return room if room is not None and sid in room.sids else None

    def leave(self, sid: str, document_id: int) -> Room | None:
        """Take sid out of the room; drop the room from memory once nobody has it open."""
        with self._lock:
            room = self._rooms.get(document_id)
            if room is None or sid not in room.sids:
                return None
            room.sids.discard(sid)
            room.writers.pop(sid, None)
            self._drop_if_unused(room)
            return room

    def _drop_if_unused(self, room: Room) -> None:
        if not room.sids and not room.borrowers:
            del self._rooms[room.document_id]

    @contextmanager
    def borrowed(self, document_id: int, couple_id: int) -> Iterator[Room]:
        """The document's one room in this process, open for the duration (server-side reads and edits)."""
        with self._lock:
            room = self._rooms.get(document_id)
            if room is None:
                room = self._rooms[document_id] = Room(document_id, couple_id)
            room.borrowers += 1
        try:
            yield room
        finally:
            with self._lock:
                room.borrowers -= 1
                self._drop_if_unused(room)

    def of(self, sid: str) -> list[Room]:
        """The rooms sid has joined."""
        with self._lock:
            return [room for room in self._rooms.values() if sid in room.sids]

    def open(self, document_id: int) -> Room | None:
        """The document's room if it is open in this process."""
        with self._lock:
            return self._rooms.get(document_id)


def rooms() -> Rooms:
    """The rooms of the current app."""
    return current_app.extensions.setdefault("agreements.rooms", Rooms())


def read(document_id: int, couple_id: int, reader: Callable[[Doc], T]) -> T:
    """Run reader on the document exactly as the log holds it now (e.g. to sign an agreement's text)."""
    release_connection()
    with rooms().borrowed(document_id, couple_id) as room, room.lock:
        return reader(room.refresh())


def edit(document_id: int, couple_id: int, change: Callable[[Doc], None], user_id: int | None) -> None:
    """Make a server-side change to the document, commit it and send it to everyone who has it open."""
    release_connection()
    with rooms().borrowed(document_id, couple_id) as room, room.lock:
        update = room.change(change, user_id)
        if update is not None:
            room.broadcast(sync.update_message(update))
