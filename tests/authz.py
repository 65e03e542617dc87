"""The authorization matrix's vocabulary: a Case per route and method, and the World it runs in.

Each feature lists its routes in tests/<feature>/authz_cases.py as `CASES` (a list of Case) and may give a
`seed(world)` that creates the feature's objects in a world before it is handed to the test. Roles:
- anonymous: not signed in, aimed at the linked couple's objects;
- member: Alice, a current partner of the linked couple (Alice and Bob);
- other: Carol, a partner in another linked couple (Carol and Dan), aimed at Alice and Bob's objects;
- former: Erin, whose couple with Frank is unlinked, aimed at that archived couple's objects;
- deleted: Grace, who was Hank's partner and deleted her account (couples/accounts.py) after signing a client
  in; that client keeps its old cookie and aims at the couple's objects. Unless a Case says otherwise, she gets
  exactly what an anonymous person gets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ROLES = ("anonymous", "member", "other", "former", "deleted")


@dataclass
class World:
    """The people and couples of one matrix run; `ids` holds what features seed, per couple."""

    couple: object  # the couple the role is aimed at
    me: object | None  # the signed-in person (None for anonymous)
    partner: object | None
    ids: dict = field(default_factory=dict)


@dataclass
class Case:
    """One route and method, how to call it, and the expected status for each role."""

    endpoint: str
    method: str
    url: Callable[[World], str]
    expect: dict[str, int | tuple[int, ...]]
    data: Callable[[World], dict] = lambda world: {}

    def expected(self, role: str) -> tuple[int, ...]:
        """The statuses accepted for a role."""
        value = self.expect.get(role, self.expect["anonymous"]) if role == "deleted" else self.expect[role]
        return value if isinstance(value, tuple) else (value,)


def build_worlds(linked_couple, modules) -> dict[str, World]:
    """Alice and Bob, Carol and Dan (linked), Erin and Frank (unlinked), Grace and Hank (linked; Grace is deleted
    by the test, see delete_account), each feature's objects seeded; returns a World per role."""
    from couples import linking

    couples = {name: linked_couple(*people) for name, people in {
        "ab": ("Alice Moreau", "Bob Lindqvist"), "cd": ("Carol Nguyen", "Dan Okafor"),
        "ef": ("Erin Castillo", "Frank Adeyemi"), "gh": ("Grace Holm", "Hank Silva")}.items()}
    seeded = {}
    for couple, a, b in couples.values():
        seeded[couple.id] = World(couple, a, b)
        for module in modules:
            if hasattr(module, "seed"):
                module.seed(seeded[couple.id])
    ef, erin, frank = couples["ef"]
    linking.unlink(ef, frank)
    (ab, alice, bob), (_, carol, dan), (gh, grace, hank) = couples["ab"], couples["cd"], couples["gh"]
    made = {
        "member": World(ab, alice, bob),
        "other": World(ab, carol, dan),
        "former": World(ef, erin, frank),
        "anonymous": World(ab, None, None),
        "deleted": World(gh, grace, hank),
    }
    for world in made.values():
        world.ids = seeded[world.couple.id].ids
    return made


def delete_account(world: World) -> str:
    """Delete the world's person through the real account deletion; return the e-mail address they had.

    Her sockets are deliberately not closed here (the route does that): a handler must refuse on its own."""
    from couples import accounts
    from tests.conftest import PASSWORD

    email = world.me.email
    accounts.delete_account(world.me, PASSWORD)
    return email


def fingerprint(skip: tuple[str, ...] = ()) -> dict[str, list]:
    """Every row of every table (but those in skip), read on a connection of its own: equal means unchanged."""
    from sqlalchemy import inspect, text

    from extensions import db

    with db.engine.connect() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t not in skip]
        return {t: sorted(map(repr, connection.execute(text(f'SELECT * FROM "{t}"')))) for t in tables}


def changed_tables(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ between two fingerprints."""
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


# Outcomes of a socket case for a role.
ACCEPTED = "accepted"  # connect: the socket is open
OK = "ok"  # an event: acknowledged {"ok": true, ...}; disconnect: done
REFUSED = "refused"  # connect refused; an event answered {"ok": false, "error": {...}} and nothing changed
CLOSED = "closed"  # the role cannot open this namespace at all, so it cannot send the event


@dataclass
class SocketCase:
    """One Socket.IO event of one namespace (connect and disconnect included), how to send it, what each role gets.

    `args(world)` are the event's arguments, aimed at the world's couple's objects; `before(send, world)` runs
    on the open socket first (e.g. join the document), while the person still has the access they had."""

    namespace: str
    event: str
    expect: dict[str, str]
    args: Callable[[World], tuple] = lambda world: ()
    before: Callable[[Callable, World], object] | None = None
    label: str = ""

    @property
    def name(self) -> str:
        return f"{self.namespace} {self.event}{' ' + self.label if self.label else ''}"
