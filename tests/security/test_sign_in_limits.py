"""Signing in: no bypass of the limits, no locking the owner out, nothing that tells whether an address
has an account."""
from __future__ import annotations

import shutil

from argon2 import PasswordHasher
import pytest

from tests.conftest import TEST_SETTINGS
from tests.people import PASSWORD, Browser
from tests.security.test_web_security import limiter_clock  # noqa: F401

DAN = "dan@example.org"
NEW_PASSWORD = "a quiet walk by the river"


@pytest.fixture
def limited(migrated_db, tmp_path):
    """limited(**config): an app with rate limits on (2 wrong passwords a minute per account, 3 failed
    sign-ins a minute per address unless overridden) and Dan's account."""
    from app import create_app
    from couples import accounts
    from extensions import db

    apps = []

    def make(**config):
        path = tmp_path / f"limited-{len(apps)}.sqlite"
        shutil.copy(migrated_db, path)
        app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "RATELIMIT_ENABLED": True,
                          "LOGIN_LIMIT_PER_ACCOUNT": "2 per minute", "LOGIN_LIMIT_PER_ADDRESS": "3 per minute",
                          **config})
        with app.app_context():
            accounts.sign_up(DAN, "Dan Okafor", PASSWORD)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def sign_in(browser: Browser, email: str = DAN, password: str = "wrong guess", address: str = "192.0.2.1",
            **headers) -> int:
    """Post the sign-in form from a network address; return the status (302: signed in)."""
    return browser.post("/login", {"email": email, "password": password}, page="/login",
                        environ_base={"REMOTE_ADDR": address}, headers=headers).status_code


def sign_out(browser: Browser) -> None:
    assert browser.post("/logout").status_code == 302


def test_full_width_variants_of_an_address_share_one_limit(limited, limiter_clock):  # noqa: F811
    browser = Browser(limited().test_client())
    variants = ["dan@ｅｘａｍｐｌｅ.org", "dan@exａmple.org", "dan@examｐle.org", "dan@example.ｏrg"]
    tries = [sign_in(browser, email, address=f"192.0.2.{n}") for n, email in enumerate(variants, 1)]
    assert tries == [400, 400, 429, 429]  # every variant reaches Dan's account, and spends its one budget


def test_the_owner_with_a_device_cookie_still_signs_in_while_someone_hammers_her_address(limited, limiter_clock):  # noqa: F811
    app = limited()
    dan = Browser(app.test_client())
    assert sign_in(dan, password=PASSWORD, address="192.0.2.1") == 302  # this browser is now known to be Dan's
    sign_out(dan)
    # Someone who knows the address guesses from elsewhere and from the same home network.
    attacker = Browser(app.test_client())
    hammering = [sign_in(attacker, address=address) for address in ["198.51.100.7"] * 5 + ["192.0.2.1"] * 5]
    assert hammering[:2] == [400, 400] and set(hammering[2:]) == {429}
    assert sign_in(dan, password=PASSWORD, address="192.0.2.1") == 302


def test_a_known_browser_has_its_own_budget_of_wrong_passwords(limited, limiter_clock):  # noqa: F811
    app = limited()
    dan = Browser(app.test_client())
    assert sign_in(dan, password=PASSWORD) == 302
    sign_out(dan)
    assert [sign_in(dan) for _ in range(3)] == [400, 400, 429]  # a stolen device cookie is no free pass
    assert sign_in(Browser(app.test_client()), address="198.51.100.7") == 400  # others' budget is untouched


def test_successful_sign_ins_do_not_count_toward_the_limit(limited, limiter_clock):  # noqa: F811
    app = limited()
    for _ in range(6):  # quick exits and signing in again, each time from a browser with no device cookie
        browser = Browser(app.test_client())
        assert sign_in(browser, password=PASSWORD) == 302
        sign_out(browser)
    stranger = Browser(app.test_client())
    assert [sign_in(stranger) for _ in range(3)] == [400, 400, 429]  # the whole budget was still there


@pytest.mark.parametrize("form", ["change password", "delete account", "my data"])
def test_forty_wrong_passwords_when_re_entering_it_are_refused_after_the_limit(limited, limiter_clock, form):  # noqa: F811
    from couples import accounts
    from extensions import db

    app = limited(LOGIN_LIMIT_PER_ADDRESS="100 per minute")
    dan = Browser(app.test_client())
    assert sign_in(dan, password=PASSWORD) == 302
    url, fields = {
        "change password": ("/account/password", lambda p: {"pw-current": p, "pw-password": NEW_PASSWORD,
                                                             "pw-confirm": NEW_PASSWORD}),
        "delete account": ("/account/delete", lambda p: {"del-password": p, "del-confirm": "y"}),
        "my data": ("/my-data", lambda p: {"password": p}),
    }[form]
    page = "/my-data" if form == "my data" else "/account"
    answers = [dan.post(url, fields(f"wrong guess {n}"), page=page) for n in range(40)]
    assert [a.status_code for a in answers[:2]] == [400, 400]
    refused = answers[2:]
    assert all(a.status_code in (400, 429) and "Too many" in a.get_data(as_text=True)
               for a in refused)
    # Even the right password now waits, and nothing was changed.
    assert dan.post(url, fields(PASSWORD), page=page).status_code in (400, 429)
    with app.app_context():
        dan_now = accounts.account_for(DAN)
        assert dan_now is not None and accounts.authenticate(DAN, PASSWORD) is not None
        db.session.remove()


class Argon2Count:
    """Counts the argon2 hashes and verifications made."""

    def __init__(self, monkeypatch):
        self.calls = 0
        for name in ("hash", "verify"):
            real = getattr(PasswordHasher, name)
            monkeypatch.setattr(PasswordHasher, name, self._counting(real))

    def _counting(self, real):
        def counted(hasher, *args, **kwargs):
            self.calls += 1
            return real(hasher, *args, **kwargs)
        return counted

    def during(self, work) -> int:
        before = self.calls
        work()
        return self.calls - before


def test_an_unknown_address_costs_the_same_argon2_work_as_a_wrong_password(app, make_user, monkeypatch):
    from couples import accounts

    dan = make_user("Dan Okafor", DAN)
    accounts.authenticate("nobody@example.org", "wrong guess")  # whatever is made once is made now
    count = Argon2Count(monkeypatch)
    unknown = [count.during(lambda: accounts.authenticate(f"nobody{n}@example.org", "wrong guess")) for n in range(3)]
    wrong = [count.during(lambda: accounts.authenticate(dan.email, "wrong guess")) for _ in range(3)]
    overlong = count.during(lambda: accounts.authenticate(dan.email, "x" * 500))
    assert unknown == wrong == [1, 1, 1]
    assert overlong == 1


@pytest.mark.parametrize("proxies, separate", [(0, False), (1, True)])
def test_a_forwarded_address_counts_only_behind_configured_proxies(limited, limiter_clock, proxies, separate):  # noqa: F811
    browser = Browser(limited(TRUSTED_PROXIES=proxies).test_client())
    # Four people behind one load balancer (10.0.0.1), each failing once with an address of no account.
    tries = [sign_in(browser, f"guess{n}@example.org", address="10.0.0.1", **{"X-Forwarded-For": f"203.0.113.{n}"})
             for n in range(4)]
    assert tries == ([400] * 4 if separate else [400, 400, 400, 429])


def test_asking_sign_up_about_a_taken_address_spends_that_accounts_budget(limited, limiter_clock):  # noqa: F811
    app = limited()
    asker = Browser(app.test_client())
    variants = ["dan@ｅｘａｍｐｌｅ.org", "dan@exａmple.org", "dan@examｐle.org"]
    answers = [asker.post("/signup", {"email": email, "display_name": "Sam Ortiz", "password": NEW_PASSWORD,
                                      "confirm": NEW_PASSWORD}, page="/signup",
                          environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})
               for n, email in enumerate(variants, 1)]
    assert all("already exists" in a.get_data(as_text=True) for a in answers[:2])
    assert answers[2].status_code == 429
    # Like two wrong passwords: a browser Dan never used must now wait.
    assert sign_in(Browser(app.test_client()), password=PASSWORD, address="198.51.100.7") == 429
