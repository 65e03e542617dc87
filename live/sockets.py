"""Live connections: who is connected, rooms per couple, and closing sockets when access ends."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request, session
from flask_login import current_user
from sqlalchemy import delete, select

from couples import clock
from couples.models import LiveSocket, User
from extensions import db, socketio

COUPLE_NAMESPACE = "/couple"  # every page's channel for the couple's news
_room_namespaces = {COUPLE_NAMESPACE}  # the namespaces whose sockets are in the couple's room (join_couple_rooms_on)


def join_couple_rooms_on(namespace: str) -> None:
    """A namespace whose sockets join the couple's room (besides /couple): called once by its module, so that
    leaving and re-entering the room (a space) moves its sockets too."""
    _room_namespaces.add(namespace)


def room_namespaces() -> tuple[str, ...]:
    """The namespaces whose sockets are in the couple's room."""
    return tuple(sorted(_room_namespaces))


def couple_room(couple_id: int) -> str:
    """The Socket.IO room name shared by the two partners of a couple."""
    return f"couple:{couple_id}"


def announce(couple_id: int, event: str, payload: dict, *, namespace: str = COUPLE_NAMESPACE,
             skip_sid: str | None = None, presence_of: User | None = None) -> None:
    """Tell the couple's open pages that something happened: the one way the server tells a partner.

    Call it from the service that made the change, once the change is committed (never from a view or a
    socket handler). Name the event after what happened (`promise_changed`, `passage_shared`), and put in
    the payload only what both partners may see. It reaches the couple's room on `namespace` (the /couple
    namespace unless the news belongs to one page's own namespace), except `skip_sid` (the sender's socket).

    What crosses is still decided by the privacy rules:
    - space (privacy/space.py): someone in space is out of the couple's rooms until the space ends,
      so nothing announced reaches them; they see the news when they open the page.
    - presence (privacy/presence.py presence_flows): news that tells of the sender being here
      ("... is writing", carets) passes `presence_of=<the sender>`, and is sent only while presence flows
      between the sender and their partner.
    """
    if presence_of is not None and not presence().flows_from(presence_of):
        return
    socketio.emit(event, payload, to=couple_room(couple_id), namespace=namespace, skip_sid=skip_sid)


def socket_user() -> User | None:
    """The signed-in user of the current socket event (see socket_user_id), loaded from the database."""
    user_id = socket_user_id()
    return db.session.get(User, user_id) if user_id is not None else None


def socket_user_id() -> int | None:
    """The id of the signed-in user of the current socket event, or None."""
    verification = socket_verification()
    return verification[0] if verification is not None else None


def socket_verification() -> tuple[int, datetime] | None:
    """(user id, when the socket's login session was last checked) for the current socket event, or None.

    The login session is checked when the socket connects and again at most every
    SOCKET_RECHECK_SECONDS while it sends events (which also notes the activity, so an active socket
    keeps its session alive and an idle one lets it time out). In between, no database read: ending a
    session (logout, password change, account deletion) or a couple (unlinking) closes the affected
    sockets at once, on every process (disconnect_sockets), and a closed socket sends no more events.
    Whatever else a handler caches per socket (e.g. write access) is valid only for the same check.
    """
    verified = _verified()
    key = (request.sid, request.namespace)
    at = clock.now()
    entry = verified.get(key)
    if entry is not None and at - entry[1] < _recheck():
        return entry
    if not current_user.is_authenticated:
        verified.pop(key, None)
        return None
    entry = verified[key] = (current_user.id, at)
    return entry


def _verified() -> dict[tuple[str, str], tuple[int, datetime]]:
    """(sid, namespace) -> (user id, when its login session was last checked), for this process."""
    return current_app.extensions.setdefault("live.verified", {})


def _recheck() -> timedelta:
    return timedelta(seconds=current_app.config["SOCKET_RECHECK_SECONDS"])


def current_login_session_id() -> str | None:
    """The id of the login session behind the current request or socket."""
    return session.get("login_session")


def track_socket(user: User, namespace: str, couple_id: int | None = None) -> None:
    """Remember this socket so unlinking or logging out can close it from any process."""
    db.session.merge(
        LiveSocket(
            sid=request.sid,
            namespace=namespace,
            user_id=user.id,
            login_session_id=current_login_session_id() or "",
            couple_id=couple_id,
        )
    )
    db.session.commit()
    presence().arrived(user)


def untrack_socket(namespace: str) -> int | None:
    """Forget this socket (on disconnect); return whose it was (None if already forgotten)."""
    _verified().pop((request.sid, namespace), None)
    user_id = db.session.execute(
        delete(LiveSocket).where(LiveSocket.sid == request.sid, LiveSocket.namespace == namespace)
        .returning(LiveSocket.user_id)).scalar()
    db.session.commit()
    if user_id is not None:  # None: already forgotten by disconnect_sockets, which tells presence itself
        presence().left(user_id)
    return user_id


def is_connected(user_id: int, namespace: str | None = None) -> bool:
    """True if the user has at least one open socket on the namespace (on any, without one)."""
    query = select(LiveSocket.sid).where(LiveSocket.user_id == user_id)
    if namespace is not None:
        query = query.where(LiveSocket.namespace == namespace)
    return db.session.scalar(query.limit(1)) is not None


def disconnect_sockets(user_id: int | None = None, login_session_id: str | None = None,
                       couple_id: int | None = None) -> int:
    """Close every socket matching all given filters, on every process; return how many were asked to close."""
    query = select(LiveSocket)
    if user_id is not None:
        query = query.where(LiveSocket.user_id == user_id)
    if login_session_id is not None:
        query = query.where(LiveSocket.login_session_id == login_session_id)
    if couple_id is not None:
        query = query.where(LiveSocket.couple_id == couple_id)
    found = list(db.session.scalars(query))
    rows = [(row.sid, row.namespace) for row in found]
    users = {row.user_id for row in found}
    for sid, namespace in rows:
        db.session.execute(delete(LiveSocket).where(LiveSocket.sid == sid, LiveSocket.namespace == namespace))
        _verified().pop((sid, namespace), None)  # in this process, refused from now on even before it closes
    db.session.commit()
    for sid, namespace in rows:
        # With a message queue this reaches the process holding the socket.
        socketio.server.disconnect(sid, namespace=namespace)
    for user in users:
        presence().left(user)
    return len(rows)


@dataclass(frozen=True)
class PresenceRule:
    """What this module asks of the presence rule (privacy/presence.py, which builds on this module and hands
    itself over with follow_presence as it is imported): tell arrivals and departures, and say whether
    news of a person being here may reach their partner."""

    arrived: Callable[[User], None]
    left: Callable[[int], None]
    flows_from: Callable[[User], bool]


_presence: PresenceRule | None = None


def follow_presence(rule: PresenceRule) -> None:
    """Called once by privacy/presence.py: the presence rule every socket here follows."""
    global _presence
    _presence = rule


def presence() -> PresenceRule:
    """The presence rule; never missing while sockets are served (create_app imports privacy.presence)."""
    if _presence is None:
        raise RuntimeError("no presence rule: privacy.presence must be imported before sockets are served")
    return _presence


def forget_all_sockets() -> None:
    """Drop every socket record: used when a single server process starts, since none can be open yet."""
    db.session.execute(delete(LiveSocket))
    db.session.commit()
