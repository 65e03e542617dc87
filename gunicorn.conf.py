"""Gunicorn settings read automatically by `make run`, the tests' servers and the benchmarks."""
import os

from config import APP_CONNECTIONS, allow_open_files

# Several servers may run side by side (tests, two-process setups): no shared control socket.
control_socket_disable = True

# The gevent worker serves at most this many connections at once (gunicorn's default is 1,000, about 330
# people on the home page); past it, new ones wait unanswered. The arithmetic is in config.py: 8,000.
worker_connections = APP_CONNECTIONS
# Each connection is an open file: the workers inherit the limit raised here.
allow_open_files(APP_CONNECTIONS)


def post_worker_init(worker):
    """Before the first request: build the device-name parser (not on a request's time), and, for a lone server
    process, forget the open sockets a crash left behind (it starts with none)."""
    from privacy.devices import warm

    warm()
    if os.environ.get("SOCKETIO_MESSAGE_QUEUE"):
        return  # other processes may hold live sockets
    from live.sockets import forget_all_sockets

    with worker.wsgi.app_context():
        forget_all_sockets()
