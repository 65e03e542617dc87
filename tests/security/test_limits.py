"""Resource limits on the sockets: each exceeded limit is refused with its code, changes nothing, and
leaves the server working for everyone else."""
from __future__ import annotations

from pycrdt import Doc, create_update_message
import pytest

from agreements import rooms, service, store
from agreements.limits import DocumentFull
from agreements.shape import find_item, new_item, read_document, sections
from config import Config
from extensions import socketio
from live.rate import BYTES_PER_TOKEN, FLOOD_FACTOR, EventLimiter, cost
from tests.agreements.conftest import agreement, first_document, partner, stored_doc, stored_text  # noqa: F401
from tests.agreements.wire import NAMESPACE
from tests.agreements.writing import add_agreement

PARAGRAPH = "We keep Sunday evenings for the two of us, phones in the drawer. " * 8  # 520 characters


def refused(answer, code: str) -> bool:
    return isinstance(answer, dict) and answer.get("ok") is False and answer["error"]["code"] == code \
        and bool(answer["error"]["message"])


def rows(document) -> int:
    return len(store.read_log(document.id))


class Monotonic:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def seconds(app) -> Monotonic:
    app.config["MONOTONIC"] = clock = Monotonic()
    return clock


def fill(agreement, limit: int = 6000) -> None:
    """Make the document full for a small limit: Alice writes until the server refuses; returns nothing."""
    from flask import current_app

    current_app.config["AGREEMENTS_MAX_DOCUMENT_BYTES"] = limit
    a = agreement.a
    first = next(sections(a.doc))["items"]
    for _ in range(limit // len(PARAGRAPH) + 2):  # agreements of the editor's size, one after the other
        answers = a.edit(lambda: first.append(new_item(PARAGRAPH)))
        if answers != [{"ok": True}]:
            assert [refused(x, "document_full") for x in answers] == [True], answers
            return
    raise AssertionError("the document never became full")


# --- maximum document size -------------------------------------------------------------------


def test_a_full_document_refuses_growing_updates_and_changes_nothing(agreement):
    a, b, document = agreement.a, agreement.b, agreement.document
    fill(agreement)
    b.pump()
    stored, count = read_document(stored_doc(document.id)), rows(document)
    assert sum(len(item["text"]) for item in stored["sections"][0]["items"]) > 3000
    assert [e["code"] for e in a.pump()] == ["document_full"]

    answers = a.edit(lambda: a.text(agreement.item_id).insert(0, PARAGRAPH))
    assert [refused(x, "document_full") for x in answers] == [True]
    assert rows(document) == count
    assert read_document(stored_doc(document.id)) == stored
    assert [e for e in b.received() if e["name"] == "yjs"] == []
    # Bob, who holds exactly what is stored, cannot add either: a new agreement is refused too.
    answers = b.edit(lambda: next(sections(b.doc))["items"].append(new_item(PARAGRAPH)))
    assert [refused(x, "document_full") for x in answers] == [True]
    assert rows(document) == count


def test_deleting_from_a_full_document_is_accepted_and_makes_room(agreement):
    a, b, document = agreement.a, agreement.b, agreement.document
    fill(agreement)
    b.pump()
    count = rows(document)
    assert b.edit(lambda: next(sections(b.doc))["items"].__delitem__(slice(1, 5))) == [{"ok": True}]
    assert rows(document) == count + 1
    # Alice, who still holds her refused paragraph, can delete too.
    assert a.edit(lambda: next(sections(a.doc))["items"][1]["text"].__delitem__(slice(0, 100))) == [{"ok": True}]
    # With room again, an ordinary edit goes through and reaches the partner.
    assert b.edit(lambda: b.text(agreement.item_id).insert(0, "Trimmed. ")) == [{"ok": True}]
    a.pump()
    assert stored_text(document.id, agreement.item_id).startswith("Trimmed. ")


def test_a_restore_cannot_pass_the_limit_either(agreement, app):
    document = agreement.document
    fill(agreement)
    count = rows(document)
    stored = stored_text(document.id, agreement.item_id)
    with pytest.raises(DocumentFull):
        add_agreement(document, PARAGRAPH * 3)
    assert rows(document) == count
    assert stored_text(document.id, agreement.item_id) == stored
    # The room threw the refused edit away: the next reader sees the log exactly.
    assert rooms.read(document.id, document.couple_id, lambda doc: str(find_item(doc, agreement.item_id)["text"])) \
        == stored


def test_an_update_the_server_already_has_is_not_refused_when_full(agreement):
    a = agreement.a
    fill(agreement)
    a.pump()
    known = Doc()
    known.apply_update(store.merged([data for _, data in store.read_log(agreement.document.id)]))
    assert a.send(create_update_message(known.get_update())) == {"ok": True}


def test_a_large_document_under_the_limit_is_accepted(agreement):
    a = agreement.a
    for index in range(4):  # 400 agreements of 1,900 characters: 760 KB
        section = list(sections(a.doc))[index]["items"]
        assert a.edit(lambda: section.extend([new_item("x" * 1900) for _ in range(100)])) == [{"ok": True}]


# --- open documents per connection -----------------------------------------------------------


def test_a_connection_may_open_a_limited_number_of_documents(app, linked_couple, first_document, partner):
    app.config["AGREEMENTS_MAX_OPEN_DOCUMENTS"] = 2
    couple, alice, bob = linked_couple()
    documents = [first_document(couple)] + [service.create_document(couple, f"Plan {n}") for n in (2, 3)]
    a = partner(alice)
    assert a.emit("join", {"doc": documents[0].id}) == {"ok": True}
    assert a.emit("join", {"doc": documents[1].id}) == {"ok": True}
    assert refused(a.emit("join", {"doc": documents[2].id}), "too_many_documents")
    assert rooms.rooms().open(documents[2].id) is None  # nothing was opened for it
    assert a.emit("join", {"doc": documents[1].id}) == {"ok": True}  # an open one: still fine
    # Another connection of the same person has its own allowance.
    assert partner(alice).emit("join", {"doc": documents[2].id}) == {"ok": True}
    assert a.emit("leave", {"doc": documents[0].id}) == {"ok": True}
    assert a.emit("join", {"doc": documents[2].id}) == {"ok": True}


# --- events per second per connection --------------------------------------------------------


def test_the_default_rate_lets_fast_typing_and_a_catch_up_through():
    """A held key (33 characters a second, each an update and two caret moves) for ten minutes,
    then a reconnect that sends a whole burst at once: never refused."""
    limiter, now = EventLimiter(), 0.0
    rate, burst = Config.SOCKET_EVENTS_PER_SECOND, Config.SOCKET_EVENTS_BURST
    for _ in range(33 * 600):
        now += 1 / 33
        assert all(limiter.take("sid", rate, burst, now)[0] for _ in range(3))
    now += 5
    assert all(limiter.take("sid", rate, burst, now)[0] for _ in range(int(burst)))


def test_a_large_event_costs_more():
    limiter = EventLimiter()
    assert cost(["x" * BYTES_PER_TOKEN]) == 2
    assert cost([7, b"\x00" * (5 * BYTES_PER_TOKEN)]) == 6
    assert limiter.take("sid", 10, 20, 0.0, cost=16)[0]
    allowed, bucket = limiter.take("sid", 10, 20, 0.0, cost=6)
    assert not allowed and bucket.refused == 6
    assert limiter.take("sid", 10, 20, 0.2, cost=6)[0]


def test_over_the_rate_an_event_is_refused_calmly_and_changes_nothing(seconds, agreement, app):
    app.config.update(SOCKET_EVENTS_PER_SECOND=10, SOCKET_EVENTS_BURST=20)
    seconds.at += 10  # the buckets are full again after joining
    a, b, document = agreement.a, agreement.b, agreement.document
    text = a.text(agreement.item_id)
    answers = [a.edit(lambda: text.insert(len(text), "a"))[0] for _ in range(20)]
    assert answers == [{"ok": True}] * 20
    count, stored = rows(document), stored_text(document.id, agreement.item_id)
    b.pump()

    answer = a.edit(lambda: text.insert(len(text), "b"))[0]
    assert refused(answer, "slow_down")
    assert rows(document) == count
    assert stored_text(document.id, agreement.item_id) == stored
    assert b.received() == []
    assert [e["code"] for e in a.pump()] == ["slow_down"]
    assert refused(a.emit("join", {"doc": document.id}), "slow_down")  # every event, not only updates

    seconds.at += 0.1  # one token back
    assert a.send(create_update_message(a.doc.get_update())) == {"ok": True}  # resends what was refused
    assert stored_text(document.id, agreement.item_id) == stored + "b"
    assert refused(a.emit("yjs", document.id, b"\x00\x00"), "slow_down")


@pytest.mark.parametrize("namespace, event, data", [
    ("/couple", "anything", {}),
    ("/dialogue", "writing", {"dialogue_id": 1}),
    (NAMESPACE, "leave", {"doc": 1}),
])
def test_every_namespace_is_limited(app, linked_couple, login, socket_client, seconds, namespace, event, data):
    app.config.update(SOCKET_EVENTS_PER_SECOND=5, SOCKET_EVENTS_BURST=3)
    _, alice, _ = linked_couple()
    flask_client = app.test_client()
    login(flask_client, alice)
    socket = socket_client(namespace, flask_client)
    answers = [socket.emit(event, data, namespace=namespace, callback=True) for _ in range(4)]
    assert not any(refused(x, "slow_down") for x in answers[:3])
    assert refused(answers[3], "slow_down")
    seconds.at += 1
    assert not refused(socket.emit(event, data, namespace=namespace, callback=True), "slow_down")


def test_a_flooding_socket_is_disconnected_and_the_others_carry_on(seconds, agreement, app, linked_couple,
                                                                    first_document, partner):
    a, b, document = agreement.a, agreement.b, agreement.document
    _, carol, dan = linked_couple("Carol Nguyen", "Dan Okafor")
    other = first_document(_)
    item = add_agreement(other)
    c, d = partner(carol), partner(dan)
    for client in (c, d):
        assert client.join(other.id) == {"ok": True}
        client.pump()
    app.config.update(SOCKET_EVENTS_PER_SECOND=10, SOCKET_EVENTS_BURST=5)
    seconds.at += 10
    count = rows(document)
    sid = socketio.server.manager.sid_from_eio_sid(a.socket.eio_sid, NAMESPACE)
    junk = b"\x00\x02\x40short"
    sent = 0
    while a.socket.is_connected(NAMESPACE):
        a.socket.emit("yjs", document.id, junk, namespace=NAMESPACE)
        sent += 1
        assert sent <= 5 + FLOOD_FACTOR * 5, "never disconnected"
    assert sent == 5 + FLOOD_FACTOR * 5
    assert rows(document) == count
    # Its state is gone: no bucket, no room, no presence left behind.
    assert sid not in socketio.server.namespace_handlers[NAMESPACE].limiter._buckets
    assert rooms.rooms().of(sid) == []
    # Bob (same couple) and Carol and Dan (another couple) carry on as before.
    assert b.edit(lambda: b.text(agreement.item_id).insert(0, "Still here. ")) == [{"ok": True}]
    assert c.edit(lambda: c.text(item).insert(0, "Hello")) == [{"ok": True}]
    d.pump()
    assert str(d.text(item)) == "Hello"
