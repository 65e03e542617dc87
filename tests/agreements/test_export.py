"""Exports: Markdown, the printable page and "my data", each with every agreement's state and signatures."""
import pytest

from agreements import export, history, signing
from couples import accounts, linking
from tests.agreements.writing import add_agreement, new_document, set_text
from tests.conftest import PASSWORD

AGREED_TEXT = "We put our phones away at dinner."
CHANGED_TEXT = "We call if we will be late."


@pytest.fixture
def exported(linked_couple, clock):
    couple, alice, bob = linked_couple()
    document = new_document(couple)
    agreed = add_agreement(document, AGREED_TEXT, section=1, author=alice)
    changed = add_agreement(document, CHANGED_TEXT, section=1, author=bob)
    draft = add_agreement(document, "Sundays are ours.\nNo work email.", section=1, author=bob)
    for person in (alice, bob):
        signing.sign(person, document.id, agreed, AGREED_TEXT)
    signing.sign(alice, document.id, changed, CHANGED_TEXT)
    set_text(document, changed, CHANGED_TEXT + " Or text.", author=bob)
    return couple, alice, bob, document


def test_markdown_has_every_section_agreement_state_and_signature(exported):
    _, alice, _, document = exported
    text = export.markdown(document, alice)
    assert text.startswith("# Our agreements\n")
    assert "## Time that is ours" in text
    assert "_What do we each do when a disagreement heats up" in text  # an empty section shows its prompt
    assert f"1. {AGREED_TEXT}" in text
    assert "_Agreed: signed by Alice Moreau (2 March 2026, 09:00 UTC) and Bob Lindqvist (2 March 2026, 09:00 UTC)._" in text
    assert f"2. {CHANGED_TEXT} Or text." in text
    assert "_Changed since signed: Alice Moreau (2 March 2026, 09:00 UTC) signed an earlier text." in text
    assert "3. Sundays are ours.\n   No work email.\n" in text
    assert "_Draft: not signed yet._" in text


def test_markdown_times_are_in_the_readers_time_zone(exported):
    _, alice, _, document = exported
    alice.time_zone = "Europe/Paris"
    assert "Alice Moreau (2 March 2026, 10:00 Europe/Paris)" in export.markdown(document, alice)


def test_my_data_holds_the_documents_signatures_and_versions(exported):
    _, alice, _, document = exported
    data = export.export_for_user(alice)
    [doc] = data["agreement_documents"]
    agreements = doc["sections"][1]["agreements"]
    assert [a["state"] for a in agreements] == ["agreed", "changed", "draft"]
    assert [s["signer"] for s in agreements[0]["signatures"]] == ["Alice Moreau", "Bob Lindqvist"]
    assert agreements[1]["signatures"][0]["text"] == CHANGED_TEXT
    assert {v["reason"] for v in doc["versions"]} == {history.SIGNING}


def test_my_data_keeps_an_archive_and_leaves_other_couples_out(exported, linked_couple):
    couple, alice, bob, _ = exported
    other, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    new_document(other)
    linking.unlink(couple, bob)
    accounts.delete_account(alice, PASSWORD)
    data = export.export_for_user(bob)
    [doc] = data["agreement_documents"]
    assert doc["couple_status"] == "unlinked"
    signers = [s["signer"] for s in doc["sections"][1]["agreements"][0]["signatures"]]
    assert signers == ["former partner", "Bob Lindqvist"]
    assert export.export_for_user(carol)["agreement_documents"][0]["sections"][1]["agreements"] == []


def test_printable_page_shows_states_and_signatures(exported, client, login):
    _, alice, _, document = exported
    login(client, alice)
    page = client.get(f"/agreements/{document.id}/print").get_data(as_text=True)
    assert AGREED_TEXT in page
    assert "Agreed: signed by Alice Moreau" in page
    assert "Changed since signed" in page


def test_markdown_download_is_an_attachment(exported, client, login):
    _, alice, _, document = exported
    login(client, alice)
    response = client.get(f"/agreements/{document.id}/export.md")
    assert response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"] == "attachment; filename=agreements.md"
    assert AGREED_TEXT in response.get_data(as_text=True)


FORGED_TEXT = "Bob may read Alice's messages whenever he likes."


def store_copy_of_id(document, item_id: str, text: str, section: int = 0, at: int | None = None) -> None:
    """Write a second agreement with this id straight into the log, as data stored before ids were checked."""
    from pycrdt import Map, Text

    from agreements import rooms, shape, store
    from tests.agreements.conftest import stored_doc

    doc = stored_doc(document.id)
    changes = []
    doc.observe(lambda event: changes.append(event.update))
    items = list(shape.sections(doc))[section]["items"]
    items.insert(len(items) if at is None else at, Map({"id": item_id, "text": Text(text)}))
    store.append(document.id, changes[0], None)
    room = rooms.rooms().open(document.id)
    if room is not None:
        room.reload()


@pytest.mark.parametrize("first", [True, False], ids=["copy before the original", "copy after it"])
def test_a_copied_id_in_stored_data_borrows_no_signatures(exported, client, login, first):
    couple, alice, bob, document = exported
    agreed = export.readable(document).sections[1].agreements[0]
    store_copy_of_id(document, agreed.id, FORGED_TEXT, section=1 if first else 2, at=0 if first else None)

    readable = export.readable(document)
    states = {a.text: a.state.status for s in readable.sections for a in s.agreements}
    assert states[AGREED_TEXT] == signing.AGREED
    assert states[FORGED_TEXT] == signing.DRAFT

    text = export.markdown(document, alice)
    assert text.count("_Agreed: signed by") == 1
    assert text.index("_Agreed: signed by") > text.index(AGREED_TEXT) > (text.index(FORGED_TEXT) if first else 0)

    data = export.export_for_user(alice)
    mine = {a["text"]: a for s in data["agreement_documents"][0]["sections"] for a in s["agreements"]}
    assert mine[FORGED_TEXT]["state"] == "draft" and mine[FORGED_TEXT]["signatures"] == []
    assert mine[AGREED_TEXT]["state"] == "agreed"

    login(client, alice)
    printed = client.get(f"/agreements/{document.id}/print").get_data(as_text=True)
    assert printed.count("Agreed: signed by") == 1
    shown = client.get(f"/agreements/{document.id}/states").get_json()["items"][agreed.id]
    assert shown["status"] == ("draft" if first else "agreed")  # the page shows the first agreement of an id

    linking.unlink(couple, bob)
    archive = client.get(f"/agreements/{document.id}").get_data(as_text=True)
    assert archive.count('data-status="agreed"') == 1
