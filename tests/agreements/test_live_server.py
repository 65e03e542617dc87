"""Real clients against a real server process: python-socketio and Yjs clients converge; kill -9 loses nothing acknowledged."""
import json
import random
import subprocess
import threading
from pathlib import Path

import pytest
from pycrdt import create_sync_message

from agreements.sync import update_message
from tests.agreements.live_server import ROOT, RemotePartner, run_in_threads


def typist(client, item_id, operations, seed):
    """A job typing and deleting at the start, the middle and the end of one agreement."""
    rng = random.Random(seed)

    def change():
        text = client.text(item_id)
        length = len(text)
        if length and rng.random() < 0.3:
            at = rng.randrange(length)
            del text[at : min(length, at + rng.randint(1, 3))]
        else:
            at = rng.choice([0, length // 2, length])
            text.insert(at, rng.choice("abcdefgh "))

    def job():
        for _ in range(operations):
            assert client.edit(change) == [{"ok": True}]

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
        typing = threading.Thread(target=typist(python, item_id, 600, 8))
        typing.start()
        assert json.loads(node.stdout.readline()) == {"edited": True}
        typing.join()
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
        python.close()


@pytest.mark.parametrize("run", range(20))
def test_kill_9_loses_no_acknowledged_update(live_world, run):
    """Two partners append marked words; the server dies mid-stream; every acknowledged word is stored."""
    item_id = live_world.new_agreement()
    rng = random.Random(run)
    kill_after = rng.randint(3, 40)
    acknowledged: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    clients = [RemotePartner(live_world.server, live_world.cookie(user), timeout=5)
               for user in (live_world.alice, live_world.bob)]
    for client in clients:
        assert client.join(live_world.document.id) == {"ok": True}
    settle(*clients)

    def sender(client, name):
        def job():
            for n in range(200):
                word = f"<{name}{n}>"
                with client.lock, client.doc.transaction():
                    text = client.text(item_id)
                    text.insert(len(text), word)
                update = client.unsent.pop(0)

                def on_ack(answer, word=word):
                    if answer == {"ok": True}:
                        with lock:
                            acknowledged.append(word)
                            if len(acknowledged) >= kill_after:
                                enough.set()

                try:
                    client.send_later(update_message(update), on_ack)
                except Exception:  # noqa: BLE001 - the server is gone: stop sending
                    return
                if enough.is_set() and rng.random() < 0.2:
                    return
        return job

    threads = [threading.Thread(target=sender(c, name)) for c, name in zip(clients, "ab")]
    for thread in threads:
        thread.start()
    assert enough.wait(timeout=60)
    live_world.server.kill()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    with lock:
        promised = list(acknowledged)
    live_world.server.start()

    reader = RemotePartner(live_world.server, live_world.cookie(live_world.alice))
    try:
        assert reader.join(live_world.document.id) == {"ok": True}
        settle(reader)
        with reader.lock:
            text = str(reader.text(item_id))
    finally:
        reader.close()
    missing = [word for word in promised if word not in text]
    assert not missing
    assert text == live_world.stored_text(item_id)

