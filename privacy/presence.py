"""Presence: whether a partner is here now, and the one rule for when it may reach the other partner.

Presence is everything that tells one partner about the other's being in the app: "here now", arrivals
and departures, "... is writing", carets and awareness on a document. It flows only while
presence_flows says so, in both directions, on every channel; when it stops, what the partner's open
pages already hold is withdrawn at once (the `withdrawn` signal lets each channel forget its part).

Here means signed in with at least one socket open, on any namespace, or having closed the last one
less than PRESENCE_GRACE_SECONDS ago: moving from page to page never shows as leaving.
"""
from __future__ import annotations

import logging

from blinker import Namespace as Signals
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from couples.access import current_couple
from couples.models import LiveSocket, User
from extensions import db, socketio
from live.sockets import COUPLE_NAMESPACE, PresenceRule, follow_presence, is_connected
from privacy.models import space_of

log = logging.getLogger(__name__)

NAMESPACE = COUPLE_NAMESPACE  # where pages hear "here now"

_signals = Signals()
# Sent with the couple id when presence stops flowing between its partners; receivers get user_ids=(a, b)
# and withdraw from each partner's pages whatever of the other they still show.
withdrawn = _signals.signal("presence-withdrawn")


def presence_flows(user: User | None, partner: User | None, in_space: set[int] | None = None) -> bool:
    """Whether presence, typing indicators, carets and arrivals/departures flow between these two partners now.

    True only while both share their presence and neither is in space. The same answer in both directions.
    `in_space`, when given, is users_in_space() of (at least) these two, read once for many pairs.
    """
    if user is None or partner is None or user.id == partner.id:
        return False
    if not (user.share_presence and partner.share_presence):
        return False
    if in_space is not None:
        return user.id not in in_space and partner.id not in in_space
    return space_of(user) is None and space_of(partner) is None


def partner_of(user: User) -> User | None:
    """The user's linked partner, or None."""
    couple = current_couple(user)
    return couple.partner_of(user) if couple else None


def is_here(user: User) -> bool:
    """Whether the user is in the app now: a socket open on any namespace, or the last one closed within the grace."""
    return user.id in _departing() or is_connected(user.id)


def partner_here(viewer: User, partner: User | None) -> bool:
    """What the viewer's pages show: the partner is here now, and presence flows between them."""
    return presence_flows(viewer, partner) and is_here(partner)


def set_sharing(user: User, share: bool) -> None:
    """Turn presence sharing on or off, and update both partners' open pages at once."""
    partner = partner_of(user)
    before = presence_flows(user, partner)
    user.share_presence = bool(share)
    db.session.commit()
    changed(user, partner, before)


def changed(user: User, partner: User | None, before: bool) -> None:
    """After something that may start or stop presence flowing between the partners: update both sides' pages.

    Nothing is sent when nothing changes for them, so a partner who does not see the other learns nothing
    (not even that the other was here to change a setting).
    """
    if partner is None or presence_flows(user, partner) == before:
        return
    if before:
        withdrawn.send(current_couple(user).id, user_ids=(user.id, partner.id))
        for viewer in (user, partner):
            _tell(viewer, {"here": False})
    else:
        for viewer, other in ((user, partner), (partner, user)):
            _tell(viewer, {"here": is_here(other)})


def arrived(user: User) -> None:
    """One of the user's sockets opened (any namespace): tell the partner, unless they already see the user here."""
    if _departing().pop(user.id, None) is not None:
        return  # back within the grace: for the partner, nothing happened
    if db.session.scalar(select(func.count()).select_from(LiveSocket).where(LiveSocket.user_id == user.id)) > 1:
        return
    _announce(user, True)


def left(user_id: int) -> None:
    """One of the user's sockets closed: once none is left and the grace has passed, tell the partner."""
    if is_connected(user_id):
        return
    grace = current_app.config["PRESENCE_GRACE_SECONDS"]
    if grace <= 0:
        _depart(user_id)
        return
    token = object()
    _departing()[user_id] = token
    socketio.start_background_task(_depart_later, current_app._get_current_object(), user_id, token, grace)


def _depart_later(app, user_id: int, token: object, grace: float) -> None:
    socketio.sleep(grace)
    with app.app_context():
        if _departing().get(user_id) is not token:
            return  # came back meanwhile (or a later departure owns the timer)
        del _departing()[user_id]
        try:
            if not is_connected(user_id):
                _depart(user_id)
        except SQLAlchemyError:
            # The database is gone (shutting down): the partner's page learns it at its next load.
            log.warning("presence: departure of user %s not told, the database did not answer", user_id)


def _depart(user_id: int) -> None:
    user = db.session.get(User, user_id)
    if user is not None:
        _announce(user, False)


def _announce(user: User, here: bool) -> None:
    partner = partner_of(user)
    if presence_flows(user, partner):
        _tell(partner, {"here": here})


def _departing() -> dict[int, object]:
    """user id -> the timer of a departure not yet announced (this process)."""
    return current_app.extensions.setdefault("presence.departing", {})


def _tell(viewer: User, payload: dict) -> None:
    sids = db.session.scalars(
        select(LiveSocket.sid).where(LiveSocket.user_id == viewer.id, LiveSocket.namespace == NAMESPACE)
    )
    for sid in list(sids):
        socketio.emit("presence", payload, to=sid, namespace=NAMESPACE)



def flows_from(user: User) -> bool:
    """Whether news of this person being here ("... is writing", carets) may reach their partner now."""
    return presence_flows(user, partner_of(user))


follow_presence(PresenceRule(arrived=arrived, left=left, flows_from=flows_from))
