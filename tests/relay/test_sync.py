"""Live sync through the relay: typing at once, going offline, catching up, replaying real traces.

Moved from the Socket.IO /agreements suites (tests/agreements/test_live_sync.py, test_interleavings.py,
test_live_server.py). Commit before acknowledge and relaying to the partner: tests/relay/test_relay.py; a
standard y-websocket provider beside ours: tests/relay/test_standard_client.py.
"""
from __future__ import annotations

import threading
import time

from hypothesis import HealthCheck, given, settings, strategies as st
from pycrdt import create_update_message
import pytest
from websockets.sync.client import connect as ws_connect

from agreements import store
from agreements.shape import agreement_text, find_item, read_document
from extensions import db
from tests.agreements.conftest import stored_doc, stored_text
from tests.agreements.traces import concurrent_updates, load_trace
from tests.agreements.writing import set_text
from tests.relay.client import RelayClient
from tests.relay.conftest import APP_URL
from tests.relay.test_refusals import settled
from tests.relay.test_relay import synced, type_into

pytestmark = pytest.mark.server


def text_of(client, item_id: str) -> str:
    with client._lock:
        return agreement_text(client.doc, item_id)


def all_answered(client) -> bool:
    """Every update sent is answered: the relay answers in order, so the newest answer covers the ones before."""
    return max([client.committed, *(index for index, _, _ in client.refusals)]) >= client.sent


def converged(document_id: int, item_id: str, *clients) -> str:
    """Once each client's updates are all committed and each asked again, all hold the stored text; it."""
    for client in clients:
        assert client.wait(lambda c=client: all_answered(c)), client.closed
    db.session.commit()
    stored = stored_text(document_id, item_id)
    for client in clients:
        client.sync()
        assert client.wait(lambda c=client: text_of(c, item_id) == stored), (text_of(client, item_id), stored)
    return stored


def test_connecting_sends_the_whole_document(couple_document, connect, cookie_of):
    _, alice, _, document, _ = couple_document
    maya = connect(document.id, cookie_of(alice))
    assert synced(maya)
    with maya._lock:
        content = read_document(maya.doc)
    assert content["sections"][0]["title"] == "How we handle arguments"
    assert content == read_document(stored_doc(document.id))


def test_concurrent_typing_at_the_same_place_converges(couple_document, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)

    def typing(client, letter, deleting):
        def job():
            for i in range(300):
                client.edit(type_into(item_id, letter))
                if deleting and i % 7 == 3:
                    client.edit(lambda doc: find_item(doc, item_id)["text"].__delitem__(slice(0, 2)))
        return job

    threads = [threading.Thread(target=typing(maya, "a", True)), threading.Thread(target=typing(sam, "b", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text = converged(document.id, item_id, maya, sam)
    assert maya.refusals == sam.refusals == []
    assert len(text) == 600 - 2 * sum(1 for i in range(300) if i % 7 == 3)


def test_a_change_that_changes_nothing_is_not_stored_again(couple_document, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    index = maya.edit(type_into(item_id, "once"))
    assert maya.wait(lambda: maya.committed >= index)
    assert sam.wait(lambda: text_of(sam, item_id) == "once")
    before = len(store.read_log(document.id))
    heard = len(sam.doc.get_update())
    with maya._lock:
        again = create_update_message(maya.doc.get_update())
    index = maya.send(again)
    assert maya.wait(lambda: maya.committed >= index)
    db.session.commit()
    assert len(store.read_log(document.id)) == before
    assert len(sam.doc.get_update()) == heard


def test_offline_edits_of_both_partners_merge_on_reconnect(couple_document, relay, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    sam_cookie = cookie_of(bob)
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, sam_cookie)
    assert synced(maya) and synced(sam)
    index = maya.edit(type_into(item_id, "Sundays are ours."))
    assert sam.wait(lambda: text_of(sam, item_id) == "Sundays are ours.")
    sam.close()
    assert sam.wait_closed() is not None
    sam.edit(type_into(item_id, "Phones away. "))  # offline: kept on the device
    index = maya.edit(type_into(item_id, " Mornings too.", at=17))
    assert maya.wait(lambda: maya.committed >= index)
    assert stored_text(document.id, item_id) == "Sundays are ours. Mornings too."

    back = RelayClient(relay.url, document.id, sam_cookie, APP_URL, doc=sam.doc)  # with what was typed offline
    try:
        assert back.wait(lambda: back.server_step1 > 0 and all_answered(back))
        assert converged(document.id, item_id, maya, back) == "Phones away. Sundays are ours. Mornings too."
    finally:
        back.close()


def test_a_late_comer_gets_everything(couple_document, connect, cookie_of):
    _, alice, bob, document, item_id = couple_document
    maya = connect(document.id, cookie_of(alice))
    assert synced(maya)
    index = maya.edit(type_into(item_id, "No silent treatment."))
    assert maya.wait(lambda: maya.committed >= index)
    late = connect(document.id, cookie_of(bob))
    assert late.wait(lambda: text_of(late, item_id) == "No silent treatment.")


def test_a_change_the_app_writes_reaches_open_pages(couple_document, connect, cookie_of):
    """A restore (or any server-side edit) is written to the log by the app; the relay follows the log."""
    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    set_text(document, item_id, "from elsewhere")
    for client in (maya, sam):
        assert client.wait(lambda c=client: text_of(c, item_id) == "from elsewhere")
    index = maya.edit(type_into(item_id, "And "))
    assert maya.wait(lambda: maya.committed >= index)
    assert stored_text(document.id, item_id) == "And from elsewhere"


def test_the_relay_does_not_compress(couple_document, relay, cookie_of):
    """Tiny messages gain nothing from permessage-deflate, and its zlib state would cost each socket ~300 KiB."""
    _, alice, _, document, _ = couple_document
    with ws_connect(f"{relay.url}/agreements/{document.id}", origin=APP_URL, compression="deflate",
                    additional_headers={"Cookie": cookie_of(alice)}, open_timeout=30) as ws:
        assert ws.recv(timeout=30)[0] == 0  # the relay's step 1: the connection works
        assert "sec-websocket-extensions" not in {name.lower() for name in ws.response.headers}


edit = st.tuples(st.just("edit"), st.sampled_from("ab"), st.floats(0, 1), st.sampled_from(["insert", "delete"]),
                 st.sampled_from(["x", "yz", "w", " "]))
offline = st.tuples(st.just("offline"), st.sampled_from("ab"))
online = st.tuples(st.just("online"), st.sampled_from("ab"))
actions = st.lists(st.one_of(edit, edit, edit, offline, online), max_size=30)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
def test_any_interleaving_of_edits_and_reconnects_converges(couple_document, relay, cookie_of, steps):
    _, alice, bob, document, item_id = couple_document
    cookies = {"a": cookie_of(alice), "b": cookie_of(bob)}
    clients = {name: RelayClient(relay.url, document.id, cookies[name], APP_URL) for name in "ab"}
    online_now = {"a": True, "b": True}
    try:
        for client in clients.values():
            assert synced(client)
        for step in steps:
            name = step[1]
            client = clients[name]
            if step[0] == "edit":
                _, _, where, kind, chars = step

                def change(doc, where=where, kind=kind, chars=chars):
                    text = find_item(doc, item_id)["text"]
                    at = int(where * len(text))
                    if kind == "insert":
                        text.insert(at, chars)
                    elif at < len(text):
                        del text[at]
                client.edit(change)
            elif step[0] == "offline" and online_now[name]:
                client.close()
                client.wait_closed()
                online_now[name] = False
            elif step[0] == "online" and not online_now[name]:
                clients[name] = RelayClient(relay.url, document.id, cookies[name], APP_URL, doc=client.doc)
                # Back online, the offline work goes in the sync round first; an edit sent before that round
                # would build on changes the relay has not seen yet (refused, as it should be).
                assert settled(clients[name])
                online_now[name] = True
        for name, client in clients.items():
            if not online_now[name]:
                clients[name] = RelayClient(relay.url, document.id, cookies[name], APP_URL, doc=client.doc)
        for client in clients.values():
            assert client.wait(lambda c=client: c.server_step1 > 0)
        converged(document.id, item_id, *clients.values())
        assert all(client.refusals == [] for client in clients.values())
    finally:
        for client in clients.values():
            client.close()
        set_text(document, item_id, "")  # the next example starts from an empty agreement


@pytest.mark.timeout(900)
@pytest.mark.parametrize("relay_env", [{"AGREEMENTS_MAX_AGREEMENT_CHARS": "1000000"}])  # one long text
def test_two_people_typing_together_replay_to_the_recorded_text(couple_document, connect, cookie_of, relay_env):
    """friendsforever: two people who really typed one text at the same time, as two clients in trace order.

    Each client sends its own agent's transactions without waiting, except that a transaction is sent
    only once the relay has acknowledged the other agent's transactions it was typed on top of.
    """
    _, alice, bob, document, item_id = couple_document
    trace = load_trace("friendsforever.json.gz")
    replay = concurrent_updates(trace, stored_doc(document.id).get_update(),
                                lambda doc: find_item(doc, item_id)["text"])
    clients = [connect(document.id, cookie_of(user)) for user in (alice, bob)]
    for client in clients:  # its replies to the relay's two step 1s (on connect, and after ours) are sent
        assert synced(client) and client.wait(lambda c=client: c.server_step1 >= 2 and all_answered(c))
    base = [client.sent for client in clients]  # their sync replies on connect
    sent = [0, 0]
    for step in replay:
        other = clients[1 - step.agent]
        needed = base[1 - step.agent] + step.builds_on[1 - step.agent]
        assert other.wait(lambda o=other, n=needed: o.committed >= n, timeout=60), other.closed
        clients[step.agent].send(create_update_message(step.update))
        sent[step.agent] += 1
    for client in clients:
        assert client.wait(lambda c=client: c.committed >= c.sent, timeout=120), client.closed
        assert client.refusals == []
    assert sum(sent) == len(replay)
    db.session.commit()
    assert stored_text(document.id, item_id) == trace["endContent"]
    for client in clients:
        client.sync()
        assert client.wait(lambda c=client: text_of(c, item_id) == trace["endContent"])


def test_a_signature_tells_every_open_page_that_states_changed(couple_document, relay, connect, cookie_of, app):
    from agreements import signing

    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    index = maya.edit(type_into(item_id, "We say what we need."))
    assert maya.wait(lambda: maya.committed >= index)
    time.sleep(2 * app.config["RELAY_RECHECK_SECONDS"])  # the relay has noted the room's signatures so far
    db.session.commit()
    signing.sign(alice, document.id, item_id, "We say what we need.")
    for client in (maya, sam):
        assert client.wait(lambda c=client: c.states == 1)
    assert maya.refusals == sam.refusals == []


def test_turning_presence_off_stops_it_on_open_pages_within_a_second(couple_document, connect, cookie_of, app):
    from agreements import sync
    from privacy.presence import set_sharing

    _, alice, bob, document, item_id = couple_document
    maya, sam = connect(document.id, cookie_of(alice)), connect(document.id, cookie_of(bob))
    assert synced(maya) and synced(sam)
    here = sync.awareness_message([sync.Presence(41, 1, {"user": {"name": "Maya", "color": "#ab3"}})])
    maya.send(here)
    assert sam.wait(lambda: sam.awareness)
    set_sharing(bob, False)
    time.sleep(2 * app.config["RELAY_RECHECK_SECONDS"])  # within a second the relay reads it again
    heard = len(sam.awareness)
    maya.send(sync.awareness_message([sync.Presence(41, 2, {"user": {"name": "Maya", "color": "#ab3"}})]))
    index = maya.edit(type_into(item_id, "Quiet now."))  # after the presence, in order
    assert sam.wait(lambda: text_of(sam, item_id) == "Quiet now.")
    assert maya.wait(lambda: maya.committed >= index)
    assert len(sam.awareness) == heard
