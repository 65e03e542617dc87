"""WebSocket reading that stays fair under gevent, however fast one client sends.

Engine.IO reads a WebSocket with simple-websocket: a reader greenlet receives chunks from the
socket and queues the messages they hold, while the connection's handler takes them one by one.
A socket that always has data ready never makes its reader wait, and under gevent a greenlet that
never waits never lets the others run: one client sending as fast as it can held the whole
process (other couples could not even connect, and gunicorn killed the worker as hung), and its
queue of unread messages grew without bound.

So each connection's reader lets the others run before every chunk, and waits while MAX_QUEUED
of its messages are still unhandled: a flooding client is read only as fast as it is served, its
excess waits in its own TCP buffers, and everyone else is served in between.
"""
from __future__ import annotations

import gevent

MAX_QUEUED = 16  # messages read but not yet handled, per connection
QUEUE_WAIT = 0.005  # seconds between looks while the queue is full


class _PacedSocket:
    """The connection's socket, whose recv waits its turn and for room in the connection's queue."""

    def __init__(self, sock, connection):
        self._sock = sock
        self._connection = connection

    def recv(self, size: int) -> bytes:
        gevent.sleep(0)
        while len(self._connection.input_buffer) >= MAX_QUEUED and self._connection.connected:
            gevent.sleep(QUEUE_WAIT)
        return self._sock.recv(size)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def install(eio_server) -> bool:
    """Make an Engine.IO server in gevent mode read its WebSockets fairly; False if its driver is not the one above."""
    from engineio.async_drivers import gevent as driver

    if eio_server.async_mode != "gevent" or getattr(driver, "SimpleWebSocketWSGI", None) is None:
        return False

    class PacedReader(driver.Thread):
        """The reader greenlet of one connection (simple-websocket starts it with target=connection._thread)."""

        def __init__(self, target, args=(), kwargs=None):
            connection = target.__self__
            connection.sock = _PacedSocket(connection.sock, connection)
            super().__init__(target, list(args), kwargs or {})

    class PacedWebSocketWSGI(driver.WebSocketWSGI):
        def __init__(self, handler, server):
            super().__init__(handler, server)
            self.server_args["thread_class"] = PacedReader

        def __call__(self, environ, start_response):
            # No permessage-deflate: our messages are a few dozen bytes, and each compressing connection
            # keeps about 300 KiB of zlib state (most of a couple's memory) and spends CPU on every frame.
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
            return super().__call__(environ, start_response)

    eio_server._async = {**eio_server._async, "websocket": PacedWebSocketWSGI}
    return True
