"""Events per second per socket: a token bucket in front of every handler of every namespace.

A socket may send SOCKET_EVENTS_PER_SECOND events per second on average, and up to SOCKET_EVENTS_BURST
at once (a reconnect's catch-up, a stall that queued events); an event costs one token, plus one per
16 KiB it carries. Over that, an event is refused with `slow_down` before any handler, database or
session work, and changes nothing. A socket that keeps sending well past the limit (FLOOD_FACTOR times
the burst refused within FLOOD_WINDOW seconds) has its whole connection closed. The state is per process, in memory, keyed by socket, and dropped on disconnect.

Not the `limits` package (pinned for Flask-Limiter): it offers fixed and sliding windows on the wall clock, not a
token bucket (a rate and a burst) on the app's injectable monotonic clock, costed by message size.
"""
from __future__ import annotations

from dataclasses import dataclass
import logging
import threading
import time
from typing import Callable

from couples.errors import DomainError
from live.namespace import Namespace, refusal, refuse
from workers import let_others_run

FLOOD_FACTOR = 2
FLOOD_WINDOW = 10.0  # seconds
BYTES_PER_TOKEN = 16 * 1024  # a large message costs more: 17 tokens for the largest the server accepts
UNLIMITED_EVENTS = {"connect", "disconnect"}
log = logging.getLogger(__name__)


class SlowDown(DomainError):
    """Too many events on one connection."""

    status = 429
    code = "slow_down"

    def __init__(self, message: str = "That was a lot at once. Please wait a moment, then carry on."):
        super().__init__(message)


@dataclass
class Bucket:
    """One socket's tokens (refilled at the rate, up to the burst) and its refusals in this flood window."""

    tokens: float
    at: float
    refused: int = 0
    window_start: float = 0.0

    def take(self, now: float, rate: float, burst: float, cost: int = 1) -> bool:
        """Spend `cost` tokens if there are that many; count them as refused otherwise."""
        self.tokens = min(burst, self.tokens + max(0.0, now - self.at) * rate)
        self.at = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        if now - self.window_start > FLOOD_WINDOW:
            self.window_start, self.refused = now, 0
        self.refused += cost
        return False


class EventLimiter:
    """The buckets of one namespace's sockets."""

    def __init__(self):
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, sid: str, rate: float, burst: float, now: float, cost: int = 1) -> tuple[bool, Bucket]:
        """Spend tokens of sid's bucket (full on first use); return whether there were enough, and the bucket."""
        with self._lock:
            bucket = self._buckets.get(sid)
            if bucket is None:
                bucket = self._buckets[sid] = Bucket(burst, now)
            return bucket.take(now, rate, burst, cost), bucket

    def forget(self, sid: str) -> None:
        """Drop sid's bucket (on disconnect)."""
        with self._lock:
            self._buckets.pop(sid, None)


def cost(args) -> int:
    """What an event costs: one token, and one more per BYTES_PER_TOKEN of text or bytes it carries."""
    size = sum(len(arg) for arg in args if isinstance(arg, (bytes, bytearray, str)))
    return 1 + size // BYTES_PER_TOKEN


def monotonic(app) -> Callable[[], float]:
    """The app's monotonic clock (tests inject one as MONOTONIC)."""
    return app.config.get("MONOTONIC") or time.monotonic


class LimitedNamespace(Namespace):
    """A Flask-SocketIO namespace whose events pass the per-socket token bucket first."""

    def __init__(self, namespace=None):
        super().__init__(namespace)
        self.limiter = EventLimiter()

    def trigger_event(self, event, *args):
        """Refuse an event over the socket's rate with `slow_down`; disconnect a socket that floods.

        After each event, let the other connections run: a socket whose messages are already buffered
        is read without ever waiting, so under gevent it would otherwise hold the process until its
        flood is drained (seen with bench/flood.py: other couples got nothing while one client flooded).
        """
        try:
            return self._limited(event, *args)
        finally:
            let_others_run()

    def _limited(self, event, *args):
        if not args or (event in UNLIMITED_EVENTS and self._from_server(event, *args)):
            try:
                return super().trigger_event(event, *args)
            finally:
                if event == "disconnect" and args:
                    self.limiter.forget(args[0])
        sid = args[0]
        environ = self.socketio.server.get_environ(sid, namespace=self.namespace)
        if not environ:
            return super().trigger_event(event, *args)
        app = environ["flask.app"]
        burst = app.config["SOCKET_EVENTS_BURST"]
        allowed, bucket = self.limiter.take(sid, app.config["SOCKET_EVENTS_PER_SECOND"], burst, monotonic(app)(),
                                            cost(args[1:]))
        if allowed:
            return super().trigger_event(event, *args)
        return self._over_rate(sid, bucket, flooding=bucket.refused >= FLOOD_FACTOR * burst)

    def _over_rate(self, sid: str, bucket: Bucket, flooding: bool) -> dict:
        error = SlowDown()
        if flooding:
            # The whole connection: a namespace alone would leave its frames still to be read and dropped.
            log.warning("%s: closing the connection of socket %s after %d refused events", self.namespace, sid,
                        bucket.refused)
            server = self.socketio.server
            server.eio.disconnect(server.manager.eio_sid_from_sid(sid, self.namespace))
            if server.manager.is_connected(sid, self.namespace):  # e.g. a test client, which has no transport
                server.disconnect(sid, namespace=self.namespace, ignore_queue=True)
        elif bucket.refused == 1:  # one `error` event per flood window, not one per refused event
            return refuse(error, sid, self.namespace)
        return refusal(error)
