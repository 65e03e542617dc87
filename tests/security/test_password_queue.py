"""A flood of sign-ins never queues without end: when too many password checks already wait, a sign-in,
sign-up or re-entered password is refused at once with a calm 503 and Retry-After. Nothing changes, and
the refusal counts as no try: it spends no one's budget and locks no one out."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.people import PASSWORD, Browser
from tests.security.test_sign_in_limits import DAN, NEW_PASSWORD, limited, sign_in  # noqa: F401
from tests.security.test_web_security import limiter_clock  # noqa: F401

BUSY_WORDS = "Many people are signing in right now. Please try again in a moment."


@pytest.fixture
def crowded(monkeypatch):
    """crowded(): every hashing thread is taken and two checks wait (a bound of 2 is then reached);
    crowded.clear(): the queue is empty again."""
    import workers

    class Crowd:
        def __call__(self):
            monkeypatch.setitem(workers._pending, workers.PASSWORDS, workers.THREADS + 2)

        def clear(self):
            monkeypatch.setitem(workers._pending, workers.PASSWORDS, 0)

    return Crowd()


def busy_app(limited):  # noqa: F811
    return limited(PASSWORD_QUEUE_MAX=2, SIGNUP_LIMIT_PER_ADDRESS="2 per minute")


def assert_busy(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert BUSY_WORDS in response.get_data(as_text=True)


def test_the_bound_counts_only_what_waits_beyond_the_running_threads(crowded):
    import workers

    crowded.clear()
    assert workers.waiting(workers.PASSWORDS) == 0
    crowded()
    assert workers.waiting(workers.PASSWORDS) == 2
    with pytest.raises(workers.Busy):
        workers.off_loop(lambda: "hashed", queue=workers.PASSWORDS, most_waiting=2)
    assert workers.off_loop(lambda: "hashed", queue=workers.PASSWORDS, most_waiting=3) == "hashed"
    assert workers.waiting(workers.PASSWORDS) == 2  # the job that ran is counted out again


def test_a_sign_in_while_too_many_wait_is_refused_calmly_and_spends_no_budget(limited, limiter_clock, crowded):  # noqa: F811
    app = busy_app(limited)
    crowded()
    browser = Browser(app.test_client())
    for _ in range(8):  # more than the per-address (3) and per-account (2) budgets
        response = browser.post("/login", {"email": DAN, "password": PASSWORD}, page="/login",
                                environ_base={"REMOTE_ADDR": "192.0.2.1"})
        assert_busy(response)
    assert browser.get("/account").status_code == 302  # not signed in
    crowded.clear()
    # Neither the address's budget nor Dan's was touched: two wrong guesses are still allowed, then his own
    # password still works from a browser he signed in on.
    assert [sign_in(browser, address="192.0.2.1") for _ in range(2)] == [400, 400]
    assert sign_in(Browser(app.test_client()), password=PASSWORD, address="192.0.2.1") == 429  # now spent
    limiter_clock.advance(61)
    assert sign_in(browser, password=PASSWORD, address="192.0.2.1") == 302


def test_a_sign_up_while_too_many_wait_makes_no_account_and_spends_no_budget(limited, limiter_clock, crowded):  # noqa: F811
    from couples.models import User
    from extensions import db

    app = busy_app(limited)
    crowded()
    browser = Browser(app.test_client())
    form = {"email": "erin@example.org", "display_name": "Erin Castillo", "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD, "time_zone": "UTC"}
    for _ in range(4):  # twice the sign-up budget of 2 a minute
        assert_busy(browser.post("/signup", form, page="/signup", environ_base={"REMOTE_ADDR": "192.0.2.2"}))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "erin@example.org")) == 0
    crowded.clear()
    assert browser.post("/signup", form, page="/signup", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 302


def test_a_re_entered_password_while_too_many_wait_changes_nothing(limited, limiter_clock, crowded):  # noqa: F811
    from couples.models import user_by_email

    app = busy_app(limited)
    browser = Browser(app.test_client())
    assert sign_in(browser, password=PASSWORD) == 302
    crowded()
    for _ in range(3):  # more than the budget of wrong re-entered passwords (2)
        assert_busy(browser.post("/account/password", {"pw-current": PASSWORD, "pw-password": NEW_PASSWORD,
                                                       "pw-confirm": NEW_PASSWORD}, page="/account"))
        assert_busy(browser.post("/account/delete", {"del-password": PASSWORD, "del-confirm": "y"}, page="/account"))
        assert_busy(browser.post("/my-data", {"password": PASSWORD}, page="/my-data"))
    crowded.clear()
    with app.app_context():
        dan = user_by_email(DAN)
        assert dan is not None and dan.is_active
    assert browser.get("/account").status_code == 200  # still signed in, the account is whole
    response = browser.post("/account/password", {"pw-current": PASSWORD, "pw-password": NEW_PASSWORD,
                                                  "pw-confirm": NEW_PASSWORD}, page="/account")
    assert response.status_code == 302  # no budget of re-entered passwords was spent
