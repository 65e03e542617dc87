"""The base of every Socket.IO namespace: only what a client may send reaches a handler.

Two things the library would let through are refused here, in one place for every namespace:
- an event a client names "connect" or "disconnect": the library would run the lifecycle handler with the
  client's arguments while the socket stays open (forgetting it for revocation, or re-joining rooms);
- an event with the wrong number of arguments for its handler: the call would raise before any check ran.
Both are answered like any refusal ({"ok": false, "error": {...}} and an `error` event) and change nothing.

It also holds the one refusal format of every namespace: `refuse` (an `error` event and the acknowledgement
{"ok": false, "error": {"code", "message"}}), `refusal` (the acknowledgement alone) and `refuse_connect`
(a connection refused with its code). The codes are listed in the README's protocol section.
"""
from __future__ import annotations

import inspect
import logging

from flask import request
import flask_socketio

from couples.errors import DomainError, Invalid, NotFound
from extensions import socketio

LIFECYCLE = ("connect", "disconnect")
log = logging.getLogger(__name__)


def signed_out() -> NotFound:
    """The refusal of a socket without a live login session, the same on every namespace (and the relay)."""
    return NotFound("Please sign in again.", code="signed_out")


def refusal(error: DomainError) -> dict:
    """The acknowledgement of a refused event: {"ok": false, "error": {"code", "message"}}."""
    return {"ok": False, "error": error.as_dict()}


def refuse(error: DomainError, sid: str | None = None, namespace: str | None = None, **extra) -> dict:
    """Refuse an event: send the socket an `error` event (the error, and any `extra` fields), return the acknowledgement.

    Without sid and namespace, the socket of the current event. The refusal changes nothing; it is logged.
    """
    sid = sid or request.sid
    namespace = namespace or request.namespace
    log.info("refused an event on %s for socket %s: %s %s", namespace, sid, error.code, extra or "")
    socketio.server.emit("error", {**error.as_dict(), **extra}, to=sid, namespace=namespace)
    return refusal(error)


def refuse_connect(error: DomainError):
    """Refuse a connection; the client's `connect_error` carries the error's code and message as its data."""
    raise flask_socketio.ConnectionRefusedError(str(error), error.as_dict())


class Namespace(flask_socketio.Namespace):
    """A Flask-SocketIO namespace whose `on_*` handlers only ever see calls they can take."""

    def _from_server(self, event: str, sid, *args) -> bool:
        """Whether a connect or disconnect comes from the server itself rather than a client's event."""
        server = self.socketio.server
        if event == "connect":  # the server passes the very environ it keeps for the connection
            return bool(args) and args[0] is server.get_environ(sid, namespace=self.namespace)
        return not server.manager.is_connected(sid, self.namespace)  # a real disconnect is already pending

    def trigger_event(self, event, *args):
        """Dispatch an event to its handler, refusing client events named after the lifecycle or of wrong arity."""
        handler = getattr(self, f"on_{event}", None) if isinstance(event, str) else None
        if handler is None or not args:
            return super().trigger_event(event, *args)
        sid = args[0]
        if event in LIFECYCLE:
            if self._from_server(event, *args):
                return super().trigger_event(event, *args)
            return refuse(Invalid("There is no such event.", "unknown_event"), sid, self.namespace)
        try:
            inspect.signature(handler).bind(*args[1:])
        except TypeError:
            return refuse(Invalid("The message has the wrong number of parts.", "bad_arity"), sid, self.namespace)
        return super().trigger_event(event, *args)
