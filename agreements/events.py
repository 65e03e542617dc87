"""The /agreements Socket.IO namespace: `join` a document, then y-protocols messages as `yjs` events.

`yjs` carries (document id, bytes): exactly one y-protocols message as y-websocket frames it.
Every handler authenticates and authorizes again; a refusal answers through the acknowledgement
{"ok": false, "error": {"code", "message"}} and an `error` event, and changes nothing.
"""
from __future__ import annotations

import logging

from flask import request
from flask_socketio import emit, join_room, leave_room
from sqlalchemy import select

from agreements import sync
from agreements.awareness import own_presence
from agreements.limits import admit_join
from agreements.rooms import NAMESPACE, Room, room_name, rooms
from agreements.service import document_for_member
from couples.access import couple_for_member, current_couple, may_change
from couples.errors import DomainError, NotFound, ReadOnly
from couples.models import LiveSocket, User
from extensions import db, socketio
from live.namespace import refuse, refuse_connect, signed_out
from live.rate import LimitedNamespace
from live.sockets import socket_user, socket_verification, track_socket, untrack_socket
from privacy.presence import partner_of, presence_flows, withdrawn

OK = {"ok": True}


def _refused(error: DomainError, document_id=None) -> dict:
    return refuse(error, doc=document_id if isinstance(document_id, int) else None)


def _user():
    user = socket_user()
    if user is None:
        raise signed_out()
    return user


def _own_presence(user, room: Room, entries: list[sync.Presence]) -> list[sync.Presence]:
    """Keep only name, colour and caret, with the name the server knows; refuse others' client ids."""
    others = {client for sid, clients in room.presence.items() if sid != request.sid for client in clients}
    return own_presence(user.name, entries, room.presence.setdefault(request.sid, {}), others)


def _flows(user: User | None) -> bool:
    """Whether this person's presence and the partner's reach each other (the rule of privacy.presence)."""
    return user is not None and presence_flows(user, partner_of(user))


def _farewell(entries) -> list[sync.Presence]:
    """The awareness entries that say these clients are gone."""
    return [sync.Presence(e.client_id, e.clock + 1, None) for e in entries if e.state is not None]


def _leave(room: Room, sid: str, flows: bool) -> None:
    """Forget sid's presence; while presence flows, tell the others it is gone."""
    with room.locked():
        farewell = _farewell(room.presence.pop(sid, {}).values())
        if farewell and flows:
            room.broadcast(sync.awareness_message(farewell), skip_sid=sid)


@withdrawn.connect
def _withdraw(couple_id, user_ids=()) -> None:
    """Presence stopped flowing between two partners: each one's open documents forget the other's presence."""
    owners = dict(db.session.execute(
        select(LiveSocket.sid, LiveSocket.user_id)
        .where(LiveSocket.user_id.in_(user_ids), LiveSocket.namespace == NAMESPACE)).all())
    done = set()
    for room in (room for sid in owners for room in rooms().of(sid)):
        if room.document_id in done:
            continue
        done.add(room.document_id)
        with room.locked():
            for sid, clients in room.presence.items():
                farewell = _farewell(clients.values())
                if not farewell:
                    continue
                for target in room.sids:
                    if owners.get(target) not in (None, owners.get(sid)):
                        socketio.emit("yjs", (room.document_id, sync.awareness_message(farewell)), to=target,
                                      namespace=NAMESPACE)


class AgreementsNamespace(LimitedNamespace):
    """Live sync of agreements documents between the partners of a couple."""

    def on_connect(self, auth=None):
        """Refuse anonymous sockets; remember the socket so unlinking can close it."""
        user = socket_user()
        if user is None:
            refuse_connect(signed_out())
        couple = current_couple(user)
        track_socket(user, NAMESPACE, couple.id if couple else None)
        return True

    def on_disconnect(self, reason=None):
        """Leave every room; while presence flows, the partner sees this person's presence go."""
        user_id = untrack_socket(NAMESPACE)
        flows = _flows(db.session.get(User, user_id) if user_id is not None else socket_user())
        for room in rooms().of(request.sid):
            rooms().leave(request.sid, room.document_id)
            _leave(room, request.sid, flows)

    def on_join(self, payload=None, *extra):
        """Join a document's room: {"doc": id}; a current or former member may, nobody else."""
        document_id = payload.get("doc") if isinstance(payload, dict) and not extra else None
        try:
            document = document_for_member(_user(), document_id)
            admit_join(rooms().of(request.sid), document.id)
        except DomainError as error:
            return _refused(error, document_id)
        flows = _flows(_user())
        room = rooms().enter(document.id, document.couple_id, request.sid)
        join_room(room_name(document.id))
        with room.locked():
            present = [e for sid, clients in room.presence.items() if sid != request.sid for e in clients.values()]
            if present and flows:
                emit("yjs", (document.id, sync.awareness_message(present)))
        return OK

    def on_leave(self, payload=None, *extra):
        """Leave a document's room: {"doc": id}."""
        document_id = payload.get("doc") if isinstance(payload, dict) and not extra else None
        room = rooms().leave(request.sid, document_id) if isinstance(document_id, int) else None
        if room is None:
            return _refused(NotFound(), document_id)
        leave_room(room_name(document_id))
        _leave(room, request.sid, _flows(socket_user()))
        return OK

    def on_yjs(self, document_id=None, data=None, *extra):
        """One y-protocols message for a joined document; updates are acknowledged once committed."""
        try:
            if extra:
                raise sync.Malformed("A message has exactly two parts: the document and the bytes.")
            verification = socket_verification()
            if verification is None:
                raise signed_out()
            room = rooms().joined(request.sid, document_id)
            if room is None:
                raise NotFound("Open the document first.", code="not_joined")
            message = sync.parse_message(data)
            if message.kind == sync.AWARENESS:
                self._presence(_user(), room, message)
            elif message.kind == sync.STEP1:
                self._sync(_user(), room, message)
            else:
                self._update(verification, room, message)
        except DomainError as error:
            return _refused(error, document_id)
        return OK

    def _sync(self, user, room: Room, message: sync.Message) -> None:
        couple = couple_for_member(user, room.couple_id)
        may_edit = may_change(user, couple)  # read before the lock's commit
        with room.locked():
            emit("yjs", (room.document_id, room.answer_step1(message)))
            if may_edit:
                emit("yjs", (room.document_id, room.step1()))

    def _update(self, verification: tuple, room: Room, message: sync.Message) -> None:
        user_id = verification[0]
        if not room.may_write(request.sid, verification):
            raise ReadOnly()
        with room.locked():
            changed = room.receive(message.payload, user_id)
            if changed is not None:
                room.broadcast(sync.update_message(changed), skip_sid=request.sid)

    def _presence(self, user, room: Room, message: sync.Message) -> None:
        """Keep the sender's presence in the room (never stored); pass it on only while presence flows."""
        couple = couple_for_member(user, room.couple_id, write=True)
        entries = sync.parse_awareness(message.payload)
        flows = presence_flows(user, couple.partner_of(user))
        with room.locked():
            cleaned = _own_presence(user, room, entries)
            if flows:
                room.broadcast(sync.awareness_message(cleaned), skip_sid=request.sid)
