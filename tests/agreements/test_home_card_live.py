"""The partner's home page hears of a signature, so its agreements card (what waits for a signature) follows live."""
from html import unescape

from tests.agreements.test_views import TEXT, page, sign_json  # noqa: F401 (the `page` fixture)


def test_a_signature_reaches_the_partners_home_page(page, app, login, socket_client):
    bob = login(app.test_client(), page.bob)
    home = socket_client("/couple", bob.client)
    home.get_received("/couple")
    assert sign_json(page).status_code == 200
    names = [event["name"] for event in home.get_received("/couple")]
    assert "agreements_changed" in names
    # What the page re-reads: the card it swaps, with the signature now waiting for Bob.
    card = unescape(bob.get("/").get_data(as_text=True))
    assert 'id="agreements-card" data-live' in card and "1 waits for your signature" in card
