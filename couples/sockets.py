"""The base of every Socket.IO namespace: only what a client may send reaches a handler.

Two things the library would let through are refused here, in one place for every namespace:
- an event a client names "connect" or "disconnect": the library would run the lifecycle handler with the
  client's arguments while the socket stays open (forgetting it for revocation, or re-joining rooms);
- an event with the wrong number of arguments for its handler: the call would raise before any check ran.
Both are answered like any refusal ({"ok": false, "error": {...}} and an `error` event) and change nothing.
"""
from __future__ import annotations

import inspect

import flask_socketio

from couples.errors import Invalid

LIFECYCLE = ("connect", "disconnect")


class Namespace(flask_socketio.Namespace):
    """A Flask-SocketIO namespace whose `on_*` handlers only ever see calls they can take."""

    def _from_server(self, event: str, sid, *args) -> bool:
        """Whether a connect or disconnect comes from the server itself rather than a client's event."""
        server = self.socketio.server
        if event == "connect":  # the server passes the very environ it keeps for the connection
            return bool(args) and args[0] is server.get_environ(sid, namespace=self.namespace)
        return not server.manager.is_connected(sid, self.namespace)  # a real disconnect is already pending

    def _refuse(self, sid, error: Invalid) -> dict:
        self.socketio.emit("error", error.as_dict(), to=sid, namespace=self.namespace)
        return {"ok": False, "error": error.as_dict()}

    def trigger_event(self, event, *args):
        """Dispatch an event to its handler, refusing client events named after the lifecycle or of wrong arity."""
        handler = getattr(self, f"on_{event}", None) if isinstance(event, str) else None
        if handler is None or not args:
            return super().trigger_event(event, *args)
        sid = args[0]
        if event in LIFECYCLE:
            if self._from_server(event, *args):
                return super().trigger_event(event, *args)
            return self._refuse(sid, Invalid("There is no such event.", "unknown_event"))
        try:
            inspect.signature(handler).bind(*args[1:])
        except TypeError:
            return self._refuse(sid, Invalid("The message has the wrong number of parts.", "bad_arity"))
        return super().trigger_event(event, *args)
