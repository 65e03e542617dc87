"""Home cards come from one registry the features add to; the home view asks it, no other page pays for it."""
from __future__ import annotations

import re

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import event

from couples import home_cards, linking
from extensions import db


@pytest.fixture
def alice_home(linked_couple, login, client):
    """Alice, linked with Bob, signed in: (couple, Alice, her browser)."""
    couple, alice, _bob = linked_couple()
    return couple, alice, login(client, alice)


@pytest.fixture
def extra_card(app, monkeypatch):
    """register(name, html, data, order, **options): a card whose template is the given text, for this test only."""
    monkeypatch.setattr(home_cards, "_cards", dict(home_cards._cards))
    templates = {}
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader(templates), app.jinja_env.loader]))

    def register(name, html, data, order, **options):
        templates[f"test/{name}.html"] = html
        home_cards.register(name, f"test/{name}.html", data, order, **options)

    return register


def _head_and_body(html: str) -> tuple[str, str]:
    head, _, body = html.partition("</head>")
    return head, body


@pytest.mark.parametrize("page", ["home", "archive"])
def test_scripts_and_stylesheets_are_in_the_head(alice_home, page):
    couple, alice, browser = alice_home
    if page == "archive":
        linking.unlink(couple, alice)
    html = browser.get("/" if page == "home" else f"/archive/{couple.id}").get_data(as_text=True)
    head, body = _head_and_body(html)
    assert "<script" not in body and "<link" not in body
    scripts = re.findall(r'<script type="module" src="([^"]+)"></script>', head)
    assert scripts == ["/static/dist/home.js" if page == "home" else "/static/dist/base.js"]
    assert head.count("css/privacy.css") == 1  # the shared passages card's, once


def test_the_home_page_draws_the_registered_cards_in_order(alice_home, extra_card):
    _couple, _alice, browser = alice_home
    extra_card("kind_words", '<section class="card" id="kind-words">{{ words }}</section>',
               lambda user, couple, archived: {"words": f"Hello {user.name}"}, order=15)
    extra_card("nothing_now", '<section id="nothing-now"></section>', lambda user, couple, archived: None, order=16)
    html = browser.get("/").get_data(as_text=True)
    assert "Hello Alice Moreau" in html and 'id="nothing-now"' not in html
    order = [html.index(marker) for marker in ('id="agreements-card"', 'id="kind-words"', 'id="ledger-home"')]
    assert order == sorted(order)


def test_a_card_may_stay_off_the_archive(alice_home, extra_card):
    couple, alice, browser = alice_home
    extra_card("live_only", '<section id="live-only"></section>', lambda user, couple, archived: {}, order=1,
               pages=(home_cards.HOME,))
    assert 'id="live-only"' in browser.get("/").get_data(as_text=True)
    linking.unlink(couple, alice)
    archive = browser.get(f"/archive/{couple.id}").get_data(as_text=True)
    assert 'id="live-only"' not in archive and "You had no dialogues together." in archive


def test_other_pages_ask_nothing_of_the_cards(alice_home):
    _couple, _alice, browser = alice_home
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert browser.get("/account").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    card_tables = ("dialogue", "agreement_document", "promise", "apology", "shared_passage")
    assert statements and not [s for s in statements if any(f"FROM {t}" in s for t in card_tables)]
