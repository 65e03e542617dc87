"""Live dialogue through Socket.IO: new turns and state changes for both partners, and "writing...".

Every handler checks again who is asking; the "writing..." signal is passed on and never stored.
"""
from flask import request
from flask_socketio import join_room

from couples import access
from couples.errors import DomainError, Invalid
from dialogue import service
from dialogue.service import NAMESPACE
from live import sockets
from live.namespace import refuse, refuse_connect, signed_out
from live.rate import LimitedNamespace
from live.sockets import couple_room, socket_user, track_socket, untrack_socket
from privacy.space import may_hear_the_couple, settle



def _asked_about(data):
    """The signed-in user and the dialogue an event names, re-checked now: a current partner of its couple."""
    user = socket_user()
    if user is None:
        raise signed_out()
    if not isinstance(data, dict) or not isinstance(data.get("dialogue_id"), int):
        raise Invalid("The message did not say which dialogue it is about.")
    return user, service.find(user, data["dialogue_id"], write=True)


class DialogueNamespace(LimitedNamespace):
    """One connection per open dialogue page, in the couple's room."""

    def on_connect(self, auth=None):
        """Accept logged-in, linked partners only, and put them in their couple's room."""
        user = socket_user()
        if user is None:
            refuse_connect(signed_out())
        couple = access.current_couple(user)
        if couple is None:
            return False
        track_socket(user, NAMESPACE, couple.id)
        settle(user)
        if may_hear_the_couple(user):  # someone in space sees the dialogue's news when they open the page
            join_room(couple_room(couple.id))
        return True

    def on_disconnect(self, reason=None):
        """Forget the connection."""
        untrack_socket(NAMESPACE)

    def on_act(self, data):
        """Take one step of the dialogue, exactly as the HTML form does."""
        try:
            user, dialogue = _asked_about(data)
            action, index, text = data.get("action"), data.get("index"), data.get("text")
            if not isinstance(action, str) or not isinstance(index, int) or not isinstance(text, (str, type(None))):
                raise Invalid("The message was not understood.")
            service.act(dialogue, user, action, index, text)
        except DomainError as error:
            return refuse(error)
        return {"ok": True, "index": dialogue.turn_index, "state": dialogue.state}

    def on_writing(self, data):
        """Pass "your partner is writing..." to the partner's pages while presence flows; nothing is stored."""
        try:
            user, dialogue = _asked_about(data)
        except DomainError as error:
            return refuse(error)
        if dialogue.is_open:
            sockets.announce(dialogue.couple_id, "writing", {"dialogue_id": dialogue.id, "user_id": user.id},
                          namespace=NAMESPACE, skip_sid=request.sid, presence_of=user)
        return {"ok": True}
