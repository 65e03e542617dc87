"""Socket matrix entries for /agreements: joining a document and y-protocols messages about it."""
from tests.authz import ACCEPTED, CLOSED, OK, REFUSED, SocketCase

SIGNED_IN = {"anonymous": REFUSED, "member": ACCEPTED, "other": ACCEPTED, "former": ACCEPTED, "deleted": REFUSED}
READ = {"anonymous": CLOSED, "member": OK, "other": REFUSED, "former": OK, "deleted": REFUSED}
WRITE = {**READ, "former": REFUSED}


def _doc(world):
    return world.ids["agreement_doc"]


def join(send, world):
    """Join the world's document first (refused for people who may not)."""
    return send("join", {"doc": _doc(world)})


def step1(world):
    from pycrdt import Doc, create_sync_message

    return _doc(world), create_sync_message(Doc())


def update(world):
    """A real, valid edit of the seeded agreement: what a member's browser would send."""
    from agreements.shape import find_item
    from agreements.sync import update_message
    from tests.agreements.conftest import stored_doc

    doc = stored_doc(_doc(world))
    state = doc.get_state()
    find_item(doc, world.ids["agreement_item"])["text"].insert(0, "And also: ")
    return _doc(world), update_message(doc.get_update(state))


def awareness(world):
    from agreements.sync import Presence, awareness_message

    state = {"user": {"name": "someone", "color": "#a0c"}, "cursor": None}
    return _doc(world), awareness_message([Presence(4711, 1, state)])


CASES = [
    SocketCase("/agreements", "connect", SIGNED_IN),
    SocketCase("/agreements", "disconnect", {**READ, "other": OK, "deleted": OK}, before=join),
    SocketCase("/agreements", "join", READ, args=lambda w: ({"doc": _doc(w)},)),
    # Leaving only lets go of this socket's own room: allowed to whoever had joined, even after deletion.
    SocketCase("/agreements", "leave", {**READ, "deleted": OK}, args=lambda w: ({"doc": _doc(w)},), before=join),
    SocketCase("/agreements", "yjs", READ, args=step1, before=join, label="sync step 1"),
    SocketCase("/agreements", "yjs", WRITE, args=update, before=join, label="update"),
    SocketCase("/agreements", "yjs", WRITE, args=awareness, before=join, label="awareness"),
]
