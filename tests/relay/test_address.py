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
