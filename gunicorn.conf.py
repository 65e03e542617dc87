"""Gunicorn settings read automatically by `make run`, the tests' servers and the benchmarks."""
import os

# Several servers may run side by side (tests, two-process setups): no shared control socket.
control_socket_disable = True


def post_worker_init(worker):
    """A lone server process starts with no open sockets: forget any left behind by a crash."""
    if os.environ.get("SOCKETIO_MESSAGE_QUEUE"):
        return  # other processes may hold live sockets
    from couples.live import forget_all_sockets

    with worker.wsgi.app_context():
        forget_all_sockets()
