"""Fuzzing the sockets of a real gunicorn/gevent server with generated payloads (see tests/security/fuzz.py).

Several msgpack clients (Alice on all three namespaces, Carol of another couple too) send payloads without
waiting for each answer, a window of them in flight per connection. Asserted: every event is answered (an
exception escaping a handler would leave it unanswered, or answered with the `internal` code the app logs it
under), the server process is the same one and answers after every batch, its log holds no traceback or error,
and each document's stored state equals a mirror Doc that applied exactly the updates the server acknowledged.

`make test-long` sends 100,000 payloads; the normal suite a short run of 3,000. Run with `-s` for the figures.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio
from pycrdt import Doc, YMessageType, YSyncMessageType, handle_sync_message
from sqlalchemy import select

from tests.agreements.live_server import run_in_threads, sign_in
from tests.conftest import PASSWORD, TEST_SETTINGS
from tests.security.fuzz import JUNK, Payload, Payloads, drawn, real_messages

pytestmark = pytest.mark.server

WINDOW = 32  # events in flight per connection
# Events per second per connection: under the server's per-socket limit (SOCKET_EVENTS_PER_SECOND, 100), so
# the payloads reach the handlers rather than the limiter (whose flood protection would close the connection;
# tests/security/test_limits.py and bench/flood.py cover it).
RATE = 80
BATCH = 500  # payloads per connection between two health checks
LOG_PROBLEMS = re.compile(r"Traceback|Exception|ERROR|CRITICAL")


@dataclass
class FuzzWorld:
    server: object
    app: object
    ids: dict  # doc, other_doc, dialogue, other_dialogue; items: document id -> its agreement's id
    states: dict  # document id -> its state when the server started
    cookies: dict  # "alice", "carol" -> Cookie header


def _open_dialogue(couple, sender, receiver):
    from couples.dialogue.models import Dialogue
    from extensions import db

    dialogue = Dialogue(couple_id=couple.id, topic="Our evenings", sender_id=sender.id, receiver_id=receiver.id,
                        round=1, state="checking", turn_index=4, open_couple_id=couple.id)
    db.session.add(dialogue)
    db.session.commit()
    return dialogue.id


@pytest.fixture(scope="module")
def fuzz_world(migrated_db, tmp_path_factory):
    """Alice and Bob, Carol and Dan, each with a document holding one agreement and an open dialogue."""
    from agreements import store
    from agreements.models import AgreementDocument
    from app import create_app
    from couples import accounts, linking
    from extensions import db
    from tests.agreements.writing import add_agreement
    from tests.servers import Server, sqlite_copy

    folder = tmp_path_factory.mktemp("fuzz")
    url = sqlite_copy(migrated_db, folder)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        people = {name: accounts.sign_up(f"{name}.fuzz@example.org", full, PASSWORD) for name, full in (
            ("alice", "Alice Moreau"), ("bob", "Bob Lindqvist"), ("carol", "Carol Nguyen"), ("dan", "Dan Okafor"))}
        ab = linking.join(linking.invite(people["alice"]), people["bob"])
        cd = linking.join(linking.invite(people["carol"]), people["dan"])
        docs = {c.id: db.session.scalar(select(AgreementDocument).where(AgreementDocument.couple_id == c.id))
                for c in (ab, cd)}
        items = {docs[ab.id].id: add_agreement(docs[ab.id], "We take a break when a fight gets too hot."),
                 docs[cd.id].id: add_agreement(docs[cd.id], "We cook together on Fridays.")}
        ids = {"doc": docs[ab.id].id, "other_doc": docs[cd.id].id, "items": items,
               "dialogue": _open_dialogue(ab, people["alice"], people["bob"]),
               "other_dialogue": _open_dialogue(cd, people["carol"], people["dan"])}
        states = {d.id: store.load(d.id)[0].get_update() for d in docs.values()}
        db.session.remove()
        db.engine.dispose()
    server = Server(folder, url).start()
    try:
        cookies = {name: sign_in(server, f"{name}.fuzz@example.org", PASSWORD) for name in ("alice", "carol")}
        yield FuzzWorld(server, app, ids, states, cookies)
    finally:
        server.stop()


def _worker_pid(server) -> int:
    """The pid of gunicorn's one worker process (a crash would make the master start another)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def _is_update(data) -> bool:
    return (isinstance(data, bytes) and len(data) > 1 and data[0] == YMessageType.SYNC
            and data[1] in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE))


class Mirrors:
    """One Doc per document that applies only what the server acknowledged."""

    def __init__(self, states: dict):
        self.lock = threading.Lock()
        self.docs = {}
        for document_id, state in states.items():
            self.docs[document_id] = Doc()
            self.docs[document_id].apply_update(state)
        self.applied = dict.fromkeys(self.docs, 0)  # acknowledged updates applied, per document

    def acknowledged(self, payload: Payload) -> None:
        document_id, data = payload.args
        if not _is_update(data) or not isinstance(document_id, (int, float)) or document_id not in self.docs:
            return  # (the lookup is the server's: a document id of 1.0 or true finds document 1 there too)
        with self.lock:
            handle_sync_message(data[1:], self.docs[document_id])
            self.applied[document_id] += 1


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = self.answered = self.ok = self.refused = self.connects = 0
        self.internal: list = []
        self.strange: list = []

    def add(self, **counts):
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class Connection:
    """One person's msgpack client on the three namespaces, sending with a window of unanswered events."""

    def __init__(self, world: FuzzWorld, who: str, seed: int, junk: list, mirrors: Mirrors, stats: Stats):
        self.world, self.mirrors, self.stats = world, mirrors, stats
        self.cookie = world.cookies[who]
        self.own_doc = world.ids["doc" if who == "alice" else "other_doc"]
        messages = real_messages(world.states[self.own_doc], world.ids["items"][self.own_doc])
        self.payloads = Payloads(seed, junk, messages, world.ids, self.own_doc)
        self.window = threading.BoundedSemaphore(WINDOW)
        self.next_at = time.monotonic()
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.sio.connect(world.server.url, headers={"Cookie": self.cookie}, transports=["websocket"],
                         namespaces=["/agreements", "/dialogue", "/couple"], wait_timeout=10)
        self.join()

    def join(self) -> None:
        """(Re)join the person's own document: a fuzzed `leave` may have left it."""
        answer = self.sio.call("join", {"doc": self.own_doc}, namespace="/agreements", timeout=30)
        assert answer == {"ok": True}, answer

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

    def _pace(self) -> None:
        """Keep to RATE events per second (after a stall, catch up by at most a second's worth)."""
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now - 1) + 1 / RATE

    def _check(self, payload: Payload, answer: tuple) -> None:
        value = answer[0] if len(answer) == 1 else answer
        if isinstance(value, dict) and value.get("ok") is True:
            if payload.kind == "yjs":
                self.mirrors.acknowledged(payload)
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
        namespace = self.payloads.rng.choice(["/agreements", "/dialogue", "/couple"])
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


EVENTS_WITH_ANSWERS = {"join", "leave", "yjs", "act", "writing"}


def fuzz(world: FuzzWorld, total: int, connections: tuple[str, ...], seed: int = 1) -> dict:
    """Send `total` payloads over the connections; check health after every batch; return the figures."""
    server = world.server
    pid = _worker_pid(server)
    log_start = server.log_path.stat().st_size
    started = time.monotonic()
    junk = drawn(JUNK, min(4000, max(500, total // 25)))
    auths = drawn(JUNK, 50)
    generated = time.monotonic() - started
    mirrors, stats = Mirrors(world.states), Stats()
    clients = [Connection(world, who, seed * 100 + n, junk, mirrors, stats) for n, who in enumerate(connections)]
    per_client = total // len(clients)
    try:
        for start in range(0, per_client, BATCH):
            def batch(client, count=min(BATCH, per_client - start)):
                def job():
                    for _ in range(count):
                        client.send(client.payloads.next())
                    client.drain()
                    client.connect_with_junk_auth(client.payloads.rng.choice(auths))
                    client.join()
                return job

            run_in_threads(*(batch(client) for client in clients))
            assert server.process.poll() is None, "the server process is gone"
            assert _worker_pid(server) == pid, "the worker process was replaced: it crashed"
            assert requests.get(server.url + "/login", timeout=10).status_code == 200
            assert all(client.sio.connected for client in clients), "the server closed a fuzzing connection"
            if total >= 10_000 and (start // BATCH) % 10 == 9:
                print(f"  {stats.sent} events sent after {time.monotonic() - started:.0f} s", flush=True)
    finally:
        for client in clients:
            client.close()
    elapsed = time.monotonic() - started
    with server.log_path.open("rb") as log:
        log.seek(log_start)
        problems = [line for line in log.read().decode(errors="replace").splitlines() if LOG_PROBLEMS.search(line)]
    return {"stats": stats, "mirrors": mirrors, "problems": problems, "seconds": elapsed, "generated": generated}


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
    stats, mirrors = result["stats"], result["mirrors"]
    payloads = stats.sent + stats.connects
    print(f"\nsocket fuzzing: {payloads} payloads ({stats.sent} events, {stats.connects} handshakes) over "
          f"{len(connections)} connections in {result['seconds']:.0f} s (generation {result['generated']:.0f} s); "
          f"{stats.ok} acknowledged, {stats.refused} refused, updates applied per document {mirrors.applied}; "
          f"escaped exceptions {len(stats.internal)}, log problems {len(result['problems'])}")
    assert payloads >= total
    assert stats.answered == stats.sent, "some events were never answered"
    assert stats.internal == [], f"handlers raised: {stats.internal[:5]}"
    assert result["problems"] == [], "\n".join(result["problems"][:40])
    assert stats.strange == [], stats.strange[:5]
    assert stats.ok > 0 and stats.refused > 0 and all(mirrors.applied.values())  # the run reached both sides
    assert _stored_equals_mirrors(world, mirrors) == []


def test_a_short_fuzzing_run_breaks_nothing(fuzz_world):
    _run_and_check(fuzz_world, 3000, ("alice", "alice", "carol"))


@pytest.mark.long
@pytest.mark.timeout(1800)
def test_a_hundred_thousand_payloads_break_nothing(fuzz_world):
    _run_and_check(fuzz_world, 100_000, ("alice", "alice", "alice", "carol"))
