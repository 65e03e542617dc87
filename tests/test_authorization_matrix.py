"""Every route × {anonymous, member, member of another couple, former partner} answers as listed.

A route that exists without an entry in some tests/<feature>/authz_cases.py fails the suite.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import tests
from tests.authz import ROLES, World

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
def worlds(app, linked_couple, make_user):
    """Alice and Bob (linked), Carol and Dan (linked), Erin and Frank (unlinked), each feature's objects seeded."""
    from couples import linking

    ab, alice, bob = linked_couple("Alice Moreau", "Bob Lindqvist")
    cd, carol, dan = linked_couple("Carol Nguyen", "Dan Okafor")
    ef, erin, frank = linked_couple("Erin Castillo", "Frank Adeyemi")
    made = {
        "member": World(ab, alice, bob),
        "other": World(ab, carol, dan),
        "former": World(ef, erin, frank),
        "anonymous": World(ab, None, None),
    }
    seeded = {}
    for couple, a, b in ((ab, alice, bob), (cd, carol, dan), (ef, erin, frank)):
        seeded[couple.id] = World(couple, a, b)
        for module in MODULES:
            if hasattr(module, "seed"):
                module.seed(seeded[couple.id])
    linking.unlink(ef, frank)
    for world in made.values():
        world.ids = seeded[world.couple.id].ids
    return made


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.endpoint}")
def test_route_answers_as_listed(case, role, worlds, client, login):
    """The route gives the listed status to the role, and never a server error."""
    world = worlds[role]
    browser = login(client, world.me) if world.me else None
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
        f"{case.method} {url} as {role}: {response.status_code}, expected {case.expect[role]}"
    )
