"""The authorization matrix's vocabulary: a Case per route and method, and the World it runs in.

Each feature lists its routes in tests/<feature>/authz_cases.py as `CASES` (a list of Case) and may give a
`seed(world)` that creates the feature's objects in a world before it is handed to the test. Roles:
- anonymous: not signed in, aimed at the linked couple's objects;
- member: Alice, a current partner of the linked couple (Alice and Bob);
- other: Carol, a partner in another linked couple (Carol and Dan), aimed at Alice and Bob's objects;
- former: Erin, whose couple with Frank is unlinked, aimed at that archived couple's objects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ROLES = ("anonymous", "member", "other", "former")


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
        value = self.expect[role]
        return value if isinstance(value, tuple) else (value,)
