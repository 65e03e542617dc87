"""The content shape of an agreements document."""

from pycrdt import Array, Doc, Map, Text

from agreements.shape import (
    SUGGESTED_SECTIONS,
    agreement_text,
    doc_from_update,
    items,
    new_document,
    new_id,
    new_item,
    read_document,
    root_map,
    sections,
)


def test_new_document_starts_with_the_six_suggested_sections_each_with_a_prompt():
    doc = doc_from_update(new_document("Our agreements"))
    content = read_document(doc)
    assert content["title"] == "Our agreements"
    assert [s["title"] for s in content["sections"]] == [s.title for s in SUGGESTED_SECTIONS]
    assert len(content["sections"]) == 6
    assert all(s["prompt"] and s["items"] == [] for s in content["sections"])


def test_new_document_accepts_custom_sections():
    doc = doc_from_update(new_document("After the move", [("Money", "Who pays for what?"), "Chores"]))
    content = read_document(doc)
    assert [(s["title"], s["prompt"]) for s in content["sections"]] == [
        ("Money", "Who pays for what?"),
        ("Chores", ""),
    ]


def test_section_and_item_ids_are_unique_across_documents():
    ids = set()
    for _ in range(20):
        for section in read_document(doc_from_update(new_document("t")))["sections"]:
            ids.add(section["id"])
    assert len(ids) == 20 * 6
    assert len({new_id() for _ in range(1000)}) == 1000


def test_agreement_text_follows_the_item_wherever_it_moves():
    doc = doc_from_update(new_document("Our agreements"))
    first, second = list(sections(doc))[:2]
    first["items"].append(new_item("No walking out mid-argument"))
    item_id = next(items(first))["id"]
    assert agreement_text(doc, item_id) == "No walking out mid-argument"
    moved = first["items"].pop(0)
    second["items"].append(Map({"id": item_id, "text": Text(str(moved["text"]))}))
    assert agreement_text(doc, item_id) == "No walking out mid-argument"
    assert agreement_text(doc, "no-such-id") is None


def test_reading_skips_entries_of_the_wrong_shape():
    doc = doc_from_update(new_document("Our agreements"))
    section = next(sections(doc))
    section["items"].append("not a map")
    section["items"].append(Map({"text": Text("no id")}))
    section["items"].append(Map({"id": "i1", "text": "plain string, not Y.Text"}))
    root_map(doc)["sections"].append(Map({"title": "no id"}))
    content = read_document(doc)
    assert len(content["sections"]) == 6
    assert content["sections"][0]["items"] == [{"id": "i1", "text": ""}]


def test_reading_an_empty_doc_gives_an_empty_document():
    assert read_document(Doc()) == {"title": "", "sections": []}
    doc = Doc()
    root_map(doc)["sections"] = Array()
    assert read_document(doc)["sections"] == []
