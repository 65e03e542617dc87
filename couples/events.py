"""The /couple Socket.IO namespace: presence of the partner, and the couple's room for live events."""
from flask_socketio import emit, join_room

from couples.access import current_couple
from couples.linking import pending_couple
from live.namespace import refuse_connect, signed_out
from live.rate import LimitedNamespace
from live.sockets import announce, couple_room, disconnect_sockets, socket_user, track_socket, untrack_socket
from privacy.presence import NAMESPACE, partner_here
from privacy.space import may_hear_the_couple, settle


def announce_unlinked(couple) -> None:
    """Tell both partners' open pages that the couple is now an archive, then close all the couple's sockets."""
    announce(couple.id, "unlinked", {})
    disconnect_sockets(couple_id=couple.id)


class CoupleNamespace(LimitedNamespace):
    """Joins a signed-in partner to their couple's room and tells their page whether the partner is here.

    Arrivals and departures (on any namespace) are told by privacy.presence.
    """

    def on_connect(self, auth=None):
        """Refuse anonymous sockets; put a linked partner in the couple's room."""
        user = socket_user()
        if user is None:
            refuse_connect(signed_out())
        couple = current_couple(user) or pending_couple(user)
        track_socket(user, NAMESPACE, couple.id if couple else None)
        if couple is None:
            return True
        if couple.is_linked:
            settle(user)  # a space whose time passed while its timer was lost ends now, and is told
        if may_hear_the_couple(user):  # nothing of the partner's is pushed to someone in space
            join_room(couple_room(couple.id))  # while pending too, so the inviter hears when the partner joins
        if not couple.is_linked:
            return True
        emit("presence", {"here": partner_here(user, couple.partner_of(user))})
        return True

    def on_disconnect(self, reason=None):
        """Forget the socket."""
        untrack_socket(NAMESPACE)
