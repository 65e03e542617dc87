"""Real clients against a real server process: python-socketio and Yjs clients converge.

kill -9 of the server while clients write: tests/security/test_crash_durability.py.
"""
import json
import random
import subprocess
import threading
from pathlib import Path

import pytest
from pycrdt import create_sync_message

from agreements.shape import find_item
from agreements.sync import update_message
from tests.agreements.conftest import stored_doc
from tests.agreements.traces import concurrent_updates, load_trace
from tests.agreements.live_server import RemotePartner, run_in_threads
from tests.servers import ROOT

pytestmark = pytest.mark.server


def test_websockets_are_not_compressed(live_world):
    """Tiny messages gain nothing from permessage-deflate, and its zlib state would cost each socket ~300 KiB."""
    import websocket

    url = live_world.server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    offered = websocket.create_connection(url, origin=live_world.server.url, timeout=10, header=[
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"])
    try:
        assert offered.recv().startswith("0")  # Engine.IO's open packet: the connection works
        assert "sec-websocket-extensions" not in {name.lower() for name in offered.getheaders()}
    finally:
        offered.close()


def typist(client, item_id, operations, seed, wait_for_each=True):
    """A job typing and deleting at the start, the middle and the end of one agreement.

    With wait_for_each=False it sends like a browser: without waiting, checking every answer at the end.
    """
    rng = random.Random(seed)
    answered = threading.Semaphore(0)
    answers = []

    def change():
        text = client.text(item_id)
        length = len(text)
        if length and rng.random() < 0.3:
            at = rng.randrange(length)
            del text[at : min(length, at + rng.randint(1, 3))]
        else:
            at = rng.choice([0, length // 2, length])
            text.insert(at, rng.choice("abcdefgh "))

    def on_ack(answer):
        answers.append(answer)
        answered.release()

    def job():
        for _ in range(operations):
            if wait_for_each:
                assert client.edit(change) == [{"ok": True}]
                continue
            with client.lock, client.doc.transaction():
                change()
            client.send_later(update_message(client.unsent.pop(0)), on_ack)
        if not wait_for_each:
            for _ in range(operations):
                assert answered.acquire(timeout=60)
            assert answers == [{"ok": True}] * operations

    return job


def settle(*clients):
    """Ask the server for anything missed; its answer is applied before the acknowledgement arrives."""
    for client in clients:
        assert client.send(create_sync_message(client.doc)) == {"ok": True}


def test_two_python_clients_typing_at_the_same_places_converge(live_world):
    item_id = live_world.new_agreement()
    a = RemotePartner(live_world.server, live_world.cookie(live_world.alice))
    b = RemotePartner(live_world.server, live_world.cookie(live_world.bob))
    try:
        for client in (a, b):
            assert client.join(live_world.document.id) == {"ok": True}
        settle(a, b)
        run_in_threads(typist(a, item_id, 1000, 1), typist(b, item_id, 1000, 2))
        settle(a, b)
        with a.lock, b.lock:
            text_a, text_b = str(a.text(item_id)), str(b.text(item_id))
        assert text_a == text_b == live_world.stored_text(item_id)
        assert len(text_a) > 100
    finally:
        a.close()
        b.close()


def test_a_yjs_client_and_a_python_client_converge(live_world):
    item_id = live_world.new_agreement()
    python = RemotePartner(live_world.server, live_world.cookie(live_world.alice))
    node = subprocess.Popen(
        ["node", str(Path(__file__).with_name("yjs_client.mjs")), live_world.server.url,
         live_world.cookie(live_world.bob), str(live_world.document.id), item_id, "600", "7"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert python.join(live_world.document.id) == {"ok": True}
        settle(python)
        assert json.loads(node.stdout.readline()) == {"ready": True}
        failures = []
        typing = threading.Thread(target=run_in_threads, args=(typist(python, item_id, 600, 8, wait_for_each=False),),
                                  kwargs={"failures": failures})
        typing.start()
        assert json.loads(node.stdout.readline()) == {"edited": True}
        typing.join()
        assert not failures
        node.stdin.write("done\n")
        node.stdin.flush()
        final = json.loads(node.stdout.readline())
        settle(python)
        assert node.wait(timeout=30) == 0, node.stderr.read()
        with python.lock:
            text = str(python.text(item_id))
        assert final == {"text": text, "saved": True}
        assert text == live_world.stored_text(item_id)
        assert len(text) > 100
    finally:
        if node.poll() is None:
            node.kill()
            node.wait()
        for stream in (node.stdin, node.stdout, node.stderr):
            stream.close()
        python.close()


@pytest.mark.timeout(900)  # 26,078 updates, each committed before it is acknowledged
def test_two_people_typing_together_replay_to_the_recorded_text(live_world):
    """friendsforever: two people who really typed one text at the same time, as two clients in trace order.

    Each client sends its own agent's transactions without waiting, except that a transaction is sent
    only once the server has acknowledged the other agent's transactions it was typed on top of.
    """
    item_id = live_world.new_agreement()
    trace = load_trace("friendsforever.json.gz")
    with live_world.app.app_context():
        start = stored_doc(live_world.document.id).get_update()
    replay = concurrent_updates(trace, start, lambda doc: find_item(doc, item_id)["text"])
    clients = [RemotePartner(live_world.server, live_world.cookie(user)) for user in (live_world.alice, live_world.bob)]
    acknowledged = [0, 0]
    refusals = []
    progress = threading.Condition()

    def on_ack(agent):
        def count(answer):
            with progress:
                acknowledged[agent] += 1
                if answer != {"ok": True}:
                    refusals.append(answer)
                progress.notify_all()
        return count

    try:
        for client in clients:
            assert client.join(live_world.document.id) == {"ok": True}
        settle(*clients)
        for step in replay:
            other = 1 - step.agent
            with progress:
                assert progress.wait_for(lambda: acknowledged[other] >= step.builds_on[other], timeout=60)
            clients[step.agent].send_later(update_message(step.update), on_ack(step.agent))
        with progress:
            assert progress.wait_for(lambda: sum(acknowledged) == len(replay), timeout=120)
        assert refusals == []
        assert live_world.stored_text(item_id) == trace["endContent"]
        settle(*clients)
        for client in clients:
            with client.lock:
                assert str(client.text(item_id)) == trace["endContent"]
    finally:
        for client in clients:
            client.close()
