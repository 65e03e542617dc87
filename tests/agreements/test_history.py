"""History: versions after a pause and at signing, comparing two versions, restoring a section."""

import pytest
from hypothesis import given, strategies as st
from pycrdt import Doc, Map, Text

from agreements import history, shape, signing
from agreements.history import ADDED, EDITED, REMOVED, SAME, compare, diff_words, replace_text, restore_section
from couples import linking
from couples.errors import NotFound, ReadOnly
from tests.agreements.writing import add_agreement, content, new_document, set_text


def _doc(sections):
    doc = Doc()
    doc.apply_update(shape.new_document("Our agreements", [(title, "") for title, _ in sections]))
    for section, (_, texts) in zip(shape.sections(doc), sections):
        for text in texts:
            section["items"].append(shape.new_item(text))
    return doc


def test_diff_marks_deleted_and_inserted_words():
    pieces = diff_words("We talk it over tonight", "We talk it over tomorrow morning")
    assert ("del", "tonight") in pieces
    assert ("ins", "tomorrow morning") in pieces
    assert "".join(t for op, t in pieces if op != "ins") == "We talk it over tonight"
    assert "".join(t for op, t in pieces if op != "del") == "We talk it over tomorrow morning"


@given(st.text(max_size=40), st.text(max_size=40))
def test_diff_rebuilds_both_sides(old, new):
    pieces = diff_words(old, new)
    assert "".join(t for op, t in pieces if op != "ins") == old
    assert "".join(t for op, t in pieces if op != "del") == new


@given(st.text(max_size=30), st.text(max_size=30))
def test_replace_text_reaches_the_new_text_even_with_accents_and_emoji(old, new):
    doc = Doc()
    text = doc.get("t", type=Text)
    text.insert(0, old)
    replace_text(text, new)
    assert str(text) == new


def test_compare_finds_added_removed_and_changed_agreements():
    doc = _doc([("Arguments", ["No name-calling", "Pause when flooded"])])
    before = shape.read_document(doc)
    section = next(shape.sections(doc))
    del section["items"][0]
    replace_text(section["items"][0]["text"], "Pause for twenty minutes when flooded")
    section["items"].append(shape.new_item("Come back to it the same day"))
    after = shape.read_document(doc)

    [change] = compare(before, after)
    assert change.status == EDITED
    assert [item.status for item in change.items] == [REMOVED, EDITED, ADDED]
    assert compare(after, after)[0].status == SAME


def test_restore_brings_back_old_texts_and_keeps_ids_of_agreements_still_there():
    doc = _doc([("Arguments", ["No name-calling", "Pause when flooded"]), ("Time", ["Sunday walks"])])
    old = shape.read_document(doc)
    section = next(shape.sections(doc))
    kept_id = old["sections"][0]["items"][1]["id"]
    del section["items"][0]
    replace_text(section["items"][0]["text"], "Never pause")
    replace_text(section["title"], "Fights")

    restore_section(doc, old["sections"][0], 0)

    now = shape.read_document(doc)
    assert now["sections"][0]["title"] == "Arguments"
    assert [i["text"] for i in now["sections"][0]["items"]] == ["No name-calling", "Pause when flooded"]
    assert now["sections"][0]["items"][1]["id"] == kept_id
    assert now["sections"][0]["items"][0]["id"] != old["sections"][0]["items"][0]["id"]
    assert now["sections"][1] == old["sections"][1]


def test_restore_recreates_a_removed_section_with_new_ids():
    doc = _doc([("Arguments", ["No name-calling"]), ("Time", ["Sunday walks"])])
    old = shape.read_document(doc)
    del shape.root_map(doc)["sections"][1]

    restore_section(doc, old["sections"][1], 1)

    now = shape.read_document(doc)
    assert [s["title"] for s in now["sections"]] == ["Arguments", "Time"]
    assert now["sections"][1]["items"][0]["text"] == "Sunday walks"
    assert now["sections"][1]["id"] != old["sections"][1]["id"]


def test_restore_puts_reordered_agreements_back_in_their_old_order():
    doc = _doc([("Arguments", ["First", "Second", "Third"])])
    old = shape.read_document(doc)
    items = next(shape.sections(doc))["items"]
    moved = items[0]
    first = {"id": moved["id"], "text": str(moved["text"])}
    del items[0]
    items.append(Map({"id": first["id"], "text": Text(first["text"])}))

    restore_section(doc, old["sections"][0], 0)

    assert shape.read_document(doc)["sections"][0]["items"] == old["sections"][0]["items"]


# --- versions of a stored document --------------------------------------------------------


@pytest.fixture
def written(linked_couple):
    couple, alice, bob = linked_couple()
    document = new_document(couple)
    item = add_agreement(document, "We sleep on it before a big decision.", author=alice)
    return couple, alice, bob, document, item


def test_a_version_is_taken_only_after_a_pause_in_editing(written, clock):
    _, alice, bob, document, item = written
    edited_at = clock.at
    clock.advance(seconds=30)
    assert history.capture_after_pause(document) is None
    clock.advance(seconds=31)
    version = history.capture_after_pause(document)
    assert version.reason == history.PAUSE
    assert version.created_at == edited_at
    assert [a.name for a in version.authors] == ["Alice Moreau"]
    assert version.content == content(document)
    assert history.capture_after_pause(document) is None  # nothing new since


def test_each_version_names_who_wrote_since_the_previous_one(written, clock):
    _, alice, bob, document, item = written
    clock.advance(minutes=2)
    history.capture_after_pause(document)
    set_text(document, item, "We sleep on it before any big decision.", author=bob)
    clock.advance(minutes=2)
    version = history.capture_after_pause(document)
    assert [a.name for a in version.authors] == ["Bob Lindqvist"]


def test_every_signing_takes_a_version(written):
    _, alice, bob, document, item = written
    signing.sign(alice, document.id, item, "We sleep on it before a big decision.")
    _, versions = history.versions(alice, document.id)
    assert [(v.reason, v.actor.name) for v in versions] == [(history.SIGNING, "Alice Moreau")]
    assert versions[0].note == "We sleep on it before a big decision."


def test_restoring_a_section_is_a_new_edit_and_history_stays(written, clock):
    _, alice, bob, document, item = written
    before = history.take_version(document, history.PAUSE)
    set_text(document, item, "Whoever is loudest decides.", author=bob)
    clock.advance(minutes=5)

    restored = history.restore(alice, document.id, before.id, before.content["sections"][0]["id"])

    assert content(document)["sections"][0]["items"][0] == {"id": item, "text": "We sleep on it before a big decision."}
    assert restored.reason == history.RESTORE and restored.actor_id == alice.id
    _, versions = history.versions(alice, document.id)
    assert [v.id for v in versions] == [restored.id, before.id]
    assert history.version_of(document, before.id).content == before.content


def test_restore_is_refused_after_unlinking_and_for_unknown_sections(written):
    couple, alice, bob, document, item = written
    version = history.take_version(document, history.PAUSE)
    with pytest.raises(NotFound):
        history.restore(alice, document.id, version.id, "no-such-section")
    linking.unlink(couple, alice)
    with pytest.raises(ReadOnly):
        history.restore(bob, document.id, version.id, version.content["sections"][0]["id"])


def test_a_version_of_another_document_is_not_found(written, linked_couple):
    _, alice, _, document, _ = written
    other_couple, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    elsewhere = history.take_version(new_document(other_couple), history.PAUSE)
    with pytest.raises(NotFound):
        history.version_of(document, elsewhere.id)
