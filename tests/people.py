"""The tests' people: one way to make a person and a linked couple, one browser that signs in through the form.

Every test that needs a couple gets it from `new_couple` (the `linked_couple` fixture, the real-server worlds,
the browser tests' `linked_partners`), under whatever app context it runs in. Every HTTP sign-in goes through
`Browser`, over a Flask test client or a real server's URL; the browser tests sign in through the same form with
Chromium.
"""
from __future__ import annotations

import itertools
import re

import requests

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def email_of(name: str, tag: str | None = None) -> str:
    """An invented address for a person: the first name and a tag (a new number when none is given)."""
    tag = str(next(_numbers)) if tag is None else tag
    return f"{name.split()[0].lower()}{tag}@example.org"


def new_person(name: str = "Alice Moreau", email: str | None = None, password: str = PASSWORD):
    """A new account, made through the accounts service (needs an app context)."""
    from couples import accounts

    return accounts.sign_up(email or email_of(name), name, password)


def new_couple(a: str = "Alice Moreau", b: str = "Bob Lindqvist", tag: str | None = None):
    """(couple, first partner, second partner): two new people, linked the way the pages link them (the first
    invites, the second joins). With a tag, their emails are first name + tag (tag "" gives maya@example.org)."""
    from couples import linking

    first, second = new_person(a, email_of(a, tag)), new_person(b, email_of(b, tag))
    couple = linking.join(linking.invite(first), second)
    return couple, first, second


def csrf_from(html: str) -> str:
    """The CSRF token of the first form (or the meta tag) in a page."""
    match = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


class Browser:
    """A person's browser: its own cookies, posting forms with the CSRF token of the page they are on.

    Browser(app.test_client()) talks to the test's app; Browser(url=server.url) to a real server process (a
    requests session: redirects are not followed, and every request has a timeout).
    """

    def __init__(self, client=None, url: str | None = None):
        self.remote = url is not None
        self.url = url or ""
        self.client = requests.Session() if self.remote else client

    def _options(self, kwargs: dict) -> dict:
        if self.remote:
            kwargs.setdefault("timeout", 10)
            kwargs.setdefault("allow_redirects", False)
        return kwargs

    def get(self, path: str, **kwargs):
        return self.client.get(self.url + path, **self._options(kwargs))

    def token(self, page: str = "/") -> str:
        return csrf_from(self.get(page).text)

    def post(self, path: str, data=None, page: str = "/", **kwargs):
        """POST with a valid CSRF token taken from `page`."""
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.token(page)
        return self.client.post(self.url + path, data=data, **self._options(kwargs))

    def sign_in(self, email: str, password: str = PASSWORD):
        """Sign in through the login form; the answer (302 when it worked)."""
        return self.post("/login", {"email": email, "password": password}, page="/login")

    @property
    def cookie(self) -> str:
        """The Cookie header a socket opened by this browser (on a real server) sends."""
        return "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)


def signed_in(email: str, password: str = PASSWORD, client=None, url: str | None = None) -> Browser:
    """A Browser (over client, or on the server at url) signed in as email; fails the test if it was refused."""
    browser = Browser(client, url)
    answer = browser.sign_in(email, password)
    assert answer.status_code == 302, answer.text[:500]
    return browser
