"""Fuzzing a real gunicorn/gevent server's sockets and the relay's WebSocket with generated payloads.

Socket.IO (/dialogue, /couple): several msgpack clients (Alice, Carol of another couple too) send events
without waiting for each answer, a window of them in flight per connection. Asserted: every event is answered
(an exception escaping a handler would leave it unanswered, or answered with the `internal` code the app logs
it under), the server process is the same one and answers after every batch, its log holds no traceback.

The relay (the agreements documents): Alice (twice) and Carol send frames to their own documents (mutated
real y-protocols messages, random bytes, text frames, junk, now and then one over the size limit). Asserted:
every frame the relay numbers as an update is answered (`committed` or `refused`), a connection is closed
only with a code that says why (an oversized frame: 1009), the relay process lives and its log holds no
traceback or error, a quiet couple beside them keeps editing as usual, and each document's stored state
equals a mirror Doc that applied exactly the updates the relay acknowledged.

`make test-long` sends 100,000 payloads to each; the normal suite a short run of 3,000. Run with `-s` for the
figures. Payloads come from tests/security/fuzz.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import re
import threading
import time

from pycrdt import Doc, handle_sync_message
import pytest
import requests
import socketio
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from agreements.shape import agreement_text, find_item
from relay import messages as relay_messages
from relay.server import FRAMING_ALLOWANCE
from tests.conftest import TEST_SETTINGS
from tests.people import new_couple, signed_in
from tests.relay.client import RelayClient
from tests.security.fuzz import JUNK, Payload, Payloads, RelayFrames, drawn, real_messages, relay_counts
from tests.servers import run_in_threads

pytestmark = pytest.mark.server

WINDOW = 32  # events in flight per connection
# Events per second per connection: under the server's per-socket limit (SOCKET_EVENTS_PER_SECOND, 100), so
# the payloads reach the handlers rather than the limiter (whose flood protection would close the connection;
# tests/security/test_limits.py and bench/flood.py cover it).
RATE = 80
BATCH = 500  # payloads per connection between two health checks
LOG_PROBLEMS = re.compile(r"Traceback|Exception|ERROR|CRITICAL")


# Close codes a fuzzed relay connection may end with: a frame over the size limit, or the relay's own refusals.
RELAY_CLOSE_CODES = {1009, 4401, 4403, 4404, 4429}


@dataclass
class FuzzWorld:
    server: object
    relay: object
    app: object
    ids: dict  # doc, other_doc, quiet_doc, dialogue, other_dialogue; items: document id -> its agreement's id
    states: dict  # document id -> its state when the server started
    cookies: dict  # "alice", "carol", "erin", "finn" -> Cookie header


def _open_dialogue(couple, sender, receiver):
    from dialogue.models import Dialogue
    from extensions import db

    dialogue = Dialogue(couple_id=couple.id, topic="Our evenings", sender_id=sender.id, receiver_id=receiver.id,
                        round=1, state="checking", turn_index=4, open_couple_id=couple.id)
    db.session.add(dialogue)
    db.session.commit()
    return dialogue.id


@pytest.fixture(scope="module")
def fuzz_world(migrated_db, tmp_path_factory):
    """Alice and Bob, Carol and Dan, each with a document holding one agreement and an open dialogue; Erin and
    Finn, the quiet couple, with a document; a server and a relay on their database."""
    from agreements import store
    from agreements.models import AgreementDocument
    from app import create_app
    from extensions import db
    from tests.agreements.writing import add_agreement
    from tests.servers import Relay, Server, sqlite_copy

    folder = tmp_path_factory.mktemp("fuzz")
    url = sqlite_copy(migrated_db, folder)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        ab, alice, bob = new_couple("Alice Moreau", "Bob Lindqvist", ".fuzz")
        cd, carol, dan = new_couple("Carol Nguyen", "Dan Okafor", ".fuzz")
        ef, _, _ = new_couple("Erin Castillo", "Finn Adeyemi", ".fuzz")
        docs = {c.id: db.session.scalar(select(AgreementDocument).where(AgreementDocument.couple_id == c.id))
                for c in (ab, cd, ef)}
        items = {docs[ab.id].id: add_agreement(docs[ab.id], "We take a break when a fight gets too hot."),
                 docs[cd.id].id: add_agreement(docs[cd.id], "We cook together on Fridays."),
                 docs[ef.id].id: add_agreement(docs[ef.id], "")}
        ids = {"doc": docs[ab.id].id, "other_doc": docs[cd.id].id, "quiet_doc": docs[ef.id].id, "items": items,
               "dialogue": _open_dialogue(ab, alice, bob),
               "other_dialogue": _open_dialogue(cd, carol, dan)}
        states = {d.id: store.load(d.id)[0].get_update() for d in docs.values() if d.couple_id != ef.id}
        db.session.remove()
        db.engine.dispose()
    server = Server(folder, url).start()
    # Rate limits lifted, so that the frames reach the handlers (tests/relay/test_limits.py covers the limits).
    relay = Relay(folder, url, server.url, env={"SOCKET_EVENTS_PER_SECOND": "100000",
                                                "SOCKET_EVENTS_BURST": "100000"}).start()
    try:
        cookies = {name: signed_in(f"{name}.fuzz@example.org", url=server.url).cookie
                   for name in ("alice", "carol", "erin", "finn")}
        yield FuzzWorld(server, relay, app, ids, states, cookies)
    finally:
        relay.stop()
        server.stop()


def _worker_pid(server) -> int:
    """The pid of gunicorn's one worker process (a crash would make the master start another)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


class Mirrors:
    """One Doc per document that applies only what the relay acknowledged."""

    def __init__(self, states: dict):
        self.lock = threading.Lock()
        self.docs = {}
        for document_id, state in states.items():
            self.docs[document_id] = Doc()
            self.docs[document_id].apply_update(state)
        self.applied = dict.fromkeys(self.docs, 0)  # acknowledged updates applied, per document

    def acknowledged(self, document_id: int, frame: bytes) -> None:
        with self.lock:
            handle_sync_message(frame[1:], self.docs[document_id])
            self.applied[document_id] += 1


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = self.answered = self.ok = self.refused = self.connects = 0
        self.closes: dict[int, int] = {}  # relay close code -> how many
        self.internal: list = []
        self.strange: list = []

    def add(self, **counts):
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class Paced:
    """Keep to RATE sends per second (after a stall, catch up by at most a second's worth)."""

    next_at = 0.0

    def _pace(self) -> None:
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now - 1) + 1 / RATE


class Connection(Paced):
    """One person's msgpack client on /dialogue and /couple, sending with a window of unanswered events."""

    def __init__(self, world: FuzzWorld, who: str, seed: int, junk: list, stats: Stats):
        self.world, self.stats = world, stats
        self.cookie = world.cookies[who]
        self.payloads = Payloads(seed, junk, world.ids)
        self.window = threading.BoundedSemaphore(WINDOW)
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.sio.connect(world.server.url, headers={"Cookie": self.cookie}, transports=["websocket"],
                         namespaces=["/dialogue", "/couple"], wait_timeout=10)

    def send(self, payload: Payload) -> None:
        assert self.window.acquire(timeout=60), "an event went unanswered for a minute"
        self._pace()

        def answered(*answer):
            self._check(payload, answer)
            self.window.release()

        try:
            self.sio.emit(payload.event, payload.args, namespace=payload.namespace, callback=answered)
        except Exception as error:  # noqa: BLE001 - the client could not encode it; nothing was sent
            self.window.release()
            raise AssertionError(f"could not send {payload!r}: {error!r}") from error
        self.stats.add(sent=1)

    def _check(self, payload: Payload, answer: tuple) -> None:
        value = answer[0] if len(answer) == 1 else answer
        if isinstance(value, dict) and value.get("ok") is True:
            self.stats.add(answered=1, ok=1)
        elif isinstance(value, dict) and value.get("ok") is False:
            if value.get("error", {}).get("code") == "internal":
                with self.stats.lock:
                    self.stats.internal.append(payload)
            self.stats.add(answered=1, refused=1)
        else:  # unknown events are answered empty; anything else is worth a look
            if payload.event in EVENTS_WITH_ANSWERS:
                with self.stats.lock:
                    self.stats.strange.append((payload, answer))
            self.stats.add(answered=1)

    def drain(self) -> None:
        """Wait until every event sent is answered."""
        for _ in range(WINDOW):
            assert self.window.acquire(timeout=60), "an event went unanswered for a minute"
        for _ in range(WINDOW):
            self.window.release()

    def connect_with_junk_auth(self, auth) -> None:
        """A new connection whose handshake carries junk auth data; refused or accepted, never a crash."""
        namespace = self.payloads.rng.choice(["/dialogue", "/couple"])
        client = socketio.Client(serializer="msgpack", reconnection=False)
        try:
            client.connect(self.world.server.url, headers={"Cookie": self.cookie}, auth=auth,
                           namespaces=[namespace], transports=["websocket"], wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            pass
        finally:
            client.disconnect()
        self.stats.add(connects=1)

    def close(self) -> None:
        self.sio.disconnect()


EVENTS_WITH_ANSWERS = {"act", "writing"}


def _log_problems(process, start: int) -> list[str]:
    with process.log_path.open("rb") as log:
        log.seek(start)
        return [line for line in log.read().decode(errors="replace").splitlines() if LOG_PROBLEMS.search(line)]


def in_batches(clients: list, total: int, batch, healthy, stats: Stats, started: float, what: str) -> None:
    """Share `total` sends among the clients, BATCH each at a time side by side (batch(client, count)); check
    healthy() after every batch."""
    per_client = total // len(clients)
    for start in range(0, per_client, BATCH):
        count = min(BATCH, per_client - start)
        run_in_threads(*(lambda client=client: batch(client, count) for client in clients))
        healthy()
        if total >= 10_000 and (start // BATCH) % 10 == 9:
            print(f"  {stats.sent} {what} sent after {time.monotonic() - started:.0f} s", flush=True)


def fuzz(world: FuzzWorld, total: int, connections: tuple[str, ...], seed: int = 1) -> dict:
    """Send `total` Socket.IO payloads over the connections; check health after every batch; the figures."""
    server = world.server
    pid = _worker_pid(server)
    log_start = server.log_path.stat().st_size
    started = time.monotonic()
    junk = drawn(JUNK, min(4000, max(500, total // 25)))
    auths = drawn(JUNK, 50)
    generated = time.monotonic() - started
    stats = Stats()
    clients = [Connection(world, who, seed * 100 + n, junk, stats) for n, who in enumerate(connections)]
    try:
        def batch(client, count):
            for _ in range(count):
                client.send(client.payloads.next())
            client.drain()
            client.connect_with_junk_auth(client.payloads.rng.choice(auths))

        def healthy():
            assert server.process.poll() is None, "the server process is gone"
            assert _worker_pid(server) == pid, "the worker process was replaced: it crashed"
            assert requests.get(server.url + "/login", timeout=10).status_code == 200
            assert all(client.sio.connected for client in clients), "the server closed a fuzzing connection"

        in_batches(clients, total, batch, healthy, stats, started, "events")
    finally:
        for client in clients:
            client.close()
    return {"stats": stats, "problems": _log_problems(server, log_start), "seconds": time.monotonic() - started,
            "generated": generated}


class RelayConnection(Paced):
    """One person's raw WebSocket to their own document on the relay, sending frames without waiting.

    It numbers the frames the relay numbers (step 2s and updates) and reads the relay's answers; once one
    is committed and not refused, the mirror applies it. A connection the relay closes must say why
    (RELAY_CLOSE_CODES); it is opened again after everything it sent was answered.
    """

    def __init__(self, world: FuzzWorld, who: str, seed: int, junk: list, mirrors: Mirrors, stats: Stats):
        self.world, self.mirrors, self.stats = world, mirrors, stats
        self.cookie = world.cookies[who]
        self.own_doc = world.ids["doc" if who == "alice" else "other_doc"]
        self.frames = RelayFrames(seed, junk, real_messages(world.states[self.own_doc],
                                                             world.ids["items"][self.own_doc]))
        self.changed = threading.Condition()
        self.connect()

    def connect(self) -> None:
        self.ws = connect(f"{self.world.relay.url}/agreements/{self.own_doc}", origin=self.world.server.url,
                          additional_headers={"Cookie": self.cookie}, open_timeout=30, max_size=None,
                          compression=None, legacy=True)
        self.sent: dict[int, bytes] = {}  # index -> frame, not answered yet
        self.index = self.committed = 0
        self.refused: set[int] = set()
        self.closed: ConnectionClosed | None = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            for data in self.ws:
                if not isinstance(data, bytes) or not data:
                    continue
                with self.changed:
                    if data[0] == relay_messages.COMMITTED:
                        self.committed = relay_messages.read_committed(data)
                        self._settle()
                    elif data[0] == relay_messages.REFUSED:
                        self.refused.add(relay_messages.read_refused(data)[0])
                        self.stats.add(answered=1, refused=1)
                    self.changed.notify_all()
        except ConnectionClosed as closed:
            self.closed = closed
        else:
            self.closed = self.ws.protocol.close_exc
        with self.changed:
            self.changed.notify_all()

    def _settle(self) -> None:
        for index in [i for i in self.sent if i <= self.committed]:
            frame = self.sent.pop(index)
            if index not in self.refused:
                self.mirrors.acknowledged(self.own_doc, frame)
                self.stats.add(answered=1, ok=1)
        self.refused = {i for i in self.refused if i > self.committed}

    def answered(self) -> bool:
        return all(i <= self.committed or i in self.refused for i in self.sent)

    def send(self, frame) -> None:
        self._pace()
        with self.changed:
            if relay_counts(frame):
                self.index += 1
                self.sent[self.index] = frame
        try:
            self.ws.send(frame)
        except ConnectionClosed:
            pass
        self.stats.add(sent=1)

    def drain(self) -> None:
        """Wait until the relay answered everything sent, or closed the connection; reopen a closed one."""
        with self.changed:
            assert self.changed.wait_for(lambda: self.answered() or self.closed is not None, timeout=60), \
                "an update went unanswered for a minute"
        if self.closed is not None:
            self._reopen()

    def _reopen(self) -> None:
        self.reader.join(timeout=30)
        code = self.closed.rcvd.code if self.closed.rcvd else None
        with self.stats.lock:
            self.stats.closes[code] = self.stats.closes.get(code, 0) + 1
        assert code in RELAY_CLOSE_CODES, f"the relay closed a connection with {self.closed!r}"
        assert self.answered(), "the relay closed a connection with updates unanswered"
        self.connect()

    def oversized(self) -> None:
        """Once all is answered, a frame over the size limit: the relay closes with 1009 (message too big)."""
        self.drain()
        with self.world.app.app_context():
            limit = self.world.app.config["AGREEMENTS_MAX_DOCUMENT_BYTES"] + FRAMING_ALLOWANCE
        self.send(bytes([0, 2]) + self.frames.rng.randbytes(limit + 1 - 2))
        with self.changed:
            self.changed.wait_for(lambda: self.closed is not None, timeout=60)
        assert self.closed is not None and self.closed.rcvd and self.closed.rcvd.code == 1009, self.closed
        self.sent.pop(self.index, None)  # never read: nothing of it can be answered
        self._reopen()

    def stranger(self) -> None:
        """A handshake with a junk path or Origin, or another couple's document: closed with a code."""
        rng = self.frames.rng
        path, origin = rng.choice([
            (f"/agreements/{self.world.ids['quiet_doc']}", self.world.server.url),
            (f"/agreements/{rng.choice(['', 'x', '-1', '9' * 30, '1.0', '%00', '0x1'])}", self.world.server.url),
            (f"/agreements/{self.own_doc}", rng.choice(["null", "http://evil.example", "x" * 300]))])
        with connect(f"{self.world.relay.url}{path}", origin=origin, additional_headers={"Cookie": self.cookie},
                     open_timeout=30) as ws:
            try:
                ws.recv(timeout=30)
                raise AssertionError(f"the relay let in {path} from {origin}")
            except ConnectionClosed as closed:
                assert closed.rcvd.code in RELAY_CLOSE_CODES, closed
        self.stats.add(connects=1)

    def close(self) -> None:
        self.ws.close()


class Quiet:
    """Erin and Finn, of a couple nobody fuzzes: after each batch Erin types, Finn sees it, and it is saved."""

    def __init__(self, world: FuzzWorld):
        self.item_id = world.ids["items"][world.ids["quiet_doc"]]
        self.erin, self.finn = (RelayClient(world.relay.url, world.ids["quiet_doc"], world.cookies[who],
                                            world.server.url) for who in ("erin", "finn"))
        self.typed = ""

    def still_fine(self) -> None:
        for client in (self.erin, self.finn):
            assert client.wait(lambda c=client: find_item(c.doc, self.item_id) is not None), client.closed
        word = "We rest. "
        index = self.erin.edit(lambda doc: find_item(doc, self.item_id)["text"].insert(0, word))
        self.typed = word + self.typed
        assert self.erin.wait(lambda: self.erin.committed >= index), self.erin.closed
        assert self.erin.refusals == []
        assert self.finn.wait(lambda: agreement_text(self.finn.doc, self.item_id) == self.typed), self.finn.closed

    def close(self) -> None:
        self.erin.close()
        self.finn.close()


def fuzz_relay(world: FuzzWorld, total: int, connections: tuple[str, ...], seed: int = 1) -> dict:
    """Send `total` frames to the relay over the connections; check health after every batch; the figures."""
    relay = world.relay
    log_start = relay.log_path.stat().st_size
    started = time.monotonic()
    junk = drawn(JUNK, min(4000, max(500, total // 25)))
    generated = time.monotonic() - started
    mirrors, stats = Mirrors(world.states), Stats()
    quiet = Quiet(world)
    clients = [RelayConnection(world, who, seed * 100 + n, junk, mirrors, stats) for n, who in enumerate(connections)]
    try:
        def batch(client, count):
            for _ in range(count):
                client.send(client.frames.next())
            client.drain()
            client.stranger()
            client.oversized()

        def healthy():
            assert relay.process.poll() is None, "the relay process is gone"
            quiet.still_fine()

        in_batches(clients, total, batch, healthy, stats, started, "frames")
    finally:
        for client in clients:
            client.close()
        quiet.close()
    return {"stats": stats, "mirrors": mirrors, "problems": _log_problems(relay, log_start),
            "seconds": time.monotonic() - started, "generated": generated}


def _stored_equals_mirrors(world: FuzzWorld, mirrors: Mirrors) -> list[str]:
    """Documents whose stored state differs from their mirror (read through the app's store, same database)."""
    from agreements import store
    from extensions import db

    differ = []
    with world.app.app_context():
        for document_id, mirror in mirrors.docs.items():
            stored = store.load(document_id)[0]
            if stored.get_state() != mirror.get_state() or stored.get_update() != mirror.get_update():
                differ.append(document_id)
        db.session.remove()
    return differ


def _run_and_check(world: FuzzWorld, total: int, connections: tuple[str, ...]) -> None:
    result = fuzz(world, total, connections)
    stats = result["stats"]
    payloads = stats.sent + stats.connects
    print(f"\nsocket fuzzing: {payloads} payloads ({stats.sent} events, {stats.connects} handshakes) over "
          f"{len(connections)} connections in {result['seconds']:.0f} s (generation {result['generated']:.0f} s); "
          f"{stats.ok} acknowledged, {stats.refused} refused; "
          f"escaped exceptions {len(stats.internal)}, log problems {len(result['problems'])}")
    assert payloads >= total
    assert stats.answered == stats.sent, "some events were never answered"
    assert stats.internal == [], f"handlers raised: {stats.internal[:5]}"
    assert result["problems"] == [], "\n".join(result["problems"][:40])
    assert stats.strange == [], stats.strange[:5]
    assert stats.ok > 0 and stats.refused > 0  # the run reached both sides


def _run_relay_and_check(world: FuzzWorld, total: int, connections: tuple[str, ...]) -> None:
    result = fuzz_relay(world, total, connections)
    stats, mirrors = result["stats"], result["mirrors"]
    print(f"\nrelay fuzzing: {stats.sent + stats.connects} payloads ({stats.sent} frames, {stats.connects} "
          f"handshakes) over {len(connections)} connections in {result['seconds']:.0f} s (generation "
          f"{result['generated']:.0f} s); {stats.ok} updates acknowledged, {stats.refused} refused, closed with "
          f"{stats.closes}, updates applied per document {mirrors.applied}; log problems {len(result['problems'])}")
    assert stats.sent + stats.connects >= total
    assert result["problems"] == [], "\n".join(result["problems"][:40])
    assert stats.ok > 0 and stats.refused > 0 and all(mirrors.applied.values())  # the run reached both sides
    assert stats.closes.get(1009, 0) > 0  # oversized frames reached the relay
    assert _stored_equals_mirrors(world, mirrors) == []


def test_a_short_fuzzing_run_breaks_nothing(fuzz_world):
    _run_and_check(fuzz_world, 3000, ("alice", "alice", "carol"))


def test_a_short_fuzzing_run_breaks_nothing_in_the_relay(fuzz_world):
    _run_relay_and_check(fuzz_world, 3000, ("alice", "alice", "carol"))


@pytest.mark.long
@pytest.mark.timeout(1800)
def test_a_hundred_thousand_payloads_break_nothing(fuzz_world):
    _run_and_check(fuzz_world, 100_000, ("alice", "alice", "alice", "carol"))


@pytest.mark.long
@pytest.mark.timeout(1800)
def test_a_hundred_thousand_frames_break_nothing_in_the_relay(fuzz_world):
    _run_relay_and_check(fuzz_world, 100_000, ("alice", "alice", "alice", "carol"))
