"""Private things are named in pages and URLs by random public ids, never by their row numbers: a partner's own
new entries must not tell them how many the other wrote in between."""
from __future__ import annotations

import re

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from privacy import reflection
from tests.conftest import ROOT, TEST_SETTINGS


def _entry_ids(page: str) -> list[str]:
    return re.findall(r'href="/reflection/([^"/]+)"', page)


def _looks_random(public_id: str) -> bool:
    return len(public_id) >= 16 and not public_id.isdigit()


def test_entry_urls_do_not_count_what_the_partner_wrote(linked_couple, login, client):
    _, alice, bob = linked_couple()
    first = reflection.write(alice, "pattern", "We both go quiet.")
    for n in range(3):
        reflection.write(bob, "hurt_me", f"Bob's entry {n}")
    second = reflection.write(alice, "open", "I was scared.")
    ids = _entry_ids(login(client, alice).get("/reflection").get_data(as_text=True))
    assert len(ids) == 2 and all(_looks_random(i) for i in ids)
    assert str(first.id) not in ids and str(second.id) not in ids
    assert client.get(f"/reflection/{first.id}").status_code == 404  # the row number opens nothing
    assert client.get(f"/reflection/{ids[0]}").status_code == 200


def test_shared_passages_are_named_by_random_ids(linked_couple, login, client):
    _, alice, bob = linked_couple()
    entry = reflection.write(alice, "pattern", "We both go quiet.")
    passage = reflection.share_passage(alice, entry.public_id, "We both go quiet.")
    page = login(client, bob).get("/passages").get_data(as_text=True)
    shown = re.findall(r'data-passage="([^"]+)"', page)
    assert shown == [passage.public_id] and _looks_random(shown[0])
    assert reflection.passage_view(passage)["id"] == passage.public_id  # the live event says the same


def test_the_sessions_page_names_each_session_without_its_secret(make_user, login, client):
    alice = make_user()
    browser = login(client, alice)
    with client.session_transaction() as session:
        secret = session["login_session"]
    page = browser.get("/sessions").get_data(as_text=True)
    ends = re.findall(r'action="/sessions/([^"/]+)/end"', page)
    assert ends and all(_looks_random(i) for i in ends)
    assert secret not in page


def test_the_migration_gives_every_existing_row_its_own_public_id(tmp_path):
    from app import create_app

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
    migrations = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=migrations, revision="0003_ledger")
        engine = create_engine(url)
        with engine.begin() as db:
            db.execute(text("INSERT INTO user (id, email, display_name, password_hash, time_zone, share_presence, "
                            "created_at) VALUES (1, 'maya@example.org', 'Maya', 'x', 'UTC', 1, '2026-03-02')"))
            db.execute(text("INSERT INTO couple (id, status, created_at) VALUES (1, 'linked', '2026-03-02')"))
            for n in range(3):
                db.execute(text("INSERT INTO reflection (author_id, prompt, body, created_at, updated_at) "
                                "VALUES (1, 'open', :body, '2026-03-02', '2026-03-02')"), {"body": f"entry {n}"})
                db.execute(text("INSERT INTO shared_passage (couple_id, author_id, body, created_at) "
                                "VALUES (1, 1, :body, '2026-03-02')"), {"body": f"passage {n}"})
                db.execute(text("INSERT INTO login_session (id, user_id, created_at, last_seen_at, user_agent) "
                                "VALUES (:id, 1, '2026-03-02', '2026-03-02', '')"), {"id": f"secret-{n}"})
        upgrade(directory=migrations, revision="0007_holes")
        with engine.connect() as db:
            for table in ("reflection", "shared_passage", "login_session"):
                ids = [row[0] for row in db.execute(text(f"SELECT public_id FROM {table}"))]
                assert len(ids) == 3 and len(set(ids)) == 3 and all(_looks_random(i) for i in ids), table
        engine.dispose()
        from extensions import db as app_db
        app_db.engine.dispose()
