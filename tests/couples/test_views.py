"""Request tests for accounts, linking and the home page, through the real forms."""
import re

import pytest

from app import create_app
from couples import linking
from couples.models import Couple, Invitation, LoginSession, User
from extensions import db
from tests.conftest import TEST_SETTINGS
from tests.people import PASSWORD, Browser


def signup(client, email="alice@example.org", name="Alice Moreau", password=PASSWORD, confirm=None):
    """Fill in the sign-up form."""
    return Browser(client).post("/signup", {
        "email": email, "display_name": name, "password": password, "confirm": confirm or password,
        "time_zone": "Europe/Paris"}, page="/signup")


def test_sign_up_signs_in_and_keeps_the_time_zone(client):
    response = signup(client)
    assert response.status_code == 302
    assert "Link with your partner" in client.get("/").get_data(as_text=True)
    user = db.session.scalar(db.select(User).where(User.email == "alice@example.org"))
    assert user.time_zone == "Europe/Paris"


def test_sign_up_with_a_common_password_says_why(client):
    response = signup(client, password="password123")
    assert response.status_code == 400
    assert "most common" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User)) is None


def test_sign_up_with_mismatched_passwords_is_refused(client):
    response = signup(client, confirm="something else entirely")
    assert response.status_code == 400
    assert "differ" in response.get_data(as_text=True)


def test_sign_up_with_an_unknown_time_zone_falls_back_to_utc(client):
    Browser(client).post("/signup", {"email": "bob@example.org", "display_name": "Bob", "password": PASSWORD,
                                     "confirm": PASSWORD, "time_zone": "Mars/Olympus"}, page="/signup")
    assert db.session.scalar(db.select(User)).time_zone == "UTC"


def test_login_gives_a_new_session_each_time(client, make_user, login):
    user = make_user()
    login(client, user)
    with client.session_transaction() as session:
        first = session["login_session"]
    Browser(client).post("/logout")
    login(client, user)
    with client.session_transaction() as session:
        second = session["login_session"]
    assert first != second
    assert db.session.get(LoginSession, first).ended_at is not None


def test_wrong_password_is_refused_without_saying_which_part(client, make_user):
    user = make_user()
    response = Browser(client).post("/login", {"email": user.email, "password": "not the password"}, page="/login")
    assert response.status_code == 400
    assert "match an account" in response.get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/account", "/account"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_login_only_follows_local_next_links(client, make_user, target, expected):
    user = make_user()
    response = Browser(client).post(f"/login?next={target}", {"email": user.email, "password": PASSWORD},
                                    page="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_post_without_csrf_token_is_refused(client, make_user, login):
    login(client, make_user())
    response = client.post("/invite")
    assert response.status_code == 400
    assert db.session.scalar(db.select(Invitation)) is None


def test_invite_and_join_by_code_through_the_pages(app, make_user, login):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    alice_browser, bob_browser = login(app.test_client(), alice), login(app.test_client(), bob)
    assert alice_browser.post("/invite").status_code == 302
    page = alice_browser.get("/").get_data(as_text=True)
    invitation = db.session.scalar(db.select(Invitation))
    assert linking.format_code(invitation.code) in page
    confirm = bob_browser.post("/join", {"code": invitation.code.lower()})
    assert confirm.status_code == 200 and "Link with Alice Moreau?" in confirm.get_data(as_text=True)
    assert bob_browser.post("/join/confirm", {"code": invitation.code}).status_code == 302
    home = bob_browser.get("/").get_data(as_text=True)
    assert "You and Alice Moreau" in home


def test_join_by_link_asks_to_confirm_first(app, make_user, login):
    alice, bob = make_user("Alice Moreau"), make_user("Bob Lindqvist")
    invitation = linking.invite(alice)
    bob_browser = login(app.test_client(), bob)
    page = bob_browser.get(f"/join/{invitation.token}")
    assert page.status_code == 200
    db.session.expire_all()
    assert db.session.get(Couple, invitation.couple_id).status == "pending"
    assert bob_browser.post("/join/confirm", {"token": invitation.token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Couple, invitation.couple_id).status == "linked"


def test_invitation_link_sends_anonymous_people_to_sign_in_first(client, make_user):
    invitation = linking.invite(make_user())
    response = client.get(f"/join/{invitation.token}")
    assert response.status_code == 302 and "next=" in response.headers["Location"]


@pytest.mark.parametrize("setup, message, status", [
    ("expired", "has expired", 400),
    ("cancelled", "was cancelled", 400),
    ("used", "already been used", 400),
    ("own", "your own invitation", 400),
])
def test_each_refused_invitation_has_its_own_message(app, make_user, login, clock, setup, message, status):
    alice, bob, carol = make_user("Alice Moreau"), make_user("Bob Lindqvist"), make_user("Carol Nguyen")
    invitation = linking.invite(alice)
    joiner = alice if setup == "own" else bob
    if setup == "expired":
        clock.advance(hours=73)
    elif setup == "cancelled":
        linking.cancel_invitation(alice)
    elif setup == "used":
        linking.join(invitation, carol)
    browser = login(app.test_client(), joiner)
    response = browser.post("/join", {"code": invitation.code})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_unknown_code_and_already_linked_have_their_messages(app, linked_couple, make_user, login):
    _, alice, bob = linked_couple()
    browser = login(app.test_client(), bob)
    unknown = browser.post("/join", {"code": "ACDE FGHJ"})
    assert unknown.status_code == 404 and "find an invitation" in unknown.get_data(as_text=True)
    invitation = linking.invite(make_user("Carol Nguyen"))
    linked = browser.post("/join", {"code": invitation.code})
    assert linked.status_code == 409 and "already linked" in linked.get_data(as_text=True)


def test_unlink_needs_the_confirmation_box(app, linked_couple, login):
    couple, alice, bob = linked_couple()
    browser = login(app.test_client(), alice)
    assert browser.post("/unlink", {}, page="/unlink").status_code == 400
    db.session.expire_all()
    assert db.session.get(Couple, couple.id).is_linked
    assert browser.post("/unlink", {"confirm": "y"}, page="/unlink").status_code == 302
    db.session.expire_all()
    assert db.session.get(Couple, couple.id).status == "unlinked"
    assert "Archives" in browser.get("/").get_data(as_text=True)
    assert browser.get(f"/archive/{couple.id}").status_code == 200


def test_delete_account_through_the_page(app, linked_couple, login):
    couple, alice, bob = linked_couple()
    browser = login(app.test_client(), alice)
    refused = browser.post("/account/delete", {"del-password": "wrong password", "del-confirm": "y"}, page="/account")
    assert refused.status_code == 400
    done = browser.post("/account/delete", {"del-password": PASSWORD, "del-confirm": "y"}, page="/account")
    assert done.status_code == 302
    assert browser.get("/account").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, alice.id).name == "former partner"
    bob_home = login(app.test_client(), bob).get(f"/archive/{couple.id}").get_data(as_text=True)
    assert "former partner" in bob_home


def test_every_page_sends_the_security_headers(client, make_user, login):
    login(client, make_user())
    for path in ("/", "/account", "/safety", "/join", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    user = make_user()
    response = Browser(client).post("/login", {"email": user.email, "password": PASSWORD}, page="/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookie_is_secure_and_host_prefixed(migrated_db, tmp_path, monkeypatch):
    import config

    monkeypatch.setattr(config.Config, "PRODUCTION", True)
    app = create_app({**TEST_SETTINGS, "PRODUCTION": True, "SESSION_COOKIE_SECURE": True,
                      "SESSION_COOKIE_NAME": "__Host-session", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{migrated_db}"})
    response = app.test_client().get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie


def test_login_is_throttled_per_account(migrated_db, tmp_path, make_user):
    import shutil

    path = tmp_path / "limited.sqlite"
    shutil.copy(migrated_db, path)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "RATELIMIT_ENABLED": True,
                      "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute", "LOGIN_LIMIT_PER_ADDRESS": "100 per minute"})
    with app.app_context():
        from couples import accounts

        accounts.sign_up("dan@example.org", "Dan Okafor", PASSWORD)
    browser = Browser(app.test_client())
    statuses = [browser.post("/login", {"email": "dan@example.org", "password": "wrong guess"}, page="/login").status_code
                for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    other = browser.post("/login", {"email": "erin@example.org", "password": "wrong guess"}, page="/login")
    assert other.status_code == 400  # another account is not affected


def test_oversized_request_body_is_refused(client):
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_profile_changes_name_and_time_zone(client, make_user, login):
    user = make_user()
    browser = login(client, user)
    response = browser.post("/account/profile", {"me-display_name": "  Alice  M. ", "me-time_zone": "America/Chicago"},
                            page="/account")
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.display_name, user.time_zone) == ("Alice M.", "America/Chicago")


def test_profile_refuses_an_unknown_time_zone(client, make_user, login):
    user = make_user()
    browser = login(client, user)
    response = browser.post("/account/profile", {"me-display_name": "Alice", "me-time_zone": "Nowhere/Else"},
                            page="/account")
    assert response.status_code == 400
    db.session.expire_all()
    assert user.time_zone == "UTC"


def test_profile_refuses_zones_that_are_no_place(client, make_user, login):
    user = make_user()
    browser = login(client, user)
    for raw in ("Factory", "Etc/GMT+5", "localtime", "US/Eastern"):
        response = browser.post("/account/profile", {"me-display_name": "Alice", "me-time_zone": raw},
                                page="/account")
        assert response.status_code == 400, raw
    db.session.expire_all()
    assert user.time_zone == "UTC"


def test_time_zone_choice_is_region_then_city_with_common_places_first(client, make_user, login):
    browser = login(client, make_user())
    page = browser.get("/account").get_data(as_text=True)
    groups = re.findall(r'<optgroup label="([^"]+)"', page)
    assert groups[:3] == ["Common", "Africa", "The Americas"] and "Europe" in groups
    assert '<option value="Pacific/Auckland">Auckland, New Zealand</option>' in page
    assert '<option value="America/Argentina/Buenos_Aires">Buenos Aires (Argentina)</option>' in page
    for raw in ("Factory", "Etc/GMT+5", "localtime", "US/Eastern"):
        assert f'value="{raw}"' not in page
