"""Random interleavings of two partners' edits, deliveries and reconnects always converge."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.agreements.conftest import stored_text
from tests.agreements.wire import NAMESPACE

edit = st.tuples(st.just("edit"), st.sampled_from("ab"), st.floats(0, 1), st.sampled_from(["insert", "delete"]),
                 st.sampled_from(["x", "yz", "w", " "]))
pump = st.tuples(st.just("pump"), st.sampled_from("ab"))
offline = st.tuples(st.just("offline"), st.sampled_from("ab"))
online = st.tuples(st.just("online"), st.sampled_from("ab"))
actions = st.lists(st.one_of(edit, edit, edit, pump, offline, online), max_size=40)


def reconnect(client, document_id):
    client.socket.connect(namespace=NAMESPACE)
    client.online = True
    assert client.join(document_id) == {"ok": True}
    client.pump()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
def test_any_interleaving_of_edits_and_deliveries_converges(agreement, steps):
    clients = {"a": agreement.a, "b": agreement.b}
    for step in steps:
        client = clients[step[1]]
        if step[0] == "edit":
            _, _, where, kind, chars = step
            text = client.text(agreement.item_id)
            at = int(where * len(text))
            if kind == "insert":
                client.edit(lambda: text.insert(at, chars))
            elif at < len(text):
                client.edit(lambda: text.__delitem__(at))
        elif step[0] == "pump" and client.online:
            client.pump()
        elif step[0] == "offline" and client.online:
            client.socket.disconnect(namespace=NAMESPACE)
            client.online = False
        elif step[0] == "online" and not client.online:
            reconnect(client, agreement.document.id)
    for client in clients.values():
        if not client.online:
            reconnect(client, agreement.document.id)
    for client in clients.values():
        client.pump()
    stored = stored_text(agreement.document.id, agreement.item_id)
    assert str(agreement.a.text(agreement.item_id)) == str(agreement.b.text(agreement.item_id)) == stored
    assert all(answer["ok"] for client in clients.values() for answer in client.acks)
