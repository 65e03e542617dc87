"""Live connections: who is connected, rooms per couple, and closing sockets when access ends."""
from __future__ import annotations

from flask import request, session
from flask_login import current_user
from sqlalchemy import delete, select

from couples.models import LiveSocket, User
from extensions import db, socketio


def couple_room(couple_id: int) -> str:
    """The Socket.IO room name shared by the two partners of a couple."""
    return f"couple:{couple_id}"


def socket_user() -> User | None:
    """The signed-in user of the current socket event, re-checked against the login session every time."""
    return current_user if current_user.is_authenticated else None


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


def untrack_socket(namespace: str) -> None:
    """Forget this socket (on disconnect)."""
    db.session.execute(delete(LiveSocket).where(LiveSocket.sid == request.sid, LiveSocket.namespace == namespace))
    db.session.commit()


def is_connected(user_id: int, namespace: str) -> bool:
    """True if the user has at least one open socket on the namespace."""
    return db.session.scalar(
        select(LiveSocket.sid).where(LiveSocket.user_id == user_id, LiveSocket.namespace == namespace).limit(1)
    ) is not None


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
    rows = [(row.sid, row.namespace) for row in db.session.scalars(query)]
    for sid, namespace in rows:
        db.session.execute(delete(LiveSocket).where(LiveSocket.sid == sid, LiveSocket.namespace == namespace))
    db.session.commit()
    for sid, namespace in rows:
        # With a message queue this reaches the process holding the socket.
        socketio.server.disconnect(sid, namespace=namespace)
    return len(rows)


def forget_all_sockets() -> None:
    """Drop every socket record: used when a single server process starts, since none can be open yet."""
    db.session.execute(delete(LiveSocket))
    db.session.commit()
