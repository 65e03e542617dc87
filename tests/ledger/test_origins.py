"""A promise can point at one of the couple's agreements, by its stable id."""
import pytest
from sqlalchemy import select

from agreements import rooms
from agreements.models import AgreementDocument
from agreements.shape import new_id, new_item, sections
from couples.errors import Invalid
from extensions import db
from ledger import origins, service
from ledger.service import Terms


def first_document(couple) -> AgreementDocument:
    return db.session.scalar(select(AgreementDocument).where(AgreementDocument.couple_id == couple.id))


def add_agreement(couple, text: str) -> str:
    """Write an agreement into the first section of the couple's first document; return its id."""
    document, item_id = first_document(couple), new_id()
    rooms.edit(document.id, couple.id, lambda doc: next(sections(doc))["items"].append(new_item(text, item_id)), None)
    return item_id


@pytest.fixture
def pair(linked_couple):
    return linked_couple()


def test_the_picker_offers_the_couples_worded_agreements(pair):
    couple, alice, _ = pair
    agreement_id = add_agreement(couple, "No walking out during an argument")
    add_agreement(couple, "   ")
    choices = origins.agreement_choices(alice, couple)
    assert [(c.agreement_id, c.section, c.text) for c in choices] == [
        (agreement_id, "How we handle arguments", "No walking out during an argument")]


def test_a_promise_can_come_from_an_agreement(pair, client, login):
    couple, alice, bob = pair
    agreement_id = add_agreement(couple, "No walking out during an argument")
    value = f"{first_document(couple).id}:{agreement_id}"
    browser = login(client, alice)
    page = f"/ledger/{couple.id}"
    assert f'value="{value}"' in client.get(page).get_data(as_text=True)
    browser.post(f"/ledger/{couple.id}/promises", {"text": "Take ten minutes, then come back", "kind": "once",
                                                   "agreement": value}, page=page)
    promise = service.couple_promises(couple.id)[0]
    assert (promise.agreement_doc_id, promise.agreement_id) == (str(first_document(couple).id), agreement_id)
    html = client.get(page).get_data(as_text=True)
    assert "Comes from <span class=\"section\">How we handle arguments</span>" in html
    assert "No walking out during an argument" in html
    assert "How we handle arguments" in client.get(f"/ledger/promises/{promise.id}").get_data(as_text=True)


def test_another_couples_agreement_is_refused(pair, linked_couple):
    couple, alice, _ = pair
    other, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    theirs = add_agreement(other, "Phones away at dinner")
    for value in (f"{first_document(other).id}:{theirs}", f"{first_document(couple).id}:{theirs}", "x:y", "999:z"):
        with pytest.raises(Invalid, match="could not be found"):
            service.make_promise(alice, couple, Terms("Phones away"), agreement=value)
    assert service.couple_promises(couple.id) == []


def test_a_promise_outlives_its_agreement(pair, client, login):
    couple, alice, _ = pair
    agreement_id = add_agreement(couple, "Sunday walks")
    source = f"{first_document(couple).id}:{agreement_id}"
    service.make_promise(alice, couple, Terms("Walk on Sundays"), agreement=source)
    document = first_document(couple)
    rooms.edit(document.id, couple.id, lambda doc: next(sections(doc))["items"].pop(0), None)
    login(client, alice)
    html = client.get(f"/ledger/{couple.id}").get_data(as_text=True)
    assert "Walk on Sundays" in html and "an agreement no longer in your document" in html
