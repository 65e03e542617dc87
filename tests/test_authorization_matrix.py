"""Every route × {anonymous, member, member of another couple, former partner, deleted account} answers as listed.

A route that exists without an entry in some tests/<feature>/authz_cases.py fails the suite.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import tests
from tests.authz import ROLES, build_worlds, changed_tables, delete_account, fingerprint

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _feature_modules():
    """Every tests/<feature>/authz_cases.py module."""
    root = Path(tests.__file__).parent
    for info in pkgutil.iter_modules([str(root)]):
        if info.ispkg and (root / info.name / "authz_cases.py").exists():
            yield importlib.import_module(f"tests.{info.name}.authz_cases")


MODULES = list(_feature_modules())
CASES = [case for module in MODULES for case in module.CASES]


def test_every_route_has_a_case(app):
    """Adding a route without saying who may use it fails here."""
    listed = {(case.endpoint, case.method) for case in CASES}
    missing = sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) & HTTP_METHODS
        if (rule.endpoint, method) not in listed
    )
    assert not missing, f"routes without an authorization case: {missing}"


def test_every_case_names_a_real_route(app):
    """A case for a route that no longer exists is a stale promise."""
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods or ()}
    stale = [(case.endpoint, case.method) for case in CASES if (case.endpoint, case.method) not in routes]
    assert not stale


@pytest.fixture
def worlds(app, linked_couple):
    """A World per role, each feature's objects seeded (see tests.authz.build_worlds)."""
    return build_worlds(linked_couple, MODULES)


SEEN_BY_MEMBERS_ONLY = ("We take a break when a fight gets too hot.", "Good-morning message", "We both go quiet.")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.endpoint}")
def test_route_answers_as_listed(case, role, worlds, client, login):
    """The route gives the listed status to the role, and never a server error.

    Signed-out people (anonymous, and a deleted account's old cookie) read and write nothing: the database is
    unchanged and the page shows nothing of the couple."""
    world = worlds[role]
    browser = login(client, world.me) if world.me else None
    if role == "deleted":
        delete_account(world)
        browser = None  # the old cookie is still sent; it must count for nothing
    outsider = browser is None
    before = fingerprint() if outsider else None
    url = case.url(world)
    if case.method == "GET":
        response = client.get(url)
    else:
        data = dict(case.data(world))
        if browser:
            data.setdefault("csrf_token", browser.token())
        else:
            from tests.conftest import Browser
            data.setdefault("csrf_token", Browser(client).token("/login"))
        response = client.open(url, method=case.method, data=data)
    assert response.status_code in case.expected(role), (
        f"{case.method} {url} as {role}: {response.status_code}, expected {case.expected(role)}"
    )
    if outsider:
        assert not changed_tables(before, fingerprint()), f"{case.method} {url} as {role} wrote"
        page = response.get_data(as_text=True)
        secrets = SEEN_BY_MEMBERS_ONLY + tuple(p.display_name for p in (world.partner,) if p)
        assert not [s for s in secrets if s in page], f"{case.method} {url} as {role} showed the couple's data"


def test_a_deleted_account_cannot_sign_in_again(worlds, client, login):
    """The tombstone keeps no e-mail or password: the old credentials fail, on the form and in the service."""
    from couples import accounts
    from tests.conftest import PASSWORD, Browser

    world = worlds["deleted"]
    login(client, world.me)
    email = delete_account(world)
    assert client.get("/account").status_code == 302  # the old cookie is signed out
    response = Browser(client).post("/login", {"email": email, "password": PASSWORD}, page="/login")
    assert response.status_code != 302 and "/account" not in response.headers.get("Location", "")
    assert accounts.authenticate(email, PASSWORD) is None
    assert world.me.email is None and world.me.password_hash is None
