"""My data: a zip of JSON and Markdown of everything of mine, nothing private of my partner's."""
import io
import json
import zipfile

from hypothesis import given, settings, strategies as st
import pytest
from sqlalchemy import select

from couples.models import User
from extensions import db
from privacy import mydata, reflection
from privacy.models import Reflection
from tests.conftest import PASSWORD

BOB_SECRET = "bob-private-marker-5f2c"


@pytest.fixture
def couple_with_writing(linked_couple, clock):
    couple, alice, bob = linked_couple()
    first = reflection.write(alice, "hurt_them", "I forgot the anniversary.")
    clock.advance(minutes=5)
    reflection.write(alice, "why_here", "Love, I think.\nMostly.")
    reflection.share_passage(alice, first.public_id, "I am sorry about the anniversary.")
    secret = reflection.write(bob, "hurt_me", f"Something only Bob knows {BOB_SECRET}.")
    reflection.share_passage(bob, secret.public_id, "Bob's chosen words.")
    return couple, alice, bob


def download(browser, password=PASSWORD):
    return browser.post("/my-data", {"password": password}, page="/my-data")


def unzip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_export_matches_the_database(couple_with_writing, client, login):
    _, alice, _ = couple_with_writing
    response = download(login(client, alice))
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    files = unzip(response)
    account = json.loads(files["my-data/account.json"])
    user = db.session.get(User, alice.id)
    assert account == {"email": user.email, "display_name": user.display_name, "time_zone": user.time_zone,
                       "share_presence": user.share_presence}
    rows = db.session.scalars(select(Reflection).where(Reflection.author_id == alice.id)).all()
    exported = json.loads(files["my-data/reflections.json"])
    assert sorted(e["text"] for e in exported) == sorted(r.body for r in rows)
    assert {e["written_at"] for e in exported} == {r.created_at.isoformat() for r in rows}
    passages = json.loads(files["my-data/shared_passages.json"])
    assert sorted((p["from"], p["text"]) for p in passages) == [
        ("Bob Lindqvist", "Bob's chosen words."), ("me", "I am sorry about the anniversary.")]
    markdown = files["my-data/my-data.md"]
    assert "I forgot the anniversary." in markdown and "What I did that may have hurt them" in markdown


def test_export_holds_nothing_private_of_the_partner(couple_with_writing, client, login):
    _, alice, _ = couple_with_writing
    blob = "".join(unzip(download(login(client, alice))).values())
    assert BOB_SECRET not in blob
    assert "Something only Bob knows" not in blob


def test_export_needs_the_password(couple_with_writing, client, login):
    _, alice, _ = couple_with_writing
    response = download(login(client, alice), password="not my password")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "password is not right" in response.get_data(as_text=True)


def test_export_needs_a_csrf_token(couple_with_writing, client, login):
    _, alice, _ = couple_with_writing
    browser = login(client, alice)
    response = client.post("/my-data", data={"password": PASSWORD})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert download(browser).status_code == 200


def test_export_asks_features_for_their_part(couple_with_writing, monkeypatch):
    _, alice, _ = couple_with_writing
    monkeypatch.setattr(mydata, "feature_exporters",
                        lambda: {"ledger": lambda user: {"promises": [{"text": f"walk with {user.display_name}"}]}})
    data = mydata.collect(alice)
    assert data["ledger"] == {"promises": [{"text": "walk with Alice Moreau"}]}
    assert "walk with Alice Moreau" in mydata.to_markdown(data)


def test_every_feature_that_keeps_words_hands_over_its_part(app):
    """Each feature registers its part as it is imported: the download holds all four, in the same order each time."""
    from agreements import export
    from apology import service as apology
    from dialogue import service as dialogue
    from ledger import service as ledger

    assert mydata.feature_exporters() == {"agreements": export.export_for_user, "apology": apology.export_for_user,
                                          "dialogue": dialogue.export_for_user, "ledger": ledger.export_for_user}


_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.text(min_size=1, max_size=30))
_data = st.recursive(
    _leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(alphabet="abcdefgh_", min_size=1, max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(alphabet="abcdefgh_", min_size=1, max_size=8), _data, max_size=4))
def test_markdown_export_keeps_every_written_word(data):
    markdown = mydata.to_markdown(data)
    json.dumps(data, default=mydata._json_default)  # the JSON side accepts the same data
    texts = []

    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                leaves(item)
        elif isinstance(value, list):
            for item in value:
                leaves(item)
        elif isinstance(value, str):
            texts.append(value)

    leaves(data)
    for text in texts:
        for line in text.strip().splitlines():
            assert line.strip() in markdown
