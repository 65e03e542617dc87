"""Crash durability: kill -9 the real server and relay while 2 to 20 devices write; nothing acknowledged is lost.

Each run gives a new linked couple to a long-lived gunicorn/gevent server and a relay process beside it on
the same database (SQLite, or PostgreSQL for every fourth run). The couple's devices (browsers signed in as
Alice or Bob, each with its own session) at once: type words into an agreement through the relay, make
promises, log deposits and confirm the partner's deposits through the ledger's HTML forms, and take dialogue
turns over /dialogue. After a random number of acknowledged writes (for a word: the relay's `committed`)
the server and the relay are killed with SIGKILL and started again on the same database. Then every
acknowledged write must be stored, nothing may be half-written, the database's own integrity checks must
pass, and every device, reconnected with what it typed (acknowledged or not), must end with the same text as
the server.

`make test` runs 10 short runs; `make test-long` 200 more. `pytest tests/security/test_crash_durability.py -s`
prints one line of figures per run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import random
import re
import threading
import time

from pycrdt import Doc
import pytest
import requests
import socketio
from sqlalchemy import and_, func, select, text

from agreements.shape import agreement_text, find_item
from tests.conftest import TEST_SETTINGS
from tests.people import csrf_from, new_couple, signed_in
from tests.relay.client import RelayClient
from tests.servers import run_in_threads

pytestmark = pytest.mark.server

DIALOGUE = "/dialogue"
SHORT_RUNS, LONG_RUNS = 10, 200


def _run(number: int):
    marks = [pytest.mark.long] if number >= SHORT_RUNS else []
    backend = "postgresql" if number % 4 == 3 else "sqlite"
    return pytest.param(backend, number, id=f"{backend}-{number}", marks=marks)


# Grouped by database, so that each database's server starts once.
RUNS = sorted((_run(number) for number in range(SHORT_RUNS + LONG_RUNS)), key=lambda run: run.values[0] != "sqlite")


@dataclass
class Acked:
    """What the server acknowledged during one run, by kind."""

    words: list[str] = field(default_factory=list)  # typed into the agreement
    promises: dict[str, int] = field(default_factory=dict)  # wording -> promise id
    deposits: dict[str, int] = field(default_factory=dict)  # note -> promise id
    confirmations: dict[str, int] = field(default_factory=dict)  # thanks -> deposit id
    turns: dict[str, int] = field(default_factory=dict)  # text -> turn index
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        return (len(self.words) + len(self.promises) + len(self.deposits) + len(self.confirmations)
                + len(self.turns))


class CrashWorld:
    """A long-lived server and relay on one database, and the test's own app on it to set up and check."""

    def __init__(self, backend, app, server, relay):
        self.backend, self.app, self.server, self.relay = backend, app, server, relay

    def kill(self) -> None:
        """kill -9 the relay and the server, as in a crash of the machine."""
        self.relay.kill()
        self.server.kill()

    def start(self) -> None:
        """Start both again on the same database and ports, side by side."""
        run_in_threads(self.server.start, self.relay.start)

    def new_couple(self, run: int):
        """A linked couple with one empty agreement and a dialogue waiting for Bob's mirror."""
        from dialogue import service as dialogue
        from extensions import db
        from tests.agreements.writing import add_agreement, new_document

        with self.app.app_context():
            couple, alice, bob = new_couple(tag=f".crash{run}")
            document = new_document(couple)
            item_id = add_agreement(document)
            talk = dialogue.invite(alice, couple, "Our evenings")
            dialogue.answer_invitation(talk, bob, "accept", talk.turn_index)
            dialogue.act(talk, alice, "send", talk.turn_index, "What I would like you to hear is this.")
            couple = Couple(couple.id, alice.id, alice.email, bob.id, bob.email, document.id, item_id, talk.id,
                            talk.turn_index, talk.state)
            db.session.remove()
        return couple


@dataclass(frozen=True)
class Couple:
    id: int
    alice_id: int
    alice_email: str
    bob_id: int
    bob_email: str
    document_id: int
    item_id: str
    dialogue_id: int
    turn_index: int
    state: str


@pytest.fixture(scope="module")
def crash_world(request, migrated_db, tmp_path_factory):
    """A real gunicorn/gevent server and a relay on a SQLite file or a PostgreSQL database (the parameter)."""
    from app import create_app
    from extensions import db
    from tests.servers import Relay, Server, sqlite_copy

    backend = request.param
    folder = tmp_path_factory.mktemp(f"crash-{backend}")
    if backend == "sqlite":
        url = sqlite_copy(migrated_db, folder)
    else:
        postgres = request.getfixturevalue("postgres")
        postgres.execute("CREATE DATABASE crash_durability TEMPLATE template_app")
        url = postgres.url("crash_durability")
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    server = Server(folder, url).start()
    # The devices type as fast as they can: the relay's rate limits are tests/relay/test_limits.py's business.
    relay = Relay(folder, url, server.url, env={"SOCKET_EVENTS_PER_SECOND": "100000",
                                                "SOCKET_EVENTS_BURST": "100000"}).start()
    try:
        yield CrashWorld(backend, app, server, relay)
    finally:
        relay.stop()
        server.stop()
        with app.app_context():
            db.engine.dispose()
        if backend != "sqlite":
            postgres.execute("DROP DATABASE crash_durability WITH (FORCE)")


class Device:
    """One partner's browser: an HTTP session for the ledger forms, a relay connection to the agreements
    document, and a socket on /dialogue."""

    def __init__(self, world: CrashWorld, couple: Couple, number: int, acked: Acked, rng: random.Random):
        self.world, self.couple, self.number, self.acked, self.rng = world, couple, number, acked, rng
        self.is_alice = number % 2 == 0
        email = couple.alice_email if self.is_alice else couple.bob_email
        self.browser = signed_in(email, url=world.server.url)
        self.http = self.browser.client
        self.http.request = self._with_timeout(self.http.request)  # a generous bound: the machine may be busy
        self.seen = (couple.turn_index, couple.state)  # the newest dialogue position this device heard of
        self.open_promises: list[int] = []  # promises made here that have no deposit yet
        self.written = 0
        self.timeout = 15
        self.lock = threading.Lock()
        self.doc = Doc()  # kept across the crash: what this device typed, acknowledged or not
        self.typed: list[tuple[int, str]] = []  # (update index on this connection, word) not yet answered
        self.sio = self.relay = None
        self.connect()

    def connect(self) -> None:
        """Open the relay connection (syncing self.doc both ways) and the /dialogue socket."""
        cookie = self.browser.cookie
        self.relay = RelayClient(self.world.relay.url, self.couple.document_id, cookie, self.world.server.url,
                                 doc=self.doc)
        self.sio = socketio.Client(serializer="msgpack", reconnection=False)
        self.sio.on("changed", self._changed, namespace=DIALOGUE)
        self.sio.connect(self.world.server.url, headers={"Cookie": cookie}, namespaces=[DIALOGUE],
                         transports=["websocket"], wait_timeout=10)

    def close(self) -> None:
        """Close both connections (quietly if the processes are already gone)."""
        for close in (self.relay and self.relay.close, self.sio and self.sio.disconnect):
            try:
                close and close()
            except Exception:  # noqa: BLE001 - killed processes leave half-closed sockets
                pass
        websocket = getattr(self.sio.eio, "ws", None) if self.sio else None
        if websocket is not None:  # after a crash of the server the client leaves its socket open
            websocket.shutdown()

    def text(self) -> str:
        """The agreement's text on this device."""
        with self.relay._lock:
            return agreement_text(self.doc, self.couple.item_id)

    @staticmethod
    def _with_timeout(request):
        return lambda method, url, **kwargs: request(method, url, **{"timeout": 30, **kwargs})

    def _changed(self, data) -> None:
        if data.get("dialogue_id") == self.couple.dialogue_id:
            self._saw(data["index"], data["state"])

    def _saw(self, index: int, state: str) -> None:
        with self.lock:
            if index > self.seen[0]:
                self.seen = (index, state)

    def marker(self, kind: str) -> str:
        """A unique, HTML-safe word for one write of this device."""
        self.written += 1
        return f"{kind}{self.number}x{self.written}"

    # One write of each kind. Each returns once the write was answered; a refusal is not acknowledged.

    def type_word(self, acknowledged) -> None:
        """Type a word at the end of the agreement and send it without waiting (settle() hears the answer)."""
        word = f"<{self.marker('w')}>"

        def typing(doc):
            typed = find_item(doc, self.couple.item_id)["text"]
            typed.insert(len(typed), word)

        with self.lock:
            self.typed.append((self.relay.edit(typing), word))

    def settle(self, acknowledged) -> None:
        """Count the words the relay acknowledged: `committed` n answers updates 1..n, all but those refused."""
        committed = self.relay.committed  # read before the refusals: a refusal arrives before the committed past it
        refused = {index for index, _, _ in list(self.relay.refusals)}
        with self.lock:
            answered = [(index, word) for index, word in self.typed if index <= committed]
            self.typed = [(index, word) for index, word in self.typed if index > committed]
        for index, word in answered:
            if index not in refused:
                acknowledged(self.acked.words, word)

    def _submit(self, path: str, page: str, done: str, **fields) -> requests.Response | None:
        """Post a ledger form as the browser does (following the redirect); the answer if it says `done`."""
        answer = self.http.post(f"{self.world.server.url}/ledger/{path}",
                                data={"csrf_token": csrf_from(page), **fields})
        return answer if answer.ok and done in answer.text else None

    def ledger_step(self, acknowledged) -> None:
        """Log a deposit on a promise made here, confirm one of the partner's, or make a promise."""
        page = self.http.get(f"{self.world.server.url}/ledger/{self.couple.id}").text
        if self.open_promises:
            promise_id, note = self.open_promises.pop(), self.marker("note")
            if self._submit(f"promises/{promise_id}/deposits", page, "Logged. It waits for your partner", note=note):
                acknowledged(self.acked.deposits, note, promise_id)
            return
        waiting = re.findall(r'action="/ledger/deposits/(\d+)/confirm"', page)
        if waiting and self.rng.random() < 0.6:
            deposit_id, thanks = int(self.rng.choice(waiting)), self.marker("thanks")
            if self._submit(f"deposits/{deposit_id}/confirm", page, "Confirmed. Thank you for noticing.",
                            thanks=thanks):
                acknowledged(self.acked.confirmations, thanks, deposit_id)
            return
        wording = self.marker("promise")
        answer = self._submit(f"{self.couple.id}/promises", page, "Your promise is made.", text=wording, kind="daily")
        made = answer and re.search(rf'id="promise-(\d+)">\s*<h3>{wording}</h3>', answer.text)
        if made:
            acknowledged(self.acked.promises, wording, int(made.group(1)))
            self.open_promises.append(int(made.group(1)))

    def dialogue_turn(self, acknowledged) -> bool:
        """Mirror (Bob) or say "not quite" (Alice) when this device thinks it is its move; False if it is not."""
        with self.lock:
            index, state = self.seen
        action = "mirror" if self.is_alice is False else "not_quite"
        if state != ("mirroring" if action == "mirror" else "checking"):
            return False
        words = self.marker("turn")
        answer = self.sio.call("act", {"dialogue_id": self.couple.dialogue_id, "action": action, "index": index,
                                       "text": words}, namespace=DIALOGUE, timeout=self.timeout)
        if answer.get("ok"):
            acknowledged(self.acked.turns, words, index)
            self._saw(answer["index"], answer["state"])
        return True

    def write(self, acknowledged) -> None:
        """One write, chosen at random."""
        pick = self.rng.random()
        if pick < 0.3 and self.dialogue_turn(acknowledged):
            return
        if pick < 0.65:
            self.type_word(acknowledged)
        else:
            self.ledger_step(acknowledged)


@pytest.mark.parametrize(("crash_world", "run"), RUNS, indirect=["crash_world"])
def test_kill_9_loses_no_acknowledged_write(crash_world, run):
    world = crash_world
    rng = random.Random(run)
    devices_count = rng.randint(2, 5 if run < SHORT_RUNS else 20)
    kill_after = rng.randint(5, 8 * devices_count)
    couple = world.new_couple(run)
    acked = Acked()
    devices: list[Device] = []
    try:
        for number in range(devices_count):
            devices.append(Device(world, couple, number, acked, random.Random(f"{run}-{number}")))
        crash_and_check(world, run, couple, devices, acked, kill_after)
    finally:
        for device in devices:
            device.close()
            device.http.close()


def crash_and_check(world: CrashWorld, run: int, couple: Couple, devices: list[Device], acked: Acked,
                    kill_after: int) -> None:
    """Write from every device, kill -9 after `kill_after` acknowledged writes, restart, check."""
    enough, dying = threading.Event(), threading.Event()
    gave_up: list[BaseException] = []

    def acknowledged(where, key, value=None):
        with acked.lock:
            if isinstance(where, list):
                where.append(key)
            else:
                where[key] = value
            if acked.count() >= kill_after:
                enough.set()

    for device in devices:  # each holds the document before it types
        assert device.relay.wait(lambda d=device: d.text() is not None)

    def writing(device):
        def job():
            try:
                for _ in range(400):
                    if dying.is_set():
                        return
                    device.write(acknowledged)
            except Exception as error:  # noqa: BLE001 - the server is being killed, or is too slow for this device
                # A device whose write times out (or whose connection drops) before the kill gives up, like a
                # browser would: that write is not acknowledged. If every device gives up, `enough` never comes.
                if not dying.is_set():
                    gave_up.append(error)
        return job

    threads = [threading.Thread(target=writing(device)) for device in devices]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while not enough.wait(timeout=0.02) and time.monotonic() < deadline:
        for device in devices:
            device.settle(acknowledged)
    reached = enough.is_set()
    dying.set()
    world.kill()
    for thread in threads:
        thread.join(timeout=60)
    for device in devices:
        device.relay.wait_closed()  # every answer the relay sent before it died is read
        device.settle(acknowledged)
        device.close()
    with acked.lock:
        promised = Acked(list(acked.words), dict(acked.promises), dict(acked.deposits), dict(acked.confirmations),
                         dict(acked.turns))
    world.start()
    assert reached, gave_up
    assert not any(thread.is_alive() for thread in threads)

    stored = check_everything_acknowledged_is_stored(world, couple, promised)
    check_nothing_half_written(world, couple)
    indexes = check_database_integrity(world)
    converged = check_devices_converge(world, couple, devices, stored)
    print(f"\ncrash-durability run={run} db={world.backend} devices={len(devices)} kill_after={kill_after} "
          f"acked={promised.count()} words={len(promised.words)} promises={len(promised.promises)} "
          f"deposits={len(promised.deposits)} confirmations={len(promised.confirmations)} "
          f"turns={len(promised.turns)} gave_up={len(gave_up)} lost=0 integrity=ok btree_indexes={indexes} converged_chars={converged}")


def check_everything_acknowledged_is_stored(world: CrashWorld, couple: Couple, promised: Acked) -> str:
    """Every acknowledged write is in the restarted server's database; returns the stored agreement text."""
    from dialogue.models import Turn
    from extensions import db
    from ledger.models import CONFIRMED, Deposit, PromiseSchedule
    from tests.agreements.conftest import stored_text

    with world.app.app_context():
        text_now = stored_text(couple.document_id, couple.item_id)
        assert [word for word in promised.words if word not in text_now] == []
        for wording, promise_id in promised.promises.items():
            assert db.session.scalar(select(PromiseSchedule.promise_id).where(PromiseSchedule.text == wording)) \
                == promise_id
        for note, promise_id in promised.deposits.items():
            assert db.session.scalar(select(Deposit.promise_id).where(Deposit.note == note)) == promise_id
        for thanks, deposit_id in promised.confirmations.items():
            deposit = db.session.get(Deposit, deposit_id)
            assert (deposit.status, deposit.thanks) == (CONFIRMED, thanks)
        for words, index in promised.turns.items():
            turn = db.session.scalar(select(Turn).where(Turn.text == words))
            assert (turn.dialogue_id, turn.index) == (couple.dialogue_id, index)
        db.session.remove()
    return text_now


def check_nothing_half_written(world: CrashWorld, couple: Couple) -> None:
    """The dialogue's state is exactly what its turns lead to; every ledger row is whole."""
    from dialogue.models import Dialogue
    from extensions import db
    from ledger.models import CONFIRMED, Deposit, Promise
    from tests.dialogue.play import replay

    with world.app.app_context():
        talk = db.session.get(Dialogue, couple.dialogue_id)
        assert [turn.index for turn in talk.turns] == list(range(talk.turn_index))
        log = [(turn.user_id, turn.action) for turn in talk.turns]
        assert replay(couple.alice_id, couple.bob_id, log) == talk.position
        promises = db.session.scalars(select(Promise).where(Promise.couple_id == couple.id)).all()
        assert all(promise.versions for promise in promises)
        for promise in promises:
            for deposit in promise.deposits:
                if deposit.status == CONFIRMED:
                    assert deposit.confirmed_by_id not in (None, promise.promiser_id)
        assert db.session.scalar(select(func.count()).select_from(Deposit).where(
            Deposit.promise_id.in_([p.id for p in promises]))) == sum(len(p.deposits) for p in promises)
        db.session.remove()


def check_database_integrity(world: CrashWorld) -> int:
    """The database's own check, and every foreign key pointing at a row; returns the btree indexes checked."""
    from extensions import db

    with world.app.app_context():
        with db.engine.connect() as connection:
            if world.backend == "sqlite":
                assert connection.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
                assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
                checked = 0
            else:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
                checked = len(connection.execute(text(
                    "SELECT bt_index_check(c.oid::regclass, true) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE am.amname = 'btree' AND n.nspname = 'public'")).all())
                assert checked > 10
                connection.commit()
            for table in db.metadata.sorted_tables:
                for key in table.foreign_key_constraints:
                    parent = key.referred_table
                    joined = table.outerjoin(parent, and_(*(e.parent == e.column for e in key.elements)))
                    dangling = select(func.count()).select_from(joined).where(
                        and_(*(e.parent.isnot(None) for e in key.elements)),
                        list(parent.primary_key.columns)[0].is_(None))
                    assert connection.execute(dangling).scalar() == 0, (table.name, key.name)
        db.engine.dispose()
    return checked


def check_devices_converge(world: CrashWorld, couple: Couple, devices: list[Device], stored: str) -> int:
    """Each device reconnects with everything it typed; afterwards all of them and the server hold one text."""
    from tests.agreements.conftest import stored_text

    try:
        for device in devices:
            device.connect()  # its sync step 2 carries whatever the relay lacks
            relay = device.relay
            assert relay.wait(lambda r=relay: r.server_step1 > 0 and r.committed >= r.sent > 0), relay.closed
            assert relay.refusals == []
        with world.app.app_context():
            final = stored_text(couple.document_id, couple.item_id)
        for device in devices:
            device.relay.sync()
            assert device.relay.wait(lambda d=device: d.text() == final), (device.text(), final)
        assert [word for word in re.findall(r"<[^>]+>", stored) if word not in final] == []
        return len(final)
    finally:
        for device in devices:
            device.close()
