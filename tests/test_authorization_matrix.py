"""Every route × {anonymous, member, member of another couple, former partner, deleted account} answers as listed.

A route that exists without an entry in some tests/<feature>/authz_cases.py fails the suite.
"""
from __future__ import annotations

import importlib
import io
from pathlib import Path
import pkgutil
import re

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
            from tests.people import Browser
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
    from tests.people import PASSWORD, Browser

    world = worlds["deleted"]
    login(client, world.me)
    email = delete_account(world)
    assert client.get("/account").status_code == 302  # the old cookie is signed out
    response = Browser(client).post("/login", {"email": email, "password": PASSWORD}, page="/login")
    assert response.status_code != 302 and "/account" not in response.headers.get("Location", "")
    assert accounts.authenticate(email, PASSWORD) is None
    assert world.me.email is None and world.me.password_hash is None


# Bad input of every shape: each route is tried with it, and none answers with a server error.
HUGE_IDS = (2**63, 2**64, 10**40)
_PATH_ID = re.compile(r"(?<=/)\d+(?=/|$|\.|\?)")
_QUERY_ID = re.compile(r"(?<==)\d+")


def with_huge_ids(url: str, huge: int) -> list[str]:
    """The URL with each number in its path or query replaced by `huge`, one at a time."""
    path, mark, query = url.partition("?")
    found = [(m, "path") for m in _PATH_ID.finditer(path)] + [(m, "query") for m in _QUERY_ID.finditer(query)]
    variants = []
    for match, part in found:
        text = path if part == "path" else query
        changed = text[:match.start()] + str(huge) + text[match.end():]
        variants.append(changed + mark + query if part == "path" else path + mark + changed)
    return variants


def _send(client, case, url, data, files=()):
    """Send a case's request (with a CSRF token for any POST), files as multipart uploads."""
    if case.method == "GET":
        return client.get(url)
    from tests.people import Browser
    form = {**data, "csrf_token": Browser(client).token("/login" if not data.get("_signed_in") else "/")}
    form.pop("_signed_in", None)
    for name in files:
        form[name] = (io.BytesIO(b"not a form field"), "note.txt")
    return client.open(url, method=case.method, data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.endpoint}")
def test_an_id_too_large_for_the_database_is_not_found(case, huge, worlds, client, login):
    """Every id in a route (path or query) of 2^63 and beyond is simply not found: a 404 that changes nothing."""
    world = worlds["member"]
    browser = login(client, world.me)
    url = case.url(world)
    for huge_url in with_huge_ids(url, huge) or [url]:
        before = fingerprint(skip=("login_session",))
        if case.method == "GET":
            response = client.get(huge_url)
        else:
            data = {**case.data(world), "csrf_token": browser.token()}
            response = client.open(huge_url, method=case.method, data=data)
        if huge_url == url:  # no id in this route: it still answers as listed
            assert response.status_code in case.expected("member")
        else:
            assert response.status_code == 404, f"{case.method} {huge_url}: {response.status_code}"
            assert not changed_tables(before, fingerprint(skip=("login_session",)))


def _form_fields() -> set[str]:
    """The name of every field of every form of the app."""
    from flask_wtf import FlaskForm

    def forms(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from forms(sub)

    names = set()
    for form in forms(FlaskForm):
        names |= {name for name, value in vars(form).items() if hasattr(value, "field_class")}
    return names - {"csrf_token"}


POSTS = [case for case in CASES if case.method != "GET"]


@pytest.mark.parametrize("role", ("anonymous", "member"))
@pytest.mark.parametrize("case", POSTS, ids=lambda c: f"{c.method} {c.endpoint}")
def test_a_file_sent_in_a_text_field_is_refused_calmly(case, role, worlds, client, login, app):
    """A file upload in any field (every form field at once, or each of the case's fields in turn) gets a calm
    answer, never a server error."""
    with app.test_request_context():
        fields = _form_fields()
    world = worlds[role]
    if world.me:
        login(client, world.me)
    data = dict(case.data(world))
    if world.me:
        data["_signed_in"] = True
    attempts = [(dict(_signed_in=True) if world.me else {}, fields)] + [(data, (name,)) for name in case.data(world)]
    for form, files in attempts:
        form = {k: v for k, v in form.items() if k not in files}
        response = _send(client, case, case.url(world), form, files)
        assert response.status_code < 500, f"{case.method} {case.endpoint} with files in {sorted(files)} as {role}"
        if world.me and response.status_code == 302 and "/login" in response.headers.get("Location", ""):
            login(client, world.me)  # a logout or password change signed the person out: sign in again


WRONG_JSON = ([], ["item", "text"], "sign", 7, True, None, {"item": ["x"], "text": {"a": 1}}, {"item": 7, "text": None})


@pytest.mark.parametrize("case", POSTS, ids=lambda c: f"{c.method} {c.endpoint}")
def test_a_json_body_of_the_wrong_type_is_refused_calmly(case, worlds, client, login):
    """A JSON body that is a list, a string, a number, null, or an object of the wrong value types gets a calm
    answer (a refusal, or the same as an empty form), never a server error."""
    world = worlds["member"]
    browser = login(client, world.me)
    for body in WRONG_JSON:
        response = client.open(case.url(world), method=case.method, json=body,
                               headers={"X-CSRFToken": browser.token()})
        assert response.status_code < 500, f"{case.method} {case.endpoint} with {body!r}"
        if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
            browser = login(client, world.me)  # a logout signed the person out: sign in again
