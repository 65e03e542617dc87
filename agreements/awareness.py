"""Presence in a document (y-protocols awareness) as relayed: only a name, a colour and a caret.

Whether presence flows at all between two partners is privacy.presence's rule; this is what a
connection's own entries may say once it does.
"""
from __future__ import annotations

from agreements import sync


def own_presence(name: str, entries: list[sync.Presence], mine: dict[int, sync.Presence],
                 others: set[int]) -> list[sync.Presence]:
    """One connection's presence entries as relayed: only name (the one the server knows), colour and caret.

    Refuses an entry for a client id another connection announced; notes the cleaned entries in mine.
    """
    cleaned = []
    for entry in entries:
        if entry.client_id in others:
            raise sync.Malformed("Presence of someone else cannot be changed.")
        state = entry.state
        if state is not None:
            colour = (state.get("user") or {}).get("color", "")
            state = {**state, "user": {"name": name, "color": colour if sync.COLOUR.fullmatch(colour) else ""}}
        cleaned.append(sync.Presence(entry.client_id, entry.clock, state))
    for entry in cleaned:
        mine[entry.client_id] = entry
    return cleaned
