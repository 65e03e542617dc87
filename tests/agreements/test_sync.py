"""The y-protocols messages the server reads and writes."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Encoder, Text, create_awareness_message, create_update_message, merge_updates, write_message

from agreements import sync
from agreements.shape import doc_from_update, new_document, read_document, root_map, sections


def title_of(doc) -> Text:
    """The document's title (made by the first edit of an empty document)."""
    root = root_map(doc)
    if "title" not in root:
        root["title"] = Text()
    return root["title"]


def edits(doc, *changes):
    """Make changes to doc's title and return the updates they produced, one per change."""
    updates = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    for change in changes:
        with doc.transaction():
            change(title_of(doc))
    doc.unobserve(subscription)
    return updates


def test_parse_reads_each_sync_kind_and_awareness():
    doc = Doc()
    (update,) = edits(doc, lambda t: t.insert(0, "hi"))
    assert sync.parse_message(sync.step1_message(doc)) == sync.Message(sync.STEP1, doc.get_state())
    assert sync.parse_message(create_update_message(update)) == sync.Message(sync.UPDATE, update)
    assert sync.parse_message(b"\x00\x01" + write_message(update)).kind == sync.STEP2
    assert sync.parse_message(create_awareness_message(b"\x00")).kind == sync.AWARENESS


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00", b"\x02\x00\x00", b"\x00\x03\x00", "text", None, 7, b"\x00\x02\x05ab", b"\x00\x02\x01ab"],
)
def test_parse_refuses_malformed_frames(data):
    with pytest.raises(sync.Malformed):
        sync.parse_message(data)


def test_parse_refuses_oversized_messages():
    with pytest.raises(sync.TooLarge):
        sync.parse_message(create_update_message(b"\x00" * sync.MAX_MESSAGE_BYTES))


def test_apply_returns_only_what_changed():
    source, target = Doc(), Doc()
    first, second = edits(source, lambda t: t.insert(0, "hello"), lambda t: t.insert(5, " you"))
    assert sync.apply_update(target, first) is not None
    assert sync.apply_update(target, first) is None
    assert sync.apply_update(target, sync.EMPTY_UPDATE) is None
    changed = sync.apply_update(target, second)
    assert changed is not None
    third = Doc()
    third.apply_update(first)
    third.apply_update(changed)
    assert str(title_of(third)) == "hello you"


def test_an_update_after_a_gap_is_refused_before_it_touches_the_document():
    source, target = Doc(), Doc()
    first, second = edits(source, lambda t: t.insert(0, "hello"), lambda t: t.insert(5, " you"))
    with pytest.raises(sync.MissingHistory) as refused:
        sync.apply_update(target, second)
    assert not refused.value.spoils_document  # the document may stay in use
    assert target.get_state() == b"\x00"
    # Nothing of it waits inside the document: once the first arrives, the refused second is still missing.
    sync.apply_update(target, first)
    assert str(title_of(target)) == "hello"


def test_a_gap_is_found_in_any_writer_of_an_update():
    source, other, target = Doc(), Doc(), Doc()
    first, second, third = edits(source, lambda t: t.insert(0, "hello"), lambda t: t.insert(5, " you"),
                                 lambda t: t.insert(9, "!"))
    other.apply_update(first)
    (theirs,) = edits(other, lambda t: t.insert(0, "Oh, "))
    target.apply_update(first)
    with pytest.raises(sync.MissingHistory):  # theirs fits, but the third skips the second
        sync.apply_update(target, merge_updates(theirs, third))
    assert str(title_of(target)) == "hello"
    sync.apply_update(target, merge_updates(theirs, second))
    assert str(title_of(target)) == "Oh, hello you"


def test_apply_refuses_an_edit_made_on_another_document():
    ours = doc_from_update(new_document("Ours"))
    theirs = doc_from_update(new_document("Theirs"))
    updates = []
    theirs.observe(lambda event: updates.append(event.update))
    next(sections(theirs))["title"].insert(0, "Our ")
    with pytest.raises(sync.MissingHistory):
        sync.apply_update(ours, updates[0])
    fresh = doc_from_update(ours.get_update())
    assert [s["title"] for s in read_document(fresh)["sections"]][0] == "How we handle arguments"


@pytest.mark.parametrize("garbage", [b"\x01", b"\x01\x01\x05", bytes(range(40, 90))])
def test_apply_refuses_updates_that_do_not_decode(garbage):
    doc = Doc()
    edits(doc, lambda t: t.insert(0, "kept"))
    with pytest.raises(sync.ProtocolError):
        sync.apply_update(doc, garbage)
    assert str(title_of(doc)) == "kept"


def test_apply_refuses_a_truncated_update():
    source, target = Doc(), Doc()
    (update,) = edits(source, lambda t: t.insert(0, "hello world"))
    with pytest.raises(sync.Malformed):
        sync.apply_update(target, update[:-4])
    assert target.get_state() == b"\x00"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_change_the_document_unnoticed(data):
    doc = Doc()
    edits(doc, lambda t: t.insert(0, "kept"))
    state = doc.get_state()
    try:
        changed = sync.apply_update(doc, data)
    except sync.ProtocolError:
        return
    assert changed is None or doc.get_state() != state


def test_answer_step1_sends_what_the_peer_lacks():
    server, client = Doc(), Doc()
    edits(server, lambda t: t.insert(0, "from the server"))
    reply = sync.answer_step1(server, sync.parse_message(sync.step1_message(client)))
    message = sync.parse_message(reply)
    assert message.kind == sync.STEP2
    client.apply_update(message.payload)
    assert str(title_of(client)) == "from the server"


def awareness_payload(*entries):
    encoder = Encoder()
    encoder.write_var_uint(len(entries))
    for client_id, clock, state in entries:
        encoder.write_var_uint(client_id)
        encoder.write_var_uint(clock)
        encoder.write_var_string(json.dumps(state))
    return encoder.to_bytes()


def test_awareness_with_name_colour_and_caret_round_trips():
    state = {"user": {"name": "Alice Moreau", "color": "#8a5"}, "cursor": {"item": "x", "anchor": None}}
    entries = sync.parse_awareness(awareness_payload((12, 3, state), (13, 4, None)))
    assert entries == [sync.Presence(12, 3, state), sync.Presence(13, 4, None)]
    again = sync.parse_message(sync.awareness_message(entries))
    assert sync.parse_awareness(again.payload) == entries


def test_awareness_names_with_accents_round_trip():
    entries = [sync.Presence(1, 1, {"user": {"name": "Zoë Ångström", "color": "#123"}})]
    assert sync.parse_awareness(sync.parse_message(sync.awareness_message(entries)).payload) == entries


@pytest.mark.parametrize(
    "state",
    [
        {"user": {"name": "Alice"}, "location": "48.85,2.35"},
        {"user": {"name": "Alice", "email": "alice@example.org"}},
        {"user": "Alice"},
        {"cursor": {"item": "x", "private": "note"}},
        [1, 2],
        {"user": {"name": "A" * 500}},
    ],
)
def test_awareness_refuses_anything_but_name_colour_and_caret(state):
    with pytest.raises(sync.Malformed):
        sync.parse_awareness(awareness_payload((1, 1, state)))


@pytest.mark.parametrize("payload", [b"", b"\x01\x01", b"\x01\x01\x01\x05nu", b"\x01\x01\x01\x04null!"])
def test_awareness_refuses_truncated_or_padded_payloads(payload):
    with pytest.raises(sync.Malformed):
        sync.parse_awareness(payload)
