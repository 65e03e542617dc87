"""Ids in URLs: what a database id can be, and the random public ids of private things."""
from __future__ import annotations

import secrets

from werkzeug.routing import IntegerConverter

ID_MAX = 2**63 - 1  # the largest id a database column can hold; anything beyond is simply not found


def database_id(value) -> int | None:
    """The id a query-string value names, or None when it cannot be one (not a number, negative, too large)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
        return number if number <= ID_MAX else None
    return None


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: a number a database can hold; a larger one does not match, so it is a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = ID_MAX,
                 signed: bool = False):
        super().__init__(map, fixed_digits, min, max, signed)


def public_id() -> str:
    """A new random id for a private object's URL: it says nothing about how many others exist."""
    return secrets.token_urlsafe(16)
