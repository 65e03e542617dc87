"""The agreements pages over HTTP: who may see and do what, signing from the page.

That open pages hear of a signature (the relay's `states`): tests/relay/test_sync.py.
"""
import pytest

from agreements import history, signing
from couples import linking
from tests.agreements.writing import add_agreement, new_document

TEXT = "We say what we need instead of hinting."


@pytest.fixture
def page(linked_couple, client, login):
    """Alice signed in, her couple's document holding one agreement."""
    couple, alice, bob = linked_couple()
    document = new_document(couple)
    item = add_agreement(document, TEXT, author=bob)
    browser = login(client, alice)

    class Page:
        pass

    p = Page()
    p.couple, p.alice, p.bob, p.document, p.item, p.browser = couple, alice, bob, document, item, browser
    p.url = f"/agreements/{document.id}"
    return p


def sign_json(page, text=TEXT, item=None):
    token = page.browser.token(page.url)
    return page.browser.client.post(f"{page.url}/sign", json={"item": item or page.item, "text": text},
                                    headers={"X-CSRFToken": token})


def test_anonymous_people_are_sent_to_sign_in(page, app):
    anonymous = app.test_client()
    response = anonymous.get(page.url)
    assert response.status_code == 302 and "/login" in response.location


def test_the_document_page_shows_the_text_and_loads_the_live_editor(page):
    html = page.browser.get(page.url).get_data(as_text=True)
    assert TEXT in html
    assert "dist/agreements.js" in html
    assert 'data-me-name="Alice Moreau"' in html
    assert "What do we each do when a disagreement heats up" not in html  # that section has an agreement
    assert "Which moments each week belong to the two of us" in html  # an empty section shows its prompt


def test_another_couple_gets_not_found_everywhere(page, linked_couple, app, login):
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    other = login(app.test_client(), carol)
    for url in (page.url, f"{page.url}/states", f"{page.url}/history", f"{page.url}/export.md", f"{page.url}/print"):
        assert other.get(url).status_code == 404, url
    token = other.token("/agreements/")
    response = other.client.post(f"{page.url}/sign", json={"item": page.item, "text": TEXT}, headers={"X-CSRFToken": token})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert signing.signatures_by_item(page.document) == {}


def test_state_changes_without_a_csrf_token_are_refused(page):
    client = page.browser.client
    assert client.post(f"{page.url}/sign", json={"item": page.item, "text": TEXT}).status_code == 400
    assert client.post(f"{page.url}/sign", data={"item": page.item, "text": TEXT}).status_code == 400
    assert client.post(f"{page.url}/history/checkpoint").status_code == 400
    version = history.take_version(page.document, history.PAUSE)
    restore = f"{page.url}/history/{version.id}/restore"
    assert client.post(restore, data={"section": version.content["sections"][0]["id"]}).status_code == 400
    assert client.post("/agreements/", data={"title": "After the move"}).status_code == 400
    assert signing.signatures_by_item(page.document) == {}


def test_signing_from_the_page_answers_with_the_readers_states(page):
    response = sign_json(page)
    assert response.status_code == 200
    words = response.get_json()["states"]["items"][page.item]
    assert (words["status"], words["label"], words["can_sign"]) == ("signed", "Signed by you", False)


def test_signing_text_the_server_does_not_hold_is_refused_with_a_reason(page):
    response = sign_json(page, text=TEXT + " (not saved yet)")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_states_are_worded_for_each_partner(page, app, login):
    sign_json(page)
    bob = login(app.test_client(), page.bob)
    words = bob.get(f"{page.url}/states").get_json()["items"][page.item]
    assert (words["label"], words["can_sign"]) == ("Signed by Alice Moreau", True)


def test_after_unlinking_the_document_is_a_readable_archive(page):
    linking.unlink(page.couple, page.bob)
    html = page.browser.get(page.url).get_data(as_text=True)
    assert TEXT in html
    assert "read-only archive" in html
    assert "agreements.js" not in html and "sign-dialog" not in html
    assert page.browser.get(f"{page.url}/export.md").status_code == 200
    response = sign_json(page)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "read_only"


def test_history_compare_marks_what_changed(page, clock):
    from tests.agreements.writing import set_text

    old = history.take_version(page.document, history.PAUSE)
    set_text(page.document, page.item, "We say plainly what we need.", author=page.bob)
    html = page.browser.get(f"{page.url}/compare?old={old.id}&new=now").get_data(as_text=True)
    assert "<del><bdi> instead of hinting</bdi></del>" in html
    assert "<ins><bdi> plainly</bdi></ins>" in html
    clock.advance(minutes=2)
    token = page.browser.token(page.url)
    page.browser.client.post(f"{page.url}/history/checkpoint", json={}, headers={"X-CSRFToken": token})
    listing = page.browser.get(f"{page.url}/history").get_data(as_text=True)
    assert "After a pause in writing" in listing and "Bob Lindqvist" in listing


def test_restoring_from_the_page_brings_the_section_back(page):
    from tests.agreements.writing import content, set_text

    old = history.take_version(page.document, history.PAUSE)
    set_text(page.document, page.item, "Hints are fine.", author=page.bob)
    response = page.browser.post(f"{page.url}/history/{old.id}/restore",
                                 {"section": old.content["sections"][0]["id"]}, page=f"{page.url}/history/{old.id}")
    assert response.status_code == 302
    assert content(page.document)["sections"][0]["items"][0]["text"] == TEXT


def test_a_new_document_can_be_started_and_needs_a_title(page):
    response = page.browser.post("/agreements/", {"title": "After the move", "suggested": "y"}, page="/agreements/")
    assert response.status_code == 302
    listing = page.browser.get("/agreements/").get_data(as_text=True)
    assert "After the move" in listing and "Our agreements" in listing
    assert page.browser.post("/agreements/", {"title": ""}, page="/agreements/").status_code == 400


def test_the_home_page_card_says_what_waits_for_the_reader(page, app, login):
    bob = login(app.test_client(), page.bob)
    html = bob.get("/").get_data(as_text=True)
    assert 'id="agreements-card"' in html and "Our agreements" in html and "0 of 1 agreed" in html
    sign_json(page)
    html = bob.get("/").get_data(as_text=True)
    assert "1 waits for your signature" in html


def test_the_page_asks_for_a_version_after_a_pause_and_gets_one_only_then(page, clock):
    def checkpoint():
        token = page.browser.token(page.url)
        return page.browser.client.post(f"{page.url}/history/checkpoint", json={}, headers={"X-CSRFToken": token})

    assert checkpoint().get_json() == {"ok": True, "taken": False}
    clock.advance(minutes=2)
    assert checkpoint().get_json() == {"ok": True, "taken": True}
    assert checkpoint().get_json() == {"ok": True, "taken": False}
