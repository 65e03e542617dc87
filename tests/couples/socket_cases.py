"""Socket matrix entries for /couple: presence of the partner in the couple's room."""
from tests.authz import ACCEPTED, CLOSED, OK, REFUSED, SocketCase

# A former partner and a person of another couple may open /couple (it shows their own state), never this room.
CASES = [
    SocketCase("/couple", "connect", {"anonymous": REFUSED, "member": ACCEPTED, "other": ACCEPTED,
                                      "former": ACCEPTED, "deleted": REFUSED}),
    SocketCase("/couple", "disconnect", {"anonymous": CLOSED, "member": OK, "other": OK, "former": OK,
                                         "deleted": OK}),
]
