"""Live sync through the /agreements namespace, with pycrdt clients over the Socket.IO test client."""
from pycrdt import Doc

from agreements import sync
from agreements.shape import read_document
from tests.agreements.conftest import stored_doc, stored_text


def test_partners_see_each_others_typing_and_the_server_stores_it(agreement):
    a, b = agreement.a, agreement.b
    assert a.edit(lambda: a.text(agreement.item_id).insert(0, "We take a pause")) == [{"ok": True}]
    b.pump()
    assert str(b.text(agreement.item_id)) == "We take a pause"
    b.edit(lambda: b.text(agreement.item_id).insert(15, " before we answer"))
    a.pump()
    assert str(a.text(agreement.item_id)) == "We take a pause before we answer"
    assert stored_text(agreement.document.id, agreement.item_id) == "We take a pause before we answer"


def test_joining_sends_the_whole_document(agreement):
    content = read_document(agreement.a.doc)
    assert [s["title"] for s in content["sections"]][0] == "How we handle arguments"
    assert content == read_document(stored_doc(agreement.document.id))


def test_concurrent_typing_at_the_same_place_converges(agreement):
    a, b = agreement.a, agreement.b
    deleted = 0
    for i in range(300):
        a.edit(lambda: a.text(agreement.item_id).insert(0, "a"))
        b.edit(lambda: b.text(agreement.item_id).insert(0, "b"))
        if i % 7 == 3:
            a.edit(lambda: a.text(agreement.item_id).__delitem__(slice(0, 2)))
            deleted += 2
        if i % 5 == 0:
            a.pump()
        if i % 3 == 0:
            b.pump()
    a.pump()
    b.pump()
    text = str(a.text(agreement.item_id))
    assert text == str(b.text(agreement.item_id)) == stored_text(agreement.document.id, agreement.item_id)
    assert len(text) == 600 - deleted


def test_an_update_is_acknowledged_only_once_it_is_in_the_log(agreement, monkeypatch):
    from agreements import store

    seen_at_ack = []
    a = agreement.a
    original = a.emit

    def emit_and_look(event, *args):
        answer = original(event, *args)
        seen_at_ack.append(stored_text(agreement.document.id, agreement.item_id))
        return answer

    a.emit = emit_and_look
    a.edit(lambda: a.text(agreement.item_id).insert(0, "saved"))
    assert seen_at_ack == ["saved"]
    agreement.b.pump()

    def failing_write(batch):
        for entry in batch:
            entry.error, entry.done = RuntimeError("disk full"), True

    monkeypatch.setattr(store, "_write", failing_write)
    answers = a.edit(lambda: a.text(agreement.item_id).insert(0, "not "))
    assert answers[0]["ok"] is False
    assert agreement.b.received() == []
    monkeypatch.undo()
    assert stored_text(agreement.document.id, agreement.item_id) == "saved"


def test_a_change_that_changes_nothing_is_not_stored_again(agreement):
    from agreements import store

    a = agreement.a
    a.edit(lambda: a.text(agreement.item_id).insert(0, "once"))
    before = len(store.read_log(agreement.document.id))
    update = a.doc.get_update()
    assert a.send(sync.update_message(update)) == {"ok": True}
    assert len(store.read_log(agreement.document.id)) == before
    assert agreement.b.pump() == []


def test_offline_edits_of_both_partners_merge_on_reconnect(agreement, partner):
    a, b = agreement.a, agreement.b
    a.edit(lambda: a.text(agreement.item_id).insert(0, "Sundays are ours."))
    b.pump()
    b.socket.disconnect(namespace="/agreements")
    b.online = False
    b.edit(lambda: b.text(agreement.item_id).insert(0, "Phones away. "))
    a.edit(lambda: a.text(agreement.item_id).insert(17, " Mornings too."))
    assert stored_text(agreement.document.id, agreement.item_id) == "Sundays are ours. Mornings too."

    b.socket.connect(namespace="/agreements")
    b.online = True
    assert b.join(agreement.document.id) == {"ok": True}
    b.pump()
    a.pump()
    expected = "Phones away. Sundays are ours. Mornings too."
    assert str(b.text(agreement.item_id)) == expected
    assert str(a.text(agreement.item_id)) == expected
    assert stored_text(agreement.document.id, agreement.item_id) == expected


def test_a_late_joiner_gets_everything(agreement, partner):
    a = agreement.a
    a.edit(lambda: a.text(agreement.item_id).insert(0, "No silent treatment."))
    late = partner(agreement.bob)
    late.join(agreement.document.id)
    late.pump()
    assert str(late.text(agreement.item_id)) == "No silent treatment."


def test_rooms_nobody_has_open_are_dropped(agreement):
    from agreements.rooms import rooms

    assert rooms().open(agreement.document.id) is not None
    agreement.a.socket.disconnect(namespace="/agreements")
    assert rooms().open(agreement.document.id) is not None
    agreement.b.emit("leave", {"doc": agreement.document.id})
    assert rooms().open(agreement.document.id) is None


def test_the_room_catches_up_from_the_log_before_answering(app, agreement, partner):
    """Several processes share the log, and another one committed an update: the next sync here includes it."""
    from agreements import store

    app.config["AGREEMENTS_SHARED_LOG"] = True

    writer = Doc()
    writer.apply_update(stored_doc(agreement.document.id).get_update())
    changes = []
    writer.observe(lambda event: changes.append(event.update))
    from agreements.shape import find_item

    find_item(writer, agreement.item_id)["text"].insert(0, "from elsewhere")
    store.append(agreement.document.id, changes[0], None)
    late = partner(agreement.alice)
    late.join(agreement.document.id)
    late.pump()
    assert str(late.text(agreement.item_id)) == "from elsewhere"
