"""Words someone wrote with bidirectional overrides in them reorder only themselves, never what is shown around
them: on every page that shows an agreement, each such text sits in an element of its own direction (`dir`) or
in a <bdi>."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from agreements import history, signing
from extensions import db
from tests.agreements.writing import add_agreement, new_document

OVERRIDDEN = "\u202etxet nedih\u202c and more"  # a right-to-left override, closed
UNCLOSED = "We listen\u202e first"  # one that is never closed: it must stop where the text stops
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Isolation(HTMLParser):
    """Collects every text that holds a bidi control, with whether its own element isolates it."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, tag == "bdi" or any(name == "dir" for name, _ in attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(c in data for c in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"):
            isolated = bool(self.stack) and self.stack[-1][1]
            self.found.append((data, isolated))


def _texts(html: str) -> list[tuple[str, bool]]:
    parser = _Isolation()
    parser.feed(html)
    return parser.found


@pytest.fixture
def written(linked_couple, login, client, clock):
    couple, alice, bob = linked_couple()
    document = new_document(couple)
    first = add_agreement(document, OVERRIDDEN, author=alice)
    add_agreement(document, UNCLOSED, author=bob)
    old = history.take_version(document, history.PAUSE)
    db.session.commit()
    signing.sign(alice, document.id, first, OVERRIDDEN)
    return document, old, login(client, alice)


@pytest.mark.parametrize("page", ["", "/print", "/history", "/history/{old}", "/compare?old={old}&new=now"])
def test_an_override_in_an_agreement_reorders_nothing_around_it(written, page):
    document, old, browser = written
    url = f"/agreements/{document.id}{page.format(old=old.id)}"
    response = browser.get(url)
    assert response.status_code == 200
    texts = _texts(response.get_data(as_text=True))
    assert texts, f"{url} shows no agreement text"  # the texts are really there, so a leak would be seen
    assert [text for text, isolated in texts if not isolated] == [], url
