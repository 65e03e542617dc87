"""The agreements page learns where the relay is, and its Content-Security-Policy lets it connect there."""
from __future__ import annotations

import re


def document_page(app, login, linked_couple, first_document):
    couple, alice, _ = linked_couple()
    client = app.test_client()
    login(client, alice)
    return client.get(f"/agreements/{first_document(couple).id}")


def relay_attribute(page) -> str:
    return re.search(r'data-relay-url="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_by_default_the_page_finds_the_relay_on_its_own_host(app, login, linked_couple, first_document):
    page = document_page(app, login, linked_couple, first_document)
    assert relay_attribute(page) == f"ws://localhost:{app.config['RELAY_PORT']}"
    assert f"connect-src 'self' ws://localhost:{app.config['RELAY_PORT']}" in page.headers["Content-Security-Policy"]


def test_a_configured_relay_url_is_used_as_given(app, login, linked_couple, first_document):
    app.config["RELAY_URL"] = "wss://ours.example/relay/"
    page = document_page(app, login, linked_couple, first_document)
    assert relay_attribute(page) == "wss://ours.example/relay"
    assert "connect-src 'self' wss://ours.example;" in page.headers["Content-Security-Policy"]


def test_with_several_relays_each_document_goes_to_one_by_its_id(app, login, linked_couple, first_document):
    app.config["RELAY_URL"] = "wss://ours.example/relay/0/ wss://ours.example/relay/1,wss://two.example/relay"
    couple, alice, _ = linked_couple()
    client = app.test_client()
    login(client, alice)
    document_id = first_document(couple).id
    page = client.get(f"/agreements/{document_id}")
    expected = ["wss://ours.example/relay/0", "wss://ours.example/relay/1", "wss://two.example/relay"][document_id % 3]
    assert relay_attribute(page) == expected
    assert "connect-src 'self' wss://ours.example wss://two.example;" in page.headers["Content-Security-Policy"]


def test_every_app_process_sends_a_document_to_the_same_relay(app):
    from relay.address import relay_url

    app.config["RELAY_URL"] = "ws://127.0.0.1:5050 ws://127.0.0.1:5051"
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        on_a = [relay_url(n) for n in range(1, 7)]
    with app.test_request_context("/", base_url="http://127.0.0.1:5001"):
        on_b = [relay_url(n) for n in range(1, 7)]
    assert on_a == on_b == ["ws://127.0.0.1:5051", "ws://127.0.0.1:5050"] * 3
