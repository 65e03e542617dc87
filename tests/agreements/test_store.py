"""The update log: appends, catching up from it, and compaction into one snapshot."""
from pycrdt import Doc, Text

from agreements import store
from agreements.rooms import Room
from agreements.shape import find_item
from tests.agreements.conftest import stored_doc, stored_text
from tests.agreements.writing import add_agreement


def typed(document, item_id, words):
    """Updates typing the words one after the other into an agreement, as a client would send them."""
    doc = stored_doc(document.id)
    updates = []
    doc.observe(lambda event: updates.append(event.update))
    text = find_item(doc, item_id)["text"]
    for word in words:
        text.insert(len(text), word)
    return updates


def test_the_log_is_compacted_into_one_snapshot_past_the_threshold(app, linked_couple, first_document):
    app.config["AGREEMENTS_COMPACT_AFTER"] = 5
    couple, alice, _ = linked_couple()
    document = first_document(couple)
    item_id = add_agreement(document)
    room = Room(document.id, couple.id)
    for update in typed(document, item_id, [f"w{n} " for n in range(12)]):
        with room.lock:
            room.receive(update, alice.id)
    rows = store.read_log(document.id)
    assert len(rows) <= 5
    assert stored_text(document.id, item_id) == "".join(f"w{n} " for n in range(12))
    assert str(find_item(room.doc, item_id)["text"]) == stored_text(document.id, item_id)


def test_a_room_elsewhere_catches_up_after_compaction(app, linked_couple, first_document):
    app.config["AGREEMENTS_SHARED_LOG"] = True  # two processes, each with its room of the document
    couple, alice, _ = linked_couple()
    document = first_document(couple)
    item_id = add_agreement(document)
    here, elsewhere = Room(document.id, couple.id), Room(document.id, couple.id)
    words = typed(document, item_id, ["one ", "two ", "three "])
    with here.lock:
        here.receive(words[0], alice.id)
    elsewhere.refresh()
    with here.lock:
        here.receive(words[1], alice.id)
        here.receive(words[2], alice.id)
    store.compact(document.id)
    assert [row_id for row_id, _ in store.read_log(document.id)] == [max(r for r, _ in store.read_log(document.id))]
    assert str(find_item(elsewhere.refresh(), item_id)["text"]) == "one two three "


def test_a_room_alone_reads_nothing_more_from_the_log(app, linked_couple, first_document, monkeypatch):
    """One process writes every row through its room: using the document needs no catch-up read."""
    couple, alice, _ = linked_couple()
    document = first_document(couple)
    item_id = add_agreement(document)
    room = Room(document.id, couple.id)
    words = typed(document, item_id, ["one ", "two "])
    alice_id = alice.id
    reads = []
    read_log = store.read_log
    monkeypatch.setattr(store, "read_log", lambda *args: reads.append(args) or read_log(*args))
    with room.lock:
        room.receive(words[0], alice_id)  # loads the document: one read
        room.receive(words[1], alice_id)
    assert str(find_item(room.refresh(), item_id)["text"]) == "one two "
    assert len(reads) == 1
    assert stored_text(document.id, item_id) == "one two "


def test_a_room_lets_go_of_the_documents_it_no_longer_uses(app, linked_couple, first_document):
    """Reloading (after a refused update, or a compaction) must free the old document: thousands of refused
    updates once held hundreds of MiB, because a pycrdt Doc that keeps an observer is never freed."""
    import gc
    import weakref

    couple, alice, _ = linked_couple()
    document = first_document(couple)
    item_id = add_agreement(document)
    room = Room(document.id, couple.id)
    words = typed(document, item_id, ["one ", "two "])
    with room.lock:
        room.receive(words[0], alice.id)
        old = weakref.ref(room.doc)
        room.reload()
        room.receive(words[1], alice.id)
    gc.collect()
    assert old() is None
    assert str(find_item(room.doc, item_id)["text"]) == "one two "


def test_merging_many_updates_equals_applying_them(app):
    doc = Doc()
    updates = []
    doc.observe(lambda event: updates.append(event.update))
    text = doc.get("t", type=Text)
    for n in range(store.MERGE_CHUNK * 3 + 7):
        text.insert(len(text) // 2, str(n % 10))
    again = Doc()
    again.apply_update(store.merged(updates))
    assert str(again.get("t", type=Text)) == str(text)


def test_a_snapshot_keeps_an_update_still_waiting_for_its_dependency(app):
    source = Doc()
    updates = []
    source.observe(lambda event: updates.append(event.update))
    text = source.get("t", type=Text)
    text.insert(0, "first")
    text.insert(5, " second")
    snapshot = store.snapshot_of([updates[1]])  # the second alone: it waits for the first
    later = Doc()
    later.apply_update(snapshot)
    later.apply_update(updates[0])
    assert str(later.get("t", type=Text)) == "first second"


def test_a_snapshot_of_a_complete_log_holds_the_whole_document(app):
    source = Doc()
    updates = []
    source.observe(lambda event: updates.append(event.update))
    text = source.get("t", type=Text)
    for n in range(300):
        text.insert(0, "abc")
        del text[0:2]
    snapshot = store.snapshot_of(updates)
    again = Doc()
    again.apply_update(snapshot)
    assert str(again.get("t", type=Text)) == str(text)
