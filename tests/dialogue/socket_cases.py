"""Socket matrix entries for /dialogue: taking a step and "writing..." in the couple's open dialogue."""
from tests.authz import ACCEPTED, CLOSED, OK, REFUSED, SocketCase

# Only linked partners may open /dialogue: the former partner cannot, so cannot send anything either.
LINKED = {"anonymous": REFUSED, "member": ACCEPTED, "other": ACCEPTED, "former": REFUSED, "deleted": REFUSED}
PARTNERS = {"anonymous": CLOSED, "member": OK, "other": REFUSED, "former": CLOSED, "deleted": REFUSED}

CASES = [
    SocketCase("/dialogue", "connect", LINKED),
    SocketCase("/dialogue", "disconnect", {**PARTNERS, "other": OK, "deleted": OK}),
    # The seeded open dialogue is at turn 4, "checking": either partner may pause it.
    SocketCase("/dialogue", "act", PARTNERS,
               args=lambda w: ({"dialogue_id": w.ids["dialogue_open"], "action": "pause", "index": 4, "text": None},)),
    SocketCase("/dialogue", "writing", PARTNERS, args=lambda w: ({"dialogue_id": w.ids["dialogue_open"]},)),
]
