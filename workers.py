"""Work that would stop the event loop runs in a worker thread, so every other request keeps moving.

The server is one gevent process: while one greenlet computes, no other is served. Password hashing
(argon2 releases the GIL) and bounded pure-Python work (a comparison, an export) go to a small pool of
threads of lower CPU priority; the loop waits for the result without blocking, and other requests and
sockets go on meanwhile. On a busy machine the loop thread still gets the CPU first, so a burst of
sign-ins slows the sign-ins, not the couples typing. Outside gevent (the tests, scripts) the work runs in place.
"""
from __future__ import annotations

import os
import sys
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

# Per queue, one thread fewer than the cores, so the loop always has one; measured with bench/mixed.py.
THREADS = max(1, (os.cpu_count() or 2) - 1)
NICENESS = 10  # the pool's threads yield the CPU to the loop thread (and to the database) when both want it
# Separate queues, so a burst of one kind (anyone can ask for sign-ins) never delays another: compaction
# holds the documents' commit lock while it waits, so it must never queue behind a hundred password hashes.
PASSWORDS, PAGES, COMPACTION = "passwords", "pages", "compaction"

_pools: dict[str, object] = {}
_pools_pid = None
_pending: dict[str, int] = {}  # per queue, the jobs handed over and not finished yet (running or waiting)
_counting = threading.Lock()


class Busy(Exception):
    """A queue already has as many jobs waiting as it may: the work is not taken (nothing was started)."""

    def __init__(self, queue: str):
        super().__init__(f"the {queue} queue is full")
        self.queue = queue


def waiting(queue: str) -> int:
    """How many jobs of this queue wait for a thread now (beyond those running)."""
    return max(0, _pending.get(queue, 0) - THREADS)


def _on_gevent() -> bool:
    """True when this process runs on gevent's monkey-patched threads (the gunicorn gevent worker)."""
    from gevent import monkey

    return monkey.is_module_patched("threading")


def _thread_pool(queue: str):
    """This process's pool for one queue (made after the fork, on first use)."""
    global _pools_pid
    if _pools_pid != os.getpid():
        _pools.clear()
        _pools_pid = os.getpid()
    if queue not in _pools:
        from gevent.threadpool import ThreadPool

        _pools[queue] = ThreadPool(THREADS)
    return _pools[queue]


def _lowered(work: Callable[..., T], args: tuple, kwargs: dict) -> T:
    """Run work in the calling pool thread at the pool's lower priority (Linux: nice is per thread)."""
    try:
        thread = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, thread) < NICENESS:
            os.setpriority(os.PRIO_PROCESS, thread, NICENESS)
    except (AttributeError, OSError):  # no per-thread priority here: run at the usual one
        pass
    return work(*args, **kwargs)


def off_loop(work: Callable[..., T], *args, queue: str = PAGES, most_waiting: int | None = None, **kwargs) -> T:
    """Run work(*args, **kwargs) where it does not stop the event loop, in the given queue's pool, and
    return its result (or raise). With most_waiting, raise Busy instead of queueing when that many jobs
    already wait, so a flood is refused at once rather than kept waiting without end."""
    with _counting:
        if most_waiting is not None and _pending.get(queue, 0) - THREADS >= most_waiting:  # it would wait too
            raise Busy(queue)
        _pending[queue] = _pending.get(queue, 0) + 1
    try:
        if not _on_gevent():
            return work(*args, **kwargs)
        return _thread_pool(queue).apply(_lowered, (work, args, kwargs))
    finally:
        with _counting:
            _pending[queue] -= 1


def let_others_run() -> None:
    """Under gevent, let the other ready handlers run (e.g. queue their updates so they join this commit).

    (Threads need no help: they queue while the commit releases the GIL.)
    """
    gevent = sys.modules.get("gevent")
    if gevent is not None:
        from gevent import monkey

        if monkey.is_module_patched("threading"):
            gevent.sleep(0)
