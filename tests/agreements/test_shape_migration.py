"""Migration 0007_shape: documents stored before the shape was enforced are found and repaired in their log."""
from pathlib import Path

from flask_migrate import downgrade, upgrade
from pycrdt import Array, Map, Text

from agreements import export, shape, signing, store
from tests.agreements.conftest import stored_doc
from tests.agreements.test_export import FORGED_TEXT, store_copy_of_id
from tests.agreements.writing import add_agreement, new_document

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
SIGNED_TEXT = "We take a break of twenty minutes when a quarrel heats up."


def run_migration() -> None:
    """Step back to just before 0007_shape and run it again, as `flask db upgrade` would on old data."""
    from extensions import db

    db.session.commit()
    downgrade(directory=MIGRATIONS, revision="0003_ledger")
    upgrade(directory=MIGRATIONS)


def store_raw(document, change) -> None:
    """Write a change straight into the log, past every check (data from before the checks)."""
    from agreements import rooms

    doc = stored_doc(document.id)
    updates = []
    doc.observe(lambda event: updates.append(event.update))
    with doc.transaction():
        change(doc)
    store.append(document.id, updates[0], None)
    room = rooms.rooms().open(document.id)
    if room is not None:
        room.reload()


def states(document) -> list[tuple[str, str, str]]:
    return [(a.id, a.text, a.state.status) for s in export.readable(document).sections for a in s.agreements]


def test_a_document_that_breaks_the_shape_is_repaired_by_one_more_edit(linked_couple):
    couple, alice, bob = linked_couple()
    document = new_document(couple)
    item = add_agreement(document, SIGNED_TEXT, section=1, author=alice)
    for person in (alice, bob):
        signing.sign(person, document.id, item, SIGNED_TEXT)
    store_copy_of_id(document, item, FORGED_TEXT, section=1, at=0)  # before the original: the harder case
    store_copy_of_id(document, item, SIGNED_TEXT, section=3)  # the very words, elsewhere: still a copy

    def junk(doc):
        first = list(shape.sections(doc))[0]
        first["items"].append(Map({"id": shape.new_id(), "text": "a plain string", "note": "foreign"}))
        first["items"].append(Map({"text": Text("no id, never shown")}))
        first["hidden"] = Array([shape.new_item("smuggled")])
        shape.root_map(doc)["owner"] = "Bob"

    store_raw(document, junk)
    rows = len(store.read_log(document.id))

    run_migration()

    assert len(store.read_log(document.id)) == rows + 1
    repaired = stored_doc(document.id)
    shape.check_document(repaired)
    found = states(document)
    assert (item, SIGNED_TEXT, signing.AGREED) in found  # the signed agreement keeps its id and signatures
    copies = [entry for entry in found if entry[1] in (FORGED_TEXT, SIGNED_TEXT) and entry[0] != item]
    assert sorted(status for _, _, status in copies) == [signing.DRAFT, signing.DRAFT]
    assert len({entry[0] for entry in found}) == len(found)
    assert [entry[1] for entry in found if entry[1] == ""] == [""]  # the plain string showed as empty: it stays so
    assert "no id, never shown" not in str(shape.read_document(repaired))

    run_migration()  # a repaired document needs nothing more
    assert len(store.read_log(document.id)) == rows + 1


def test_a_text_past_its_bound_is_kept_and_only_reported(linked_couple, capfd):
    couple, alice, _ = linked_couple()
    document = new_document(couple)
    long_text = "We write it all down. " * 200
    store_raw(document, lambda doc: list(shape.sections(doc))[2]["items"].append(shape.new_item(long_text)))
    rows = len(store.read_log(document.id))
    run_migration()
    assert [entry[1] for entry in states(document)] == [long_text]
    assert len(store.read_log(document.id)) == rows + 1
    assert f"agreements document {document.id} repaired; still to be shortened by its couple" in capfd.readouterr().err


def test_documents_in_shape_are_left_alone(linked_couple):
    couple, alice, _ = linked_couple()
    document = new_document(couple)
    add_agreement(document, SIGNED_TEXT, author=alice)
    log = store.read_log(document.id)
    run_migration()
    assert store.read_log(document.id) == log
