"""The relay server: one asyncio loop serving every connection, worker threads for the database.

A connection is one person in one document (`/agreements/<document id>`). Its messages are handled
in order. An update is checked and applied to the room's document on the loop (pycrdt, one message
at a time), handed to the writer thread, which commits whatever is queued in one transaction; once
committed it is sent to the others in the room and then acknowledged (`committed`), in the order it
was applied. Nothing on the loop waits for the database: reads run in the thread pool, each inside
an app context.
"""
from __future__ import annotations

import asyncio
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
import gc
import logging
import queue
import threading
from typing import Callable

from flask import Flask
from pycrdt import Doc
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

from agreements import store, sync
from agreements.awareness import own_presence
from agreements.limits import SizeGuard
from agreements.shape import read_title
from couples.errors import DomainError, ReadOnly
from live.rate import BYTES_PER_TOKEN, FLOOD_FACTOR, Bucket, SlowDown
from relay import gate, messages
from relay.oversize import AnsweringConnection

log = logging.getLogger(__name__)
PATH_PREFIX = "/agreements/"
# A message may carry a whole document (a reconnect's step 2 after long offline work), plus its framing.
FRAMING_ALLOWANCE = 64 * 1024
GC_THRESHOLDS = (50_000, 50, 1_000)  # young objects before a collection; then how many young before older ones
SAVED = object()  # an answer slot whose update is committed (or changed nothing)


def message_limit(app: Flask) -> int:
    """The largest message the relay reads: the document limit and its framing."""
    return app.config["AGREEMENTS_MAX_DOCUMENT_BYTES"] + FRAMING_ALLOWANCE


@dataclass(eq=False)
class Connection:
    """One open WebSocket: its person, its document's room, and its updates' answers still to send, in order."""

    ws: ServerConnection
    member: gate.Member
    room: "Room"
    received: int = 0  # step 2s and updates received so far (each one's index)
    answers: deque = field(default_factory=deque)  # [index, SAVED | refused message | None (pending)]
    bucket: Bucket | None = None  # its messages' token bucket (made full with the connection)
    active: bool = False  # sent something since the relay last noted its session's activity

    def send(self, message: bytes) -> None:
        """Queue a message to this connection without waiting (in the order of the calls)."""
        broadcast([self.ws], message)

    def answer(self, slot: list, result) -> None:
        """Settle an update's answer and send every settled answer at the front, committed ones as one."""
        slot[1] = result
        last_saved = None
        while self.answers and self.answers[0][1] is not None:
            index, result = self.answers.popleft()
            if result is SAVED:
                last_saved = index
                continue
            if last_saved is not None:
                self.send(messages.committed(last_saved))
                last_saved = None
            self.send(result)
        if last_saved is not None:
            self.send(messages.committed(last_saved))


class Room:
    """One open document in this relay: its CRDT, who has it open, and what presence they announced."""

    def __init__(self, document_id: int):
        self.document_id = document_id
        self.doc: Doc | None = None  # None: (re)load from the log before use
        self.last_id = 0
        self.rows = 0
        self.ahead: set[int] = set()  # rows we committed past last_id: already in doc
        self.title: str | None = None
        self.size = SizeGuard()
        self.connections: set[Connection] = set()
        self.presence: dict[Connection, dict[int, sync.Presence]] = {}
        self.inflight = 0  # updates applied to doc, not committed yet
        self.drained = asyncio.Event()
        self.drained.set()
        self.loading = asyncio.Lock()
        self.compacting = False
        self.signatures: int | None = None  # the newest signature id seen (None: not looked yet)

    def loaded(self, doc: Doc, last_id: int, rows: int) -> None:
        """Take a document freshly built from the log."""
        self.doc, self.last_id, self.rows, self.ahead = doc, last_id, rows, set()
        self.title = read_title(doc)

    def others(self, connection: Connection | None) -> list:
        """The sockets of everyone in the room but connection."""
        return [c.ws for c in self.connections if c is not connection]


class Writer:
    """The thread that commits queued appends, as many as are waiting in one transaction (group commit)."""

    def __init__(self, app: Flask, loop: asyncio.AbstractEventLoop, done: Callable[[list], None]):
        self._app, self._loop, self._done = app, loop, done
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="relay-writer", daemon=True).start()

    def submit(self, entry: store._Append, context) -> None:
        """Queue an append; done([(entry, context), ...]) runs on the loop once its commit is over."""
        self._queue.put((entry, context))

    def _run(self) -> None:
        with self._app.app_context():
            while True:
                batch = [self._queue.get()]
                while True:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                store.write_all([entry for entry, _ in batch])
                self._loop.call_soon_threadsafe(self._done, batch)


class Relay:
    """The relay's state: its rooms, its threads, its limits."""

    def __init__(self, app: Flask):
        self.app = app
        self.rooms: dict[int, Room] = {}
        self.connections: set[Connection] = set()
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="relay-db")
        # The same token bucket as the Socket.IO namespaces' (live/rate.py): SOCKET_EVENTS_BURST at once,
        # SOCKET_EVENTS_PER_SECOND on average. Not the `limits` package here: its in-memory storage expires
        # keys with a timer thread started every 10 ms, and its moving window costs O(limit) per message.
        self.burst = app.config["SOCKET_EVENTS_BURST"]
        self.rate = app.config["SOCKET_EVENTS_PER_SECOND"]
        self.writer: Writer | None = None

    async def db(self, function, *args):
        """Run function(*args) in a worker thread inside an app context."""
        def run():
            with self.app.app_context():
                return function(*args)

        return await asyncio.get_running_loop().run_in_executor(self.pool, run)

    async def serve(self, host: str, port: int, ready: Callable[[int], None] | None = None) -> None:
        """Serve until cancelled; ready(port) is called once listening."""
        loop = asyncio.get_running_loop()
        self.writer = Writer(self.app, loop, self._committed)
        async with serve(self.handle, host, port, max_size=message_limit(self.app), max_queue=8,
                         compression=None, ping_interval=20, ping_timeout=60,
                         create_connection=AnsweringConnection) as server:
            if ready:
                ready(server.sockets[0].getsockname()[1])
            await self._recheck_forever()

    # Connections

    async def handle(self, ws: ServerConnection) -> None:
        """Admit a connection, then handle its messages in order until it closes.

        The app context (this task's own) lets what runs on the loop read the configuration.
        """
        with self.app.app_context():
            await self._handle(ws)

    async def _handle(self, ws: ServerConnection) -> None:
        try:
            member = await self._admit(ws)
        except gate.Refusal as refusal:
            log.info("relay: refused a connection to %s: %s", ws.request.path, refusal.code)
            await ws.close(refusal.code, refusal.reason)
            return
        room = await self._enter(member.document_id)
        connection = Connection(ws, member, room)
        room.connections.add(connection)
        self.connections.add(connection)
        try:
            await self._greet(connection)
            async for data in ws:
                await self.receive(connection, data)
                # One read of the socket may queue thousands of small messages, and a message handled
                # without waiting does not let the loop run: yield after each, so a flooding connection
                # takes its turn with the others instead of holding the loop until its queue is empty.
                await asyncio.sleep(0)
        except ConnectionClosed:
            pass
        finally:
            self._leave(connection)

    async def _admit(self, ws: ServerConnection) -> gate.Member:
        headers = ws.request.headers
        gate.check_origin(self.app, headers.get("Origin"), headers.get("Host"))
        path = ws.request.path.split("?", 1)[0]
        number = path[len(PATH_PREFIX):] if path.startswith(PATH_PREFIX) else ""
        if not number.isdigit() or len(number) > 18:
            raise gate.Refusal(gate.NOT_FOUND, "We couldn't find that document.")
        return await self.db(gate.admit, self.app, headers.get("Cookie"), int(number))

    async def _enter(self, document_id: int) -> Room:
        room = self.rooms.get(document_id)
        if room is None:
            room = self.rooms[document_id] = Room(document_id)
            # The signatures as the room opens: one made before the next recheck is then told, not taken as known.
            marks = await self.db(gate.document_marks, self.app, [document_id])
            if room.signatures is None:
                room.signatures = marks.get(document_id, (0, 0, 0))[1]
        await self._ready(room)
        return room

    async def _greet(self, connection: Connection) -> None:
        """As y-websocket's server does: our step 1 (to those who may write), and who is here."""
        room = connection.room
        if connection.member.may_write:
            connection.send(sync.step1_message(room.doc))
        if connection.member.presence:
            present = [e for c, entries in room.presence.items() if c is not connection and c.member.presence
                       for e in entries.values()]
            if present:
                connection.send(sync.awareness_message(present))

    def _leave(self, connection: Connection) -> None:
        room = connection.room
        self.connections.discard(connection)
        room.connections.discard(connection)
        self._forget_presence(connection)
        if not room.connections and not room.inflight:
            self.rooms.pop(room.document_id, None)

    def close(self, connection: Connection, code: int, reason: str) -> None:
        """Close a connection from outside its handler (revocation, flooding)."""
        asyncio.ensure_future(connection.ws.close(code, reason))

    # Revocation

    async def _recheck_forever(self) -> None:
        """Read again, every RELAY_RECHECK_SECONDS, whether each connection's session and couple still hold.

        Signing out, changing the password, deleting the account or unlinking in the app, on any
        process, thus closes the relay's connections concerned within about that time.
        """
        every = self.app.config["RELAY_RECHECK_SECONDS"]
        while True:
            await asyncio.sleep(every)
            try:
                await self.recheck()
            except Exception:  # noqa: BLE001 - e.g. the database is briefly unavailable: try again next time
                log.exception("relay: could not check the connections again")

    async def recheck(self) -> None:
        """Close the connections whose access ended; follow changes of presence sharing."""
        connections = list(self.connections)
        active = {c.member.login_session_id for c in connections if c.active}
        for connection in connections:
            connection.active = False
        admitted = await self.db(gate.still_admitted, self.app, [c.member for c in connections], active)
        for connection in connections:
            member = connection.member
            now = admitted.get((member.login_session_id, member.couple_id))
            if now is None:
                self.close(connection, gate.SIGNED_OUT, "Please sign in again.")
            elif member.may_write and not now[0]:
                self.close(connection, gate.ARCHIVED, "This space is now a read-only archive.")
            elif member.presence != now[1]:
                if member.presence:
                    self._forget_presence(connection)
                member.presence = now[1]
        await self._follow_documents()

    async def _follow_documents(self) -> None:
        """Tell each open room of new signatures, and send it what the app itself wrote to its log (a restore)."""
        rooms = list(self.rooms.values())
        marks = await self.db(gate.document_marks, self.app, [room.document_id for room in rooms])
        for room in rooms:
            newest_row, newest_signature, rows = marks.get(room.document_id, (0, 0, 0))
            if room.signatures is not None and newest_signature != room.signatures:
                broadcast(room.others(None), messages.states())
            room.signatures = newest_signature
            # Rows another relay wrote may sit behind our own newest one: the log's length tells.
            if room.doc is not None and newest_row > room.last_id and (newest_row not in room.ahead
                                                                       or rows > room.rows):
                await self._catch_up(room)

    # Messages

    async def receive(self, connection: Connection, data) -> None:
        """Handle one message of a connection."""
        connection.active = True
        is_update = isinstance(data, bytes) and len(data) > 1 and data[0] == 0 and data[1] in (1, 2)
        slot = None
        if is_update:
            connection.received += 1
            slot = [connection.received, None]
            connection.answers.append(slot)
        try:
            self._take_rate(connection, data)
            if isinstance(data, bytes) and data[:1] == bytes([messages.QUERY_AWARENESS]):
                self._greet_presence(connection)
                return
            message = sync.parse_message(data, limit=message_limit(self.app))
            if message.kind == sync.AWARENESS:
                self._presence(connection, message)
            elif message.kind == sync.STEP1:
                await self._sync(connection, message)
            else:
                await self._update(connection, message, slot)
        except DomainError as error:
            log.info("relay: refused a message of user %s in document %s: %s", connection.member.user_id,
                     connection.room.document_id, error.code)
            if slot is not None:
                connection.answer(slot, messages.refused(slot[0], error.code, str(error)))

    def _take_rate(self, connection: Connection, data) -> None:
        now = asyncio.get_running_loop().time()
        if connection.bucket is None:
            connection.bucket = Bucket(self.burst, now)
        if connection.bucket.take(now, self.rate, self.burst, 1 + len(data) // BYTES_PER_TOKEN):
            return
        if connection.bucket.refused >= FLOOD_FACTOR * self.burst:
            log.warning("relay: closing a connection of user %s after %d refused messages",
                        connection.member.user_id, connection.bucket.refused)
            self.close(connection, gate.TOO_FAST, "Too much at once. Reload the page to carry on.")
        raise SlowDown()

    async def _ready(self, room: Room) -> Doc:
        """The room's document, (re)loaded from the log once every change applied to it is committed."""
        if room.doc is not None:
            return room.doc
        async with room.loading:
            while room.doc is None:
                await room.drained.wait()
                log.info("relay: reading document %s from its log", room.document_id)
                loaded = await self.db(store.load, room.document_id)
                if room.doc is None and not room.inflight:
                    room.loaded(*loaded)
        return room.doc

    async def _catch_up(self, room: Room) -> None:
        """Apply what others (the app's own server-side edits) committed to the log since we last read it,
        and send it to everyone in the room."""
        rows = await self.db(store.read_log, room.document_id, room.last_id)
        doc = await self._ready(room)
        for row_id, data in rows:
            if row_id > room.last_id and row_id not in room.ahead:
                try:
                    changed = sync.apply_update(doc, data)
                except sync.ProtocolError:  # a row waiting on another: start again from the whole log
                    room.doc = None
                    return
                room.rows += 1
                if changed is not None:
                    broadcast(room.others(None), sync.update_message(changed))
        if rows:
            room.last_id = max(room.last_id, rows[-1][0])
            room.ahead = {row_id for row_id in room.ahead if row_id > room.last_id}

    async def _sync(self, connection: Connection, message: sync.Message) -> None:
        room = connection.room
        await self._catch_up(room)
        connection.send(sync.answer_step1(room.doc, message))
        if connection.member.may_write:
            connection.send(sync.step1_message(room.doc))

    async def _update(self, connection: Connection, message: sync.Message, slot: list) -> None:
        if not connection.member.may_write:
            raise ReadOnly()
        room = connection.room
        doc = await self._ready(room)
        room.size.admit(doc, message.payload, room.rows)
        try:
            changed = sync.apply_update(doc, message.payload)
        except sync.ProtocolError as error:
            if error.spoils_document:
                room.doc = None
            raise
        if changed is None:
            connection.answer(slot, SAVED)
            return
        title = read_title(doc)
        entry = store.pending(room.document_id, changed, connection.member.user_id,
                              title if title != room.title else None)
        room.title = title
        room.inflight += 1
        room.drained.clear()
        self.writer.submit(entry, (connection, slot, changed))

    def _committed(self, batch: list) -> None:
        """On the loop, in commit order: send each committed update to the room, then acknowledge it."""
        for entry, (connection, slot, changed) in batch:
            room = connection.room
            room.inflight -= 1
            if entry.error is not None:
                log.error("relay: could not save an update of document %s: %r", room.document_id, entry.error)
                room.doc = None  # it holds a change the log does not
                error = store.NotSaved("This change could not be saved yet; it will be sent again.")
                connection.answer(slot, messages.refused(slot[0], error.code, str(error)))
            else:
                room.ahead.add(entry.id)
                room.rows += 1
                room.size.committed(changed, room.rows)
                broadcast(room.others(connection), sync.update_message(changed))
                connection.answer(slot, SAVED)
            if not room.inflight:
                room.drained.set()
                if not room.connections:
                    self.rooms.pop(room.document_id, None)
            if room.rows > store.compact_after() and not room.compacting:
                room.compacting = True
                asyncio.ensure_future(self._compact(room))

    async def _compact(self, room: Room) -> None:
        """Compact the log off the loop; the room reloads its (smaller) document from it before its next use."""
        try:
            await self.db(store.compact, room.document_id)
            room.doc = None
        finally:
            room.compacting = False

    # Presence

    def _presence(self, connection: Connection, message: sync.Message) -> None:
        entries = sync.parse_awareness(message.payload)
        if not connection.member.presence:
            return
        room = connection.room
        others = {client for c, clients in room.presence.items() if c is not connection for client in clients}
        cleaned = own_presence(connection.member.name, entries, room.presence.setdefault(connection, {}), others)
        self._tell_present(room, connection, sync.awareness_message(cleaned))

    def _forget_presence(self, connection: Connection) -> None:
        """Drop the connection's presence; the others see it go."""
        room = connection.room
        gone = room.presence.pop(connection, {})
        farewell = [sync.Presence(e.client_id, e.clock + 1, None) for e in gone.values() if e.state is not None]
        if farewell and connection.member.presence:
            self._tell_present(room, connection, sync.awareness_message(farewell))

    def _greet_presence(self, connection: Connection) -> None:
        room = connection.room
        if not connection.member.presence:
            return
        present = [e for c, entries in room.presence.items() if c.member.presence for e in entries.values()]
        if present:
            connection.send(sync.awareness_message(present))

    def _tell_present(self, room: Room, sender: Connection | None, message: bytes) -> None:
        """Send presence to those in the room with whom presence flows."""
        broadcast([c.ws for c in room.connections if c is not sender and c.member.presence], message)


def run(app: Flask, host: str, port: int, ready: Callable[[int], None] | None = None) -> None:
    """Run a relay for app on host:port with uvloop until interrupted."""
    import uvloop

    quiet_collector()
    uvloop.run(Relay(app).serve(host, port, ready))


def quiet_collector() -> None:
    """Keep the garbage collector from stopping the loop for long.

    Measured at 400 couples typing: full collections every few seconds took 80 to 185 ms each, with the
    loop stopped meanwhile (the partners' p99 was those pauses). What exists at start (the app, its modules)
    is moved out of the collector's sight, and collections run less often; the relay's own objects are
    mostly freed by reference counting, not by the collector.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

