"""Work that would stop the event loop runs in a worker thread, so every other request keeps moving.

The server is one gevent process: while one greenlet computes, no other is served. Password hashing
(argon2 releases the GIL) and bounded pure-Python work (a comparison, an export) go to gevent's thread
pool; the loop waits for the result without blocking, and other requests and sockets go on meanwhile.
Outside gevent (the tests, scripts) the work simply runs in place.
"""
from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


def _on_gevent() -> bool:
    """True when this process runs on gevent's monkey-patched threads (the gunicorn gevent worker)."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a requirement
        return False
    return monkey.is_module_patched("threading")


def off_loop(work: Callable[..., T], *args, **kwargs) -> T:
    """Run work(*args, **kwargs) where it does not stop the event loop, and return its result (or raise)."""
    if not _on_gevent():
        return work(*args, **kwargs)
    import gevent

    return gevent.get_hub().threadpool.apply(work, args, kwargs)
