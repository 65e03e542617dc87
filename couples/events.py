"""The /couple Socket.IO namespace: presence of the partner, and the couple's room for live events."""
from flask_socketio import emit, join_room

from couples.access import current_couple
from couples.linking import pending_couple
from couples.limits import LimitedNamespace
from couples.live import couple_room, disconnect_sockets, is_connected, socket_user, track_socket, untrack_socket
from extensions import socketio

NAMESPACE = "/couple"


def presence_for(viewer, partner) -> bool:
    """Whether the viewer may see the partner as here now: both share presence and the partner is connected."""
    return bool(partner and viewer.share_presence and partner.share_presence and is_connected(partner.id, NAMESPACE))


def announce_unlinked(couple) -> None:
    """Tell both partners' open pages that the couple is now an archive, then close all the couple's sockets."""
    socketio.emit("unlinked", {}, to=couple_room(couple.id), namespace=NAMESPACE)
    disconnect_sockets(couple_id=couple.id)


class CoupleNamespace(LimitedNamespace):
    """Joins a signed-in partner to their couple's room and tells the partner they are here."""

    def on_connect(self, auth=None):
        """Refuse anonymous sockets; put a linked partner in the couple's room and announce them."""
        user = socket_user()
        if user is None:
            return False
        couple = current_couple(user) or pending_couple(user)
        track_socket(user, NAMESPACE, couple.id if couple else None)
        if couple is None:
            return True
        room = couple_room(couple.id)
        join_room(room)  # while pending too, so the inviter hears when the partner joins
        if not couple.is_linked:
            return True
        partner = couple.partner_of(user)
        emit("presence", {"here": presence_for(user, partner)})
        if user.share_presence:
            emit("presence", {"here": True}, to=room, include_self=False)
        return True

    def on_disconnect(self, reason=None):
        """Forget the socket; tell the partner when the last tab of this person closes."""
        untrack_socket(NAMESPACE)
        user = socket_user()
        if user is None:
            return
        couple = current_couple(user)
        if couple and not is_connected(user.id, NAMESPACE):
            emit("presence", {"here": False}, to=couple_room(couple.id), include_self=False)
