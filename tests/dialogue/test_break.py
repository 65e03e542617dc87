"""A break belongs to the person who asked for it: only they end it; the other may say "ready when you are"."""
from html import unescape

import pytest

from tests.dialogue.play import walk
from tests.dialogue.test_dialogue_pages import page, state_of, step, turns
from tests.dialogue.transitions import PATHS

NS = "/dialogue"


@pytest.fixture
def on_break(app, linked_couple, login):
    """Alice and Bob in a dialogue in which Bob, the receiver, asked for a break while mirroring."""
    couple, alice, bob = linked_couple()
    dialogue = walk(couple, alice, bob, PATHS["mirroring"])
    browsers = {"alice": login(app.test_client(), alice), "bob": login(app.test_client(), bob)}
    assert step(browsers["bob"], dialogue.id, "pause").status_code == 303
    return dialogue.id, browsers


def test_partner_cannot_end_the_others_break_with_the_form(on_break):
    dialogue_id, browsers = on_break
    before = turns()
    response = step(browsers["alice"], dialogue_id, "resume")
    assert response.status_code == 403
    assert "Only Bob" in unescape(response.get_data(as_text=True))
    assert state_of(dialogue_id) == "paused" and turns() == before


def test_partner_cannot_end_the_others_break_over_the_socket(on_break, socket_client):
    dialogue_id, browsers = on_break
    socket = socket_client(NS, browsers["alice"].client)
    html = page(browsers["alice"], dialogue_id)
    index = int(html.split('name="index" value="')[1].split('"')[0])
    before = turns()
    answer = socket.emit("act", {"dialogue_id": dialogue_id, "action": "resume", "index": index, "text": None},
                         namespace=NS, callback=True)
    assert answer["ok"] is False and answer["error"]["code"] == "not_your_turn"
    assert state_of(dialogue_id) == "paused" and turns() == before


def test_the_one_on_a_break_ends_it_when_they_choose(on_break):
    dialogue_id, browsers = on_break
    assert 'value="resume"' not in page(browsers["alice"], dialogue_id)
    assert 'value="resume"' in page(browsers["bob"], dialogue_id)
    assert step(browsers["bob"], dialogue_id, "resume").status_code == 303
    assert state_of(dialogue_id) == "mirroring"


def test_the_other_may_say_ready_when_you_are_once(on_break):
    dialogue_id, browsers = on_break
    alice_page = page(browsers["alice"], dialogue_id)
    assert "Only Bob Lindqvist can end the break" in alice_page
    assert step(browsers["alice"], dialogue_id, "nudge").status_code == 303
    assert state_of(dialogue_id) == "nudged"
    bob_page = page(browsers["bob"], dialogue_id)
    assert "Alice Moreau is ready when you are" in bob_page and 'value="resume"' in bob_page
    # Once is gentle; again would be pressure.
    assert step(browsers["alice"], dialogue_id, "nudge").status_code == 409
    assert step(browsers["alice"], dialogue_id, "resume").status_code == 403
    assert step(browsers["bob"], dialogue_id, "resume").status_code == 303
    assert state_of(dialogue_id) == "mirroring"


def test_the_one_on_a_break_cannot_send_themselves_ready_when_you_are(on_break):
    dialogue_id, browsers = on_break
    assert step(browsers["bob"], dialogue_id, "nudge").status_code in (403, 409)
    assert state_of(dialogue_id) == "paused"
