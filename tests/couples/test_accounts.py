"""Accounts: sign-up rules, passwords, sessions, deletion."""
import pytest
from sqlalchemy import select

from couples import accounts, linking
from couples.errors import Conflict, Invalid
from couples.models import LoginSession, User
from extensions import db
from tests.conftest import PASSWORD


def test_email_is_normalised_and_unique(make_user):
    user = make_user("Alice Moreau", email="  Alice.Moreau@Example.ORG ")
    assert user.email == "alice.moreau@example.org"
    with pytest.raises(Conflict):
        accounts.sign_up("ALICE.MOREAU@example.org", "Another Alice", PASSWORD)


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "@example.org", "a b@example.org"])
def test_bad_email_is_refused(app, email):
    with pytest.raises(Invalid):
        accounts.sign_up(email, "Alice Moreau", PASSWORD)


@pytest.mark.parametrize("password, code", [
    ("short", "password_short"),
    ("x" * 129, "password_long"),
    ("password", "password_common"),
    ("iloveyou", "password_common"),
    ("Sunshine1", "password_common"),
])
def test_weak_passwords_are_refused_with_a_reason(app, password, code):
    with pytest.raises(Invalid) as caught:
        accounts.sign_up("carol@example.org", "Carol Nguyen", password)
    assert caught.value.code == code
    assert db.session.scalar(select(User).where(User.email == "carol@example.org")) is None


def test_password_of_128_characters_is_accepted(app):
    user = accounts.sign_up("dan@example.org", "Dan Okafor", "w" * 127 + "!")
    assert accounts.authenticate("dan@example.org", "w" * 127 + "!") == user


def test_passwords_are_hashed_with_argon2id(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_authenticate_accepts_only_the_right_password(make_user):
    user = make_user(email="alice@example.org")
    assert accounts.authenticate("ALICE@example.org", PASSWORD) == user
    assert accounts.authenticate("alice@example.org", "wrong password") is None
    assert accounts.authenticate("nobody@example.org", PASSWORD) is None
    assert accounts.authenticate("not an email", PASSWORD) is None


def test_change_password_ends_the_other_sessions(make_user):
    user = make_user()
    here, there = accounts.start_session(user), accounts.start_session(user)
    ended = accounts.change_password(user, PASSWORD, "a new long passphrase", keep_session=here.id)
    assert ended == [there.id]
    assert accounts.live_session(here.id) is not None
    assert accounts.live_session(there.id) is None
    assert accounts.authenticate(user.email, "a new long passphrase") == user


def test_change_password_needs_the_current_one(make_user):
    user = make_user()
    with pytest.raises(Invalid):
        accounts.change_password(user, "not it at all", "a new long passphrase", keep_session=None)
    assert accounts.authenticate(user.email, PASSWORD) == user


def test_idle_session_ends_after_the_timeout(app, make_user, clock):
    user = make_user()
    login = accounts.start_session(user)
    clock.advance(seconds=app.config["IDLE_TIMEOUT"] - 10)
    assert accounts.live_session(login.id) is not None  # activity moves the idle window
    clock.advance(seconds=app.config["IDLE_TIMEOUT"] + 1)
    assert accounts.live_session(login.id) is None
    assert db.session.get(LoginSession, login.id).ended_at is not None


def test_delete_account_leaves_a_nameless_tombstone_and_ends_sessions(linked_couple):
    couple, alice, bob = linked_couple()
    login = accounts.start_session(alice)
    accounts.delete_account(alice, PASSWORD)
    assert alice.email is None and alice.password_hash is None and alice.name == "former partner"
    assert accounts.live_session(login.id) is None
    assert couple.status == "unlinked"
    assert couple.partner_of(bob).name == "former partner"
    assert accounts.authenticate("alice@example.org", PASSWORD) is None


def test_delete_account_needs_the_password(make_user):
    user = make_user()
    with pytest.raises(Invalid):
        accounts.delete_account(user, "wrong")
    assert user.deleted_at is None


def test_deleted_email_can_sign_up_again(make_user):
    user = make_user(email="erin@example.org")
    accounts.delete_account(user, PASSWORD)
    again = accounts.sign_up("erin@example.org", "Erin Castillo", PASSWORD)
    assert again.id != user.id


def test_account_deleting_signal_reaches_features(make_user):
    user = make_user()
    seen = []

    def erase(sender):
        seen.append(sender.id)

    accounts.account_deleting.connect(erase)
    try:
        accounts.delete_account(user, PASSWORD)
    finally:
        accounts.account_deleting.disconnect(erase)
    assert seen == [user.id]


def test_pending_couple_closes_when_its_creator_is_deleted(make_user):
    user = make_user()
    invitation = linking.invite(user)
    accounts.delete_account(user, PASSWORD)
    assert invitation.cancelled_at is not None


@pytest.mark.parametrize("name, code", [
    ("Sam\u202eevil", "name_characters"),  # right-to-left override
    ("\u2067Maya\u2069", "name_characters"),  # an isolate
    ("Maya\u200e", "name_characters"),  # a left-to-right mark
    ("Sam\x07", "name_characters"),
    ("Sam\x1b[31m", "name_characters"),
    ("Sam\x00", "name_characters"),
    ("\u200b\u200b", "name_characters"),
    ("\u3164", "name_invisible"),  # a Hangul filler: a letter that draws nothing
    ("\u2800 \u2800", "name_invisible"),
    ("\u200d", "name_invisible"),
    ("former partner", "name_reserved"),
    ("Former  Partner", "name_reserved"),
    ("A former partner", "name_reserved"),
    ("YOU", "name_reserved"),
    ("You.", "name_reserved"),
    ("your partner", "name_reserved"),
    ("Ｙｏｕ", "name_reserved"),  # full-width letters read the same
])
def test_display_names_that_hide_or_mislead_are_refused(make_user, name, code):
    """Names that reorder the text around them, draw nothing, or read as the interface's own words are refused,
    at sign-up and when the name is changed."""
    with pytest.raises(Invalid) as refused:
        accounts.sign_up("maya@example.org", name, PASSWORD)
    assert refused.value.code == code
    user = make_user("Maya Patel")
    with pytest.raises(Invalid) as refused:
        accounts.update_profile(user, name, "UTC")
    assert refused.value.code == code
    db.session.refresh(user)
    assert user.display_name == "Maya Patel"


@pytest.mark.parametrize("name", ["Zoë", "محمد", "Sam O'Neil", "José-María", "李小龙", "Mehr\u200cnaz", "Youssef",
                                  "Partnership Pat"])
def test_ordinary_names_of_any_script_are_accepted(app, name):
    assert accounts.sign_up("maya@example.org", name, PASSWORD).display_name == name


def test_a_hidden_character_in_the_sign_up_form_is_a_calm_refusal(client):
    from tests.people import Browser

    response = Browser(client).post("/signup", {"email": "maya@example.org", "display_name": "Maya\u202e",
                                                "password": PASSWORD, "confirm": PASSWORD}, page="/signup")
    assert response.status_code == 400
    assert "hidden or control character" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "maya@example.org")) is None
