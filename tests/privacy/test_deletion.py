"""Deleting an account erases its private data everywhere; what was shared stays, as "former partner"."""
from sqlalchemy import String, Text, inspect, select, text

from extensions import db
from privacy import reflection
from privacy.models import SharedPassage
from tests.conftest import PASSWORD

MARKERS = ("alice-private-marker-91ad", "alice-private-marker-c37e")
SHARED = "alice-shared-words-40b1"


def scan(needles):
    """Every (table, column) of the live schema holding any needle, found by reading every text column."""
    found = []
    schema = inspect(db.engine)
    for table in schema.get_table_names():
        for column in schema.get_columns(table):
            if not isinstance(column["type"], (String, Text)):
                continue
            for needle in needles:
                hit = db.session.execute(
                    text(f'SELECT 1 FROM "{table}" WHERE "{column["name"]}" LIKE :needle LIMIT 1'),
                    {"needle": f"%{needle}%"},
                ).first()
                if hit:
                    found.append((table, column["name"], needle))
    return found


def test_deleting_an_account_leaves_no_private_data_in_any_table(linked_couple, client, login, app):
    couple, alice, bob = linked_couple()
    email, password_hash = alice.email, alice.password_hash
    entry = reflection.write(alice, "hurt_them", f"First {MARKERS[0]}")
    reflection.write(alice, "pattern", f"Second {MARKERS[1]}")
    reflection.share_passage(alice, entry.public_id, f"Shared {SHARED}")
    assert {needle for _, _, needle in scan(MARKERS)} == set(MARKERS)  # the scan does find them

    response = login(client, alice).post("/account/delete", {"del-password": PASSWORD, "del-confirm": "y"},
                                         page="/account")
    assert response.status_code == 302

    db.session.expire_all()
    assert scan((*MARKERS, email, password_hash, "Alice Moreau")) == []
    assert scan((SHARED,)) == [("shared_passage", "body", SHARED)]
    passage = db.session.scalar(select(SharedPassage))
    assert passage.author.name == "former partner"
    archive = login(app.test_client(), bob).get(f"/archive/{couple.id}").get_data(as_text=True)
    assert SHARED in archive and "former partner shared" in archive


def test_shared_passages_stay_with_the_partner_as_former_partner(linked_couple, client, login, app):
    couple, alice, bob = linked_couple()
    entry = reflection.write(alice, "differently", "private text")
    reflection.share_passage(alice, entry.public_id, f"Shared {SHARED}")
    bob_browser = login(app.test_client(), bob)
    assert "Alice Moreau shared" in bob_browser.get("/passages").get_data(as_text=True)
    login(client, alice).post("/account/delete", {"del-password": PASSWORD, "del-confirm": "y"}, page="/account")
    db.session.expire_all()
    assert [p.body for p in reflection.passages_in(couple)] == [f"Shared {SHARED}"]
    assert reflection.passage_view(reflection.passages_in(couple)[0])["author"] == "former partner"
