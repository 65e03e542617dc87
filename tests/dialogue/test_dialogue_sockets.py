"""The live dialogue over Socket.IO: who may connect and act, what each partner hears, nothing stored for "writing"."""
import pytest
from sqlalchemy import func, select

from couples.models import LiveSocket
from dialogue.models import Dialogue, Turn
from extensions import db
from tests.dialogue.play import walk
from tests.dialogue.transitions import PATHS

NS = "/dialogue"


@pytest.fixture
def live(app, linked_couple, login, socket_client):
    """Alice and Bob, linked, in a dialogue that waits for Alice's "did I get that?", both connected."""
    couple, alice, bob = linked_couple()
    dialogue = walk(couple, alice, bob, PATHS["checking"])
    sockets = {}
    for name, user in (("alice", alice), ("bob", bob)):
        browser = login(app.test_client(), user)
        sockets[name] = socket_client(NS, browser.client)
        assert sockets[name].is_connected(NS)
    return couple, dialogue.id, sockets


def events(socket, name):
    return [e["args"][0] for e in socket.get_received(NS) if e["name"] == name]


def turns():
    return db.session.scalar(select(func.count(Turn.id)))


def test_a_step_is_committed_then_both_partners_hear_of_it(live):
    _, dialogue_id, sockets = live
    answer = sockets["alice"].emit("act", {"dialogue_id": dialogue_id, "action": "got_it", "index": 4, "text": None},
                                   namespace=NS, callback=True)
    assert answer == {"ok": True, "index": 5, "state": "asking"}
    assert events(sockets["bob"], "changed") == [{"dialogue_id": dialogue_id, "index": 5, "state": "asking"}]
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue_id).state == "asking"


def test_receiver_cannot_act_out_of_turn_over_the_socket(live):
    _, dialogue_id, sockets = live
    before = turns()
    answer = sockets["bob"].emit("act", {"dialogue_id": dialogue_id, "action": "got_it", "index": 4, "text": None},
                                 namespace=NS, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "not_your_turn"
    assert turns() == before
    assert events(sockets["alice"], "changed") == []


def test_a_stale_index_over_the_socket_is_refused(live):
    _, dialogue_id, sockets = live
    answer = sockets["alice"].emit("act", {"dialogue_id": dialogue_id, "action": "got_it", "index": 3, "text": None},
                                   namespace=NS, callback=True)
    assert answer["error"]["code"] == "stale"


@pytest.mark.parametrize("text", ["", "x" * 501])
def test_empty_and_over_long_messages_over_the_socket_are_refused(live, text):
    _, dialogue_id, sockets = live
    before = turns()
    answer = sockets["alice"].emit("act", {"dialogue_id": dialogue_id, "action": "not_quite", "index": 4, "text": text},
                                   namespace=NS, callback=True)
    assert answer["error"]["code"] == "bad_text"
    assert turns() == before


def test_an_id_that_cannot_exist_is_simply_not_found(live):
    _, _, sockets = live
    answer = sockets["alice"].emit("writing", {"dialogue_id": 2**40}, namespace=NS, callback=True)
    assert answer["error"]["code"] == "not_found"


@pytest.mark.parametrize("payload", [None, "hello", {"dialogue_id": "1"}, {"dialogue_id": 1, "action": 5, "index": 4}])
def test_malformed_messages_are_refused_calmly(live, payload):
    _, _, sockets = live
    answer = sockets["alice"].emit("act", payload, namespace=NS, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "invalid"


def test_writing_reaches_the_partner_only_and_is_never_stored(live):
    _, dialogue_id, sockets = live
    before = turns()
    assert sockets["alice"].emit("writing", {"dialogue_id": dialogue_id}, namespace=NS, callback=True) == {"ok": True}
    assert len(events(sockets["bob"], "writing")) == 1
    assert events(sockets["alice"], "writing") == []
    assert turns() == before


def test_anonymous_sockets_are_refused(app, socket_client):
    socket = socket_client(NS, app.test_client())
    assert not socket.is_connected(NS)


def test_another_couple_can_neither_act_nor_listen(live, linked_couple, login, app, socket_client):
    _, dialogue_id, sockets = live
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    outsider = socket_client(NS, login(app.test_client(), carol).client)
    before = turns()
    for event in ("act", "writing"):
        answer = outsider.emit(event, {"dialogue_id": dialogue_id, "action": "got_it", "index": 4, "text": None},
                               namespace=NS, callback=True)
        assert answer["error"]["code"] == "not_found"
    assert turns() == before
    sockets["alice"].emit("act", {"dialogue_id": dialogue_id, "action": "got_it", "index": 4, "text": None},
                          namespace=NS, callback=True)
    assert events(outsider, "changed") == []


def test_a_former_partner_is_cut_off(live, app, login, socket_client):
    couple, dialogue_id, sockets = live
    alice, bob = couple.members
    response = login(app.test_client(), bob).post("/unlink", {"confirm": "y"}, page="/unlink")
    assert response.status_code == 302
    assert not sockets["alice"].is_connected(NS) and not sockets["bob"].is_connected(NS)
    assert db.session.scalar(select(func.count()).select_from(LiveSocket).where(LiveSocket.namespace == NS)) == 0
    again = socket_client(NS, login(app.test_client(), alice).client)
    assert not again.is_connected(NS)
