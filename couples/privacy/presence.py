"""Presence sharing: whether a partner shows as "here now" (and typing) to the other."""
from sqlalchemy import select

from couples.access import current_couple
from couples.events import NAMESPACE, presence_for
from couples.models import LiveSocket, User
from extensions import db, socketio


def set_sharing(user: User, share: bool) -> None:
    """Turn presence sharing on or off, and update both partners' open pages at once."""
    user.share_presence = bool(share)
    db.session.commit()
    couple = current_couple(user)
    partner = couple.partner_of(user) if couple else None
    if partner is None:
        return
    # Sharing is mutual: each page is told whether its viewer may now see the other.
    for viewer, other in ((partner, user), (user, partner)):
        _tell(viewer, {"here": presence_for(viewer, other)})


def _tell(viewer: User, payload: dict) -> None:
    sids = db.session.scalars(
        select(LiveSocket.sid).where(LiveSocket.user_id == viewer.id, LiveSocket.namespace == NAMESPACE)
    )
    for sid in list(sids):
        socketio.emit("presence", payload, to=sid, namespace=NAMESPACE)


def presence_flows(user: User, partner: User | None) -> bool:
    """Whether presence (here now, carets, typing) may flow between these two partners: only while both share it."""
    return partner is not None and user.share_presence and partner.share_presence
