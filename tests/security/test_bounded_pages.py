"""A page's cost is bounded by what it shows: the history of a document a partner signed a thousand times
is listed a page at a time, with a fixed number of queries, and never reads the stored snapshots."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from tests.agreements.writing import add_agreement, new_document, set_text


@pytest.fixture
def long_history(app, linked_couple, login, clock):
    """history(n): Alice and Bob's document with n versions, each after Bob wrote; Alice's browser."""
    from agreements import history
    from extensions import db

    couple, alice, bob = linked_couple()
    document = new_document(couple)
    item = add_agreement(document, "We keep Sunday mornings for the two of us.", author=bob)
    written = []

    def make(n: int):
        for _ in range(n):
            written.append(len(written))
            set_text(document, item, f"We keep Sunday mornings for the two of us ({len(written)}).", author=bob)
            clock.advance(seconds=1)
            history.take_version(document, history.PAUSE)
        db.session.commit()
        return document, login(app.test_client(), alice)

    return make


def _versions_listed(html: str) -> list[str]:
    return re.findall(r'href="/agreements/\d+/history/(\d+)"', html)


def _statements(app, work) -> tuple[object, list[str]]:
    """Run work() and return its result and the SQL statements it issued."""
    from extensions import db

    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        return work(), seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_long_history_is_listed_a_page_at_a_time(long_history):
    from agreements.history import VERSIONS_PER_PAGE

    document, alice = long_history(VERSIONS_PER_PAGE + 3)
    first = alice.get(f"/agreements/{document.id}/history")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    listed = _versions_listed(html)
    assert len(listed) == VERSIONS_PER_PAGE
    # The last version of the page is still compared with the one before it, on the next page.
    assert f"old={int(listed[-1]) - 1}&amp;new={listed[-1]}" in html
    older = re.search(r'<a href="([^"]+)">Older versions</a>', html)
    assert older, "no way to the older versions"
    rest = alice.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(_versions_listed(rest)) == 3 and "Older versions" not in rest and "The newest versions" in rest
    assert set(_versions_listed(rest)).isdisjoint(listed)


def test_the_history_page_asks_the_database_as_often_for_a_long_history_as_for_a_short_one(app, long_history):
    from agreements.history import VERSIONS_PER_PAGE

    document, alice = long_history(3)
    path = f"/agreements/{document.id}/history"
    alice.get(path)  # the session's own bookkeeping settles first
    short, few = _statements(app, lambda: alice.get(path))
    long_history(VERSIONS_PER_PAGE * 2)
    alice.get(path)
    long, many = _statements(app, lambda: alice.get(path))
    assert short.status_code == long.status_code == 200
    assert len(many) == len(few), "one query per version listed"
    assert not any("content_json" in statement for statement in many), "the snapshots were read to be listed"
