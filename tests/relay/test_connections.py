"""The connection budget (config.py): one relay process and one app process each hold more than 1,000 WebSockets.

Both processes are started with the open-files limit many systems give a process (1,024), so they must raise it
themselves, as `python -m relay` and gunicorn.conf.py do; gunicorn's gevent worker must also accept more than
its default 1,000 connections.
"""
from __future__ import annotations

import asyncio
import resource
import threading
from contextlib import contextmanager

import msgpack
import pytest
from websockets.asyncio.client import connect
from websockets.protocol import State

from config import allow_open_files
from tests.relay.conftest import APP_URL
from tests.servers import Relay, Server

pytestmark = pytest.mark.server
CONNECTIONS = 1_100
AT_ONCE = 50  # handshakes in flight at once
TIMEOUT = 60  # seconds for one connection's handshake and first message: the machine may be loaded


@contextmanager
def usual_open_files_limit():
    """Processes started inside inherit a soft open-files limit of 1,024 (as under many init systems)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, soft), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def room_for_the_clients() -> None:
    """This test process holds every client socket: raise its own limit (it fails, never skips, if it cannot)."""
    assert allow_open_files(CONNECTIONS) >= CONNECTIONS + 100, "raise the hard open-files limit (ulimit -Hn)"


def run_apart(make_coroutine):
    """Run a coroutine to its end on a loop of its own, in a thread of its own, and return its result (or raise).

    Not asyncio.run here: another test may have left this thread with a loop marked running, and asyncio.run
    refuses to start inside one.
    """
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = asyncio.run(make_coroutine())
        except BaseException as error:  # noqa: BLE001 - carried to the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, name="connections")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


async def hold_all(open_one, count: int) -> list:
    """Open count connections (AT_ONCE at a time), each answered as open_one(n, keep) says (it passes each socket
    to keep as soon as it is open); keep them all open, then check every one is still open; return what each
    open_one returned. However it ends, every socket opened is closed before it returns (a failure must not leave
    sockets for the next test's garbage collector to find)."""
    gate = asyncio.Semaphore(AT_ONCE)
    sockets = []

    async def one(n: int):
        async with gate:
            return await asyncio.wait_for(open_one(n, sockets.append), TIMEOUT)

    try:
        async with asyncio.TaskGroup() as group:  # one failure cancels the others, and waits for them
            tasks = [group.create_task(one(n)) for n in range(count)]
        assert [ws.state for ws in sockets] == [State.OPEN] * count
        return [task.result() for task in tasks]
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def told_with_log(run, process):
    """Run `run()`; if it fails, fail with the end of the server's log, which says why it closed connections."""
    try:
        return run()
    except BaseException as error:
        log = process.log_path.read_text(errors="replace")[-4000:] if process.log_path.exists() else "(no log)"
        raise AssertionError(f"{error!r}\n--- end of {process.log_path.name} ---\n{log}") from error


@pytest.fixture
def budget_relay(app, database_url, tmp_path):
    with usual_open_files_limit():
        relay = Relay(tmp_path, database_url, APP_URL, env={"SECRET_KEY": app.config["SECRET_KEY"]}).start()
    yield relay
    relay.stop()


def test_one_relay_holds_more_than_a_thousand_connections(budget_relay, couple_document, cookie_of):
    _, alice, bob, document, _ = couple_document
    cookies = [cookie_of(alice), cookie_of(bob)]  # the partners, each in many tabs
    room_for_the_clients()

    url = f"{budget_relay.url}/agreements/{document.id}"  # read here: the clients run in a thread of their own

    async def open_one(n: int, keep):
        ws = await connect(url, origin=APP_URL, compression=None,
                           additional_headers={"Cookie": cookies[n % 2]}, open_timeout=TIMEOUT, max_size=None)
        keep(ws)
        return await ws.recv()

    firsts = told_with_log(lambda: run_apart(lambda: hold_all(open_one, CONNECTIONS)), budget_relay)

    assert [first[:2] for first in firsts] == [b"\x00\x00"] * CONNECTIONS  # each one's sync step 1


def test_one_app_process_holds_more_than_a_thousand_socketio_connections(app, database_url, tmp_path,
                                                                          linked_couple, cookie_of):
    _, alice, bob = linked_couple("Maya Okafor", "Sam Reyes")
    cookies = [cookie_of(alice), cookie_of(bob)]
    with usual_open_files_limit():
        server = Server(tmp_path, database_url, env={"SECRET_KEY": app.config["SECRET_KEY"]}).start()
    room_for_the_clients()
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"

    async def keep_alive(ws) -> None:
        """Answer Engine.IO's pings, as a browser's client does."""
        async for message in ws:
            if message == "2":
                await ws.send("3")

    async def open_one(n: int, keep):
        ws = await connect(url, origin=server.url, additional_headers={"Cookie": cookies[n % 2]},
                           open_timeout=TIMEOUT, compression=None)
        keep(ws)
        assert (await ws.recv()).startswith("0")  # Engine.IO's open packet
        await ws.send(msgpack.packb({"type": 0, "nsp": "/couple"}))  # join the namespace, as socket.io-client does
        while True:
            message = await ws.recv()
            if isinstance(message, bytes):
                packet = msgpack.unpackb(message)
                if packet["type"] in (0, 4) and packet["nsp"] == "/couple":  # CONNECT or CONNECT_ERROR
                    break
            elif message == "2":
                await ws.send("3")
        asyncio.ensure_future(keep_alive(ws))
        return packet["type"]

    try:
        answers = told_with_log(lambda: run_apart(lambda: hold_all(open_one, CONNECTIONS)), server)
    finally:
        server.stop()

    assert answers == [0] * CONNECTIONS  # every one admitted to /couple
