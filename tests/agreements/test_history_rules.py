"""Comparing versions and restoring a section, without a database."""

from hypothesis import given, strategies as st
from pycrdt import Doc, Text

from agreements import shape
from agreements.history import ADDED, CHANGED, REMOVED, SAME, compare, diff_words, replace_text, restore_section


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
    assert change.status == CHANGED
    assert [item.status for item in change.items] == [REMOVED, CHANGED, ADDED]
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
    from pycrdt import Map
    items.append(Map({"id": first["id"], "text": Text(first["text"])}))

    restore_section(doc, old["sections"][0], 0)

    assert shape.read_document(doc)["sections"][0]["items"] == old["sections"][0]["items"]
