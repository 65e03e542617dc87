"""Every Socket.IO event of every namespace × {anonymous, member, member of another couple, former partner,
deleted account} answers as listed, and nobody but a member reads or writes anything of the couple (a former
partner reads the archive, as on the pages).

The events are read from the running app (each registered namespace's `on_*` handlers, and connect); an event
without an entry in some tests/<feature>/socket_cases.py fails the suite. For everyone but the member, the test
asserts: the listed refusal, no room traffic reaching the couple's partner, nothing of the couple sent to the
asker, and every table unchanged (the connection bookkeeping in live_socket aside).

A deleted account is tried twice: connecting with the old cookie (refused), and on a socket opened while she was
still a member that nothing closed (unlinking closes the couple's sockets at once; here that is muted, as if the
close were lost): from the next check of its login session (at most SOCKET_RECHECK_SECONDS later) every handler
must refuse on its own.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import tests
from couples.linking import couple_unlinked
from extensions import socketio
from tests.authz import (ACCEPTED, CLOSED, OK, REFUSED, ROLES, build_worlds, changed_tables, delete_account,
                         fingerprint)
from tests.test_authorization_matrix import MODULES as HTTP_MODULES

BOOKKEEPING = ("live_socket",)  # which sockets are open: written on connect for anyone signed in


def _feature_modules():
    """Every tests/<feature>/socket_cases.py module."""
    root = Path(tests.__file__).parent
    for info in pkgutil.iter_modules([str(root)]):
        if info.ispkg and (root / info.name / "socket_cases.py").exists():
            yield importlib.import_module(f"tests.{info.name}.socket_cases")


CASES = [case for module in _feature_modules() for case in module.CASES]


def registered_events() -> set[tuple[str, str]]:
    """(namespace, event) for connect and every `on_*` handler of every namespace registered on the server."""
    events = set()
    for namespace, handler in socketio.server.namespace_handlers.items():
        events.add((namespace, "connect"))
        events |= {(namespace, name[3:]) for name in dir(handler) if name.startswith("on_")}
    return events


def test_every_socket_event_has_a_case(app):
    """Adding a namespace or an event handler without saying who may use it fails here."""
    listed = {(case.namespace, case.event) for case in CASES}
    missing = sorted(registered_events() - listed)
    assert not missing, f"socket events without an authorization case: {missing}"
    assert {"/couple", "/agreements", "/dialogue"} <= {namespace for namespace, _ in registered_events()}


def test_every_case_names_a_real_event(app):
    """A case for an event that no longer exists is a stale promise."""
    stale = [case.name for case in CASES if (case.namespace, case.event) not in registered_events()]
    assert not stale


def test_every_case_lists_every_role():
    assert [case.name for case in CASES if set(case.expect) != set(ROLES)] == []


@pytest.fixture
def worlds(app, linked_couple):
    return build_worlds(linked_couple, HTTP_MODULES)


class Person:
    """A signed-in (or anonymous) browser and its sockets."""

    def __init__(self, app, login, socket_client, user):
        self.flask = app.test_client()
        self.socket_client = socket_client
        if user is not None:
            login(self.flask, user)

    def open(self, namespace: str):
        """A socket on the namespace, or None when the connection is refused."""
        socket = self.socket_client(namespace, self.flask)
        return socket if socket.is_connected(namespace) else None


def _watch(person: Person, case, world):
    """The couple's partner, listening on the namespace (and in the document's room) if they may."""
    socket = person.open(case.namespace)
    if socket is not None and case.namespace == "/agreements":
        socket.emit("join", {"doc": world.ids["agreement_doc"]}, callback=True, namespace=case.namespace)
    return socket


def _received(socket, namespace) -> list[dict]:
    return socket.get_received(namespace) if socket is not None and socket.is_connected(namespace) else []


def _observer(worlds, role):
    """A member of the couple the role aims at, other than the asker."""
    return worlds["member"].partner if role in ("member", "other", "anonymous") else worlds[role].partner


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_socket_event_answers_as_listed(case, role, worlds, app, clock, login, socket_client):
    world, namespace = worlds[role], case.namespace
    watcher = _watch(Person(app, login, socket_client, _observer(worlds, role)), case, world)
    asker = Person(app, login, socket_client, world.me)
    socket, answer = None, None
    if case.event == "connect":
        if role == "deleted":
            delete_account(world)
        _received(watcher, namespace)
        before = fingerprint(BOOKKEEPING)
        socket = asker.open(namespace)
        outcome = ACCEPTED if socket else REFUSED
    else:
        socket = asker.open(namespace)
        if socket is None:
            _received(watcher, namespace)
            outcome, before = CLOSED, fingerprint(BOOKKEEPING)
        else:
            def send(event, *args):
                return socket.emit(event, *args, callback=True, namespace=namespace)

            if case.before:
                case.before(send, world)
            if role == "deleted":
                with couple_unlinked.muted():  # her sockets stay open, as if their closing were lost...
                    delete_account(world)
                clock.advance(seconds=app.config["SOCKET_RECHECK_SECONDS"] + 1)  # ...until the session is re-read
            _received(socket, namespace)
            _received(watcher, namespace)
            before = fingerprint(BOOKKEEPING)
            if case.event == "disconnect":
                socket.disconnect(namespace=namespace)
                outcome = OK
            else:
                answer = send(case.event, *case.args(world))
                assert isinstance(answer, dict), f"{case.name} as {role}: no acknowledgement ({answer!r})"
                outcome = OK if answer.get("ok") is True else REFUSED
    assert outcome == case.expect[role], f"{case.name} as {role}: {outcome} ({answer}), expected {case.expect[role]}"
    if role == "member":
        return
    if outcome == REFUSED and answer is not None:
        assert answer["ok"] is False and answer["error"]["code"], answer
    assert not changed_tables(before, fingerprint(BOOKKEEPING)), f"{case.name} as {role} wrote"
    heard = _received(watcher, namespace)
    assert heard == [], f"{case.name} as {role} reached the couple's room: {heard}"
    if outcome == OK:  # a former partner reading the archive, or anyone letting go of their own socket
        return
    allowed = {"error", "presence"} if case.event == "connect" else {"error"}  # presence: of their own partner
    told = [message for message in _received(socket, namespace) if message["name"] not in allowed]
    assert told == [], f"{case.name} as {role} was sent the couple's data: {told}"
